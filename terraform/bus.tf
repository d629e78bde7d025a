# The bus video.generation events travel on (H1: who may publish), and its archive (M6: what the DLQ
# lost can still be replayed). Names: local.names.event_bus / event_archive; which bus:
# local.event_bus_name / event_bus_arn (locals.tf).

# The workspace's own bus, unless var.existing_event_bus_name names one to use instead.
resource "aws_cloudwatch_event_bus" "this" {
  count = local.create_event_bus ? 1 : 0

  name        = local.names.event_bus
  description = "video.generation events (${local.workspace}): producers publish here; debit and refund listen."
  tags        = local.tags
}

data "aws_cloudwatch_event_bus" "existing" {
  count = local.create_event_bus ? 0 : 1

  name = var.existing_event_bus_name
}

# The bus policy. EventBridge reserves only aws.* sources, so without it any principal whose identity
# policy allows events:PutEvents on the bus (CI, PowerUser, a compromised Lambda) could debit or
# refund anyone. An explicit Deny in a resource policy also binds principals of this account, and
# EventBridge authorises each entry of a PutEvents call on its own (an entry it refuses fails with
# NotAuthorizedForSourceException), so the keys below are single-valued.
#
# aws:PrincipalArn is the role ARN (with its path) for any session of that role. A request without
# it (no IAM principal) makes ArnNotEquals true, so it is denied as well.
data "aws_iam_policy_document" "event_bus" {
  # Statements an existing bus's policy had and must keep (aws_cloudwatch_event_bus_policy replaces
  # the whole policy); empty for our own bus.
  source_policy_documents = var.existing_event_bus_policy_json == "" ? [] : [var.existing_event_bus_policy_json]

  # Producers in another account need a grant in the bus policy as well as in their own account;
  # for one in this account it is the same grant its identity policy would give.
  dynamic "statement" {
    for_each = length(var.producer_principal_arns) > 0 ? [1] : []

    content {
      sid       = "PublishVideoGeneration"
      effect    = "Allow"
      actions   = ["events:PutEvents"]
      resources = [local.event_bus_arn]

      principals {
        type        = "AWS"
        identifiers = var.producer_principal_arns
      }

      condition {
        test     = "StringEquals"
        variable = "events:source"
        values   = [local.event_source]
      }

      condition {
        test     = "StringEquals"
        variable = "events:detail-type"
        values   = local.event_detail_types
      }
    }
  }

  statement {
    sid       = "OnlyKnownPublishersOfVideoGeneration"
    effect    = "Deny"
    actions   = ["events:PutEvents"]
    resources = [local.event_bus_arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = [local.event_source]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = local.event_publisher_arns
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "this" {
  event_bus_name = local.event_bus_name
  policy         = data.aws_iam_policy_document.event_bus.json
}

# Every video.generation event the bus accepted, kept var.event_archive_retention_days days (longer
# than the DLQ's 14): `aws events start-replay` re-delivers what expired in the DLQ, was dropped on
# the way to it, or was removed by hand. Replayed events settle as duplicates where they already
# settled (the handlers are idempotent), so a generous time window is safe. Runbooks:
# docs/operations/alarms/dlq-send-failures.md, docs/operations/archive-recovery.md, docs/operations/perimeter.md.
resource "aws_cloudwatch_event_archive" "this" {
  name             = local.names.event_archive
  description      = "video.generation events of ${local.workspace}, for aws events start-replay."
  event_source_arn = local.event_bus_arn
  retention_days   = var.event_archive_retention_days
  event_pattern = jsonencode({
    source = [local.event_source]
  })
}
