# The dead-letter queue every failure path ends in (DESIGN §5): EventBridge target DLQ (delivery
# failures), Lambda async on-failure destination (function errors, throttling while paused), and the
# handlers' own invalid-event messages. Replayed by replay-dlq (make replay-dlq WS=<ws>).
resource "aws_sqs_queue" "dlq" {
  name                       = local.names.dlq
  message_retention_seconds  = local.dlq_message_retention_seconds
  visibility_timeout_seconds = local.dlq_visibility_timeout_seconds
  receive_wait_time_seconds  = 20

  # SSE-SQS: EventBridge can deliver to it (an aws/sqs KMS-managed key would refuse EventBridge).
  sqs_managed_sse_enabled = true
}

# Only EventBridge needs the queue policy, and only for this workspace's rules. Lambda's on-failure
# destination sends with the function's own role (see modules/function), not through this policy.
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
      values = [
        aws_cloudwatch_event_rule.video_rendered.arn,
        aws_cloudwatch_event_rule.video_failed.arn,
        aws_cloudwatch_event_rule.sweep_schedule.arn,
      ]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}
