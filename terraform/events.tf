# EventBridge wiring (docs/design.md#4-events, docs/design.md#5-bad-input-and-failures). Two retry layers, both ending in the DLQ:
#   1. the target retry_policy retries DELIVERY to Lambda, then dead_letter_config -> DLQ;
#   2. Lambda retries function ERRORS (modules/function async config), then on-failure -> DLQ.
# Every target invokes the alias `live`, never $LATEST, so a rollback is one alias move.
# The money DLQ hears only from the two event rules and from debit and refund; the sweep's failures
# go to their own queue (queue.tf).
#
# Both event rules live on the video.generation bus (bus.tf), whose policy decides who may publish,
# and their patterns pin the event's `account` (local.event_accounts): this account, and the
# accounts of listed cross-account producers. A rule on a custom bus has the ARN
# arn:aws:events:<region>:<account>:rule/<bus>/<rule>.

# The two event rules stay ENABLED even when paused: a disabled rule drops events instead of holding
# them. Pausing throttles the functions instead, so the events wait and then land in the DLQ.

# --- video.rendered -> debit ------------------------------------------------------------------
resource "aws_cloudwatch_event_rule" "video_rendered" {
  name           = local.names.rule_video_rendered
  description    = "video.generation / video.rendered -> ${module.debit.function_name}:live"
  event_bus_name = local.event_bus_name
  event_pattern = jsonencode({
    source        = [local.event_source]
    "detail-type" = ["video.rendered"]
    account       = local.event_accounts
  })
}

resource "aws_cloudwatch_event_target" "video_rendered" {
  rule           = aws_cloudwatch_event_rule.video_rendered.name
  event_bus_name = local.event_bus_name
  target_id      = "debit-live"
  arn            = module.debit.alias_arn

  retry_policy {
    maximum_retry_attempts       = var.eventbridge_retry_attempts
    maximum_event_age_in_seconds = var.eventbridge_max_event_age_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
}

resource "aws_lambda_permission" "video_rendered" {
  statement_id  = "AllowEventBridgeVideoRendered"
  action        = "lambda:InvokeFunction"
  function_name = module.debit.function_name
  qualifier     = module.debit.alias_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.video_rendered.arn
}

# --- video.failed -> refund -------------------------------------------------------------------
resource "aws_cloudwatch_event_rule" "video_failed" {
  name           = local.names.rule_video_failed
  description    = "video.generation / video.failed -> ${module.refund.function_name}:live"
  event_bus_name = local.event_bus_name
  event_pattern = jsonencode({
    source        = [local.event_source]
    "detail-type" = ["video.failed"]
    account       = local.event_accounts
  })
}

resource "aws_cloudwatch_event_target" "video_failed" {
  rule           = aws_cloudwatch_event_rule.video_failed.name
  event_bus_name = local.event_bus_name
  target_id      = "refund-live"
  arn            = module.refund.alias_arn

  retry_policy {
    maximum_retry_attempts       = var.eventbridge_retry_attempts
    maximum_event_age_in_seconds = var.eventbridge_max_event_age_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
}

resource "aws_lambda_permission" "video_failed" {
  statement_id  = "AllowEventBridgeVideoFailed"
  action        = "lambda:InvokeFunction"
  function_name = module.refund.function_name
  qualifier     = module.refund.alias_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.video_failed.arn
}

# --- schedule -> sweep ------------------------------------------------------------------------
# Schedules only run on the default bus, whatever bus the events use. Disabled while paused: the
# sweep moves money too, and a skipped run loses nothing (the next one finds the same jobs). Its
# failures are not money events: they go to the sweep-failures queue, never the DLQ (L8).
resource "aws_cloudwatch_event_rule" "sweep_schedule" {
  name                = local.names.rule_sweep_schedule
  description         = "${var.sweep_schedule_expression} -> ${module.sweep.function_name}:live"
  schedule_expression = var.sweep_schedule_expression
  state               = var.paused ? "DISABLED" : "ENABLED"
}

resource "aws_cloudwatch_event_target" "sweep_schedule" {
  rule      = aws_cloudwatch_event_rule.sweep_schedule.name
  target_id = "sweep-live"
  arn       = module.sweep.alias_arn

  retry_policy {
    maximum_retry_attempts       = var.eventbridge_retry_attempts
    maximum_event_age_in_seconds = var.eventbridge_max_event_age_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.sweep_failures.arn
  }
}

resource "aws_lambda_permission" "sweep_schedule" {
  statement_id  = "AllowEventBridgeSweepSchedule"
  action        = "lambda:InvokeFunction"
  function_name = module.sweep.function_name
  qualifier     = module.sweep.alias_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.sweep_schedule.arn
}
