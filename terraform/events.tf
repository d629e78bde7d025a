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

# Each function an EventBridge rule invokes, by the rule's key in shared/naming.ts (RuleKey): one
# rule, one target and one permission per entry (aws_cloudwatch_event_rule.trigger["video_rendered"]
# and so on; moved.tf maps the addresses they had before). What is not the rule's kind is null, which
# Terraform reads as unset: an event rule has no schedule and no state, the schedule no pattern and
# no bus (schedules only run on the default bus, whatever bus the events use).
locals {
  triggers = {
    # --- video.rendered -> debit ----------------------------------------------------------------
    video_rendered = {
      name           = local.names.rule_video_rendered
      fires_on       = "video.generation / video.rendered"
      event_bus_name = local.event_bus_name
      event_pattern = jsonencode({
        source        = [local.event_source]
        "detail-type" = ["video.rendered"]
        account       = local.event_accounts
      })
      schedule_expression = null
      state               = null
      target_id           = "debit-live"
      statement_id        = "AllowEventBridgeVideoRendered"
      function_name       = module.debit.function_name
      alias_name          = module.debit.alias_name
      alias_arn           = module.debit.alias_arn
      dead_letter_arn     = aws_sqs_queue.dlq.arn
    }

    # --- video.failed -> refund -----------------------------------------------------------------
    video_failed = {
      name           = local.names.rule_video_failed
      fires_on       = "video.generation / video.failed"
      event_bus_name = local.event_bus_name
      event_pattern = jsonencode({
        source        = [local.event_source]
        "detail-type" = ["video.failed"]
        account       = local.event_accounts
      })
      schedule_expression = null
      state               = null
      target_id           = "refund-live"
      statement_id        = "AllowEventBridgeVideoFailed"
      function_name       = module.refund.function_name
      alias_name          = module.refund.alias_name
      alias_arn           = module.refund.alias_arn
      dead_letter_arn     = aws_sqs_queue.dlq.arn
    }

    # --- schedule -> sweep ----------------------------------------------------------------------
    # Disabled while paused: the sweep moves money too, and a skipped run loses nothing (the next
    # one finds the same jobs). Its failures are not money events: they go to the sweep-failures
    # queue, never the DLQ (L8).
    sweep_schedule = {
      name                = local.names.rule_sweep_schedule
      fires_on            = var.sweep_schedule_expression
      event_bus_name      = null
      event_pattern       = null
      schedule_expression = var.sweep_schedule_expression
      state               = var.paused ? "DISABLED" : "ENABLED"
      target_id           = "sweep-live"
      statement_id        = "AllowEventBridgeSweepSchedule"
      function_name       = module.sweep.function_name
      alias_name          = module.sweep.alias_name
      alias_arn           = module.sweep.alias_arn
      dead_letter_arn     = aws_sqs_queue.sweep_failures.arn
    }
  }
}

resource "aws_cloudwatch_event_rule" "trigger" {
  for_each = local.triggers

  name                = each.value.name
  description         = "${each.value.fires_on} -> ${each.value.function_name}:live"
  event_bus_name      = each.value.event_bus_name
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
  state               = each.value.state
}

resource "aws_cloudwatch_event_target" "trigger" {
  for_each = local.triggers

  rule           = aws_cloudwatch_event_rule.trigger[each.key].name
  event_bus_name = each.value.event_bus_name
  target_id      = each.value.target_id
  arn            = each.value.alias_arn

  retry_policy {
    maximum_retry_attempts       = var.eventbridge_retry_attempts
    maximum_event_age_in_seconds = var.eventbridge_max_event_age_seconds
  }

  dead_letter_config {
    arn = each.value.dead_letter_arn
  }
}

resource "aws_lambda_permission" "trigger" {
  for_each = local.triggers

  statement_id  = each.value.statement_id
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  qualifier     = each.value.alias_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.trigger[each.key].arn
}
