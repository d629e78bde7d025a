# Who wrote to the money (M8): CloudTrail data events for every write to Credits, Ledger,
# Settlements and Jobs (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, …),
# behind var.cloudtrail_data_events (on in prod). The drift runbook reads them
# (docs/operations/alarms/drift.md → docs/operations/finding-the-writer.md): the caller's ARN, the key, the time, the source address.
#
# A trail of its own, data events only (no management events: the account's own trail has those,
# and a second copy would be billed twice), in this region (DynamoDB tables are regional), with log
# file validation (digest files prove nothing was removed or edited afterwards). Reads are not
# recorded: the question the runbook asks is who wrote.
locals {
  data_events_trail_arn = "arn:${local.partition}:cloudtrail:${var.aws_region}:${local.account_id}:trail/${local.names.data_events_trail}"
  data_events_tables = [
    module.tables.arns.credits,
    module.tables.arns.ledger,
    module.tables.arns.settlements,
    module.tables.arns.jobs,
  ]
}

resource "aws_cloudtrail" "data_events" {
  count = var.cloudtrail_data_events ? 1 : 0

  name                          = local.names.data_events_trail
  s3_bucket_name                = aws_s3_bucket.data_events[0].id
  enable_logging                = true
  enable_log_file_validation    = true
  include_global_service_events = false
  is_multi_region_trail         = false

  advanced_event_selector {
    name = "Writes to the money tables"

    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }

    field_selector {
      field  = "resources.type"
      equals = ["AWS::DynamoDB::Table"]
    }

    field_selector {
      field  = "readOnly"
      equals = ["false"]
    }

    field_selector {
      field  = "resources.ARN"
      equals = local.data_events_tables
    }
  }

  tags = local.tags

  # CloudTrail checks the bucket policy when the trail is created.
  depends_on = [aws_s3_bucket_policy.data_events]
}

# --- the bucket: private, versioned, encrypted, written only by this trail ------------------------

resource "aws_s3_bucket" "data_events" {
  count = var.cloudtrail_data_events ? 1 : 0

  bucket = local.names.data_events_bucket
  tags   = local.tags
}

resource "aws_s3_bucket_public_access_block" "data_events" {
  count = var.cloudtrail_data_events ? 1 : 0

  bucket                  = aws_s3_bucket.data_events[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "data_events" {
  count = var.cloudtrail_data_events ? 1 : 0

  bucket = aws_s3_bucket.data_events[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_events" {
  count = var.cloudtrail_data_events ? 1 : 0

  bucket = aws_s3_bucket.data_events[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# CloudTrail may check the ACL and write log files, for this trail only (aws:SourceArn, also against
# a confused deputy). Nobody else may put an object, nobody may delete a log file or a version of one
# (except var.break_glass_role_arn), and nothing is served over plain HTTP.
data "aws_iam_policy_document" "data_events_bucket" {
  count = var.cloudtrail_data_events ? 1 : 0

  statement {
    sid       = "CloudTrailAclCheck"
    effect    = "Allow"
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.data_events[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.data_events_trail_arn]
    }
  }

  statement {
    sid       = "CloudTrailWrite"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data_events[0].arn}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.data_events_trail_arn]
    }
  }

  statement {
    sid       = "OnlyThisTrailWrites"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data_events[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:SourceArn"
      values   = [local.data_events_trail_arn]
    }
  }

  statement {
    sid       = "KeepTheRecord"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["${aws_s3_bucket.data_events[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    dynamic "condition" {
      for_each = length(local.break_glass_arns) > 0 ? [1] : []

      content {
        test     = "ArnNotEquals"
        variable = "aws:PrincipalArn"
        values   = local.break_glass_arns
      }
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data_events[0].arn, "${aws_s3_bucket.data_events[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "data_events" {
  count = var.cloudtrail_data_events ? 1 : 0

  bucket = aws_s3_bucket.data_events[0].id
  policy = data.aws_iam_policy_document.data_events_bucket[0].json

  # A public-access block that is still being applied can reject a policy written at the same time.
  depends_on = [aws_s3_bucket_public_access_block.data_events]
}
