# The dead-letter queue every money failure path ends in (docs/design.md#5-bad-input-and-failures): the EventBridge target DLQ of
# the two event rules (delivery failures), the Lambda async on-failure destination of debit and
# refund (function errors, throttling while paused), and their own invalid-event messages. Replayed
# by replay-dlq (make replay-dlq WS=<ws>), which puts what it finds back on the bus: so the queue
# policy lets nobody else write to it (H2).
resource "aws_sqs_queue" "dlq" {
  name                       = local.names.dlq
  message_retention_seconds  = local.dlq_message_retention_seconds
  visibility_timeout_seconds = local.dlq_visibility_timeout_seconds
  receive_wait_time_seconds  = 20

  # SSE-SQS: EventBridge can deliver to it (an aws/sqs KMS-managed key would refuse EventBridge).
  sqs_managed_sse_enabled = true
}

# The sweep's failures (its schedule target's DLQ and its async on-failure destination) and
# replay-dlq's own async on-failure destination: operational failures, never money events, so they
# never mix with what replay puts back on the bus (L8). Nothing drains it automatically; its depth
# alarm (…-sweep-failures-depth) tells a person to look. Same retention and encryption as the DLQ.
resource "aws_sqs_queue" "sweep_failures" {
  name                       = local.names.sweep_failures_queue
  message_retention_seconds  = local.dlq_message_retention_seconds
  visibility_timeout_seconds = local.dlq_visibility_timeout_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
}

# Each queue policy: EventBridge may send for exactly its rules (aws:SourceArn, which also rules out
# a confused deputy in another account), and a Deny for everyone else: sqs:SendMessage is refused
# unless the request comes from one of those rules OR from one of the listed roles (Lambda's
# on-failure destinations and the handlers' own messages send with the function's role, not through
# the Allow). Both Not-conditions must hold for the Deny to apply; a key missing from the request
# makes its Not-condition true, so a caller with neither a rule ARN nor a listed role is refused,
# whatever its identity policy says.
data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "EventBridgeTargetDeadLetters"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = local.dlq_source_rule_arns
    }
  }

  statement {
    sid       = "OnlyOurRulesAndSettlementHandlers"
    effect    = "Deny"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:SourceArn"
      values   = local.dlq_source_rule_arns
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [module.debit.role_arn, module.refund.role_arn]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}

data "aws_iam_policy_document" "sweep_failures" {
  statement {
    sid       = "EventBridgeTargetDeadLetters"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.sweep_failures.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.trigger["sweep_schedule"].arn]
    }
  }

  statement {
    sid       = "OnlySweepScheduleSweepAndReplay"
    effect    = "Deny"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.sweep_failures.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.trigger["sweep_schedule"].arn]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [module.sweep.role_arn, module.replay_dlq.role_arn]
    }
  }
}

resource "aws_sqs_queue_policy" "sweep_failures" {
  queue_url = aws_sqs_queue.sweep_failures.id
  policy    = data.aws_iam_policy_document.sweep_failures.json
}
