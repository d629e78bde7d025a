# Every name and tag comes from here, derived from the workspace (STYLE: one place for names).
locals {
  workspace = terraform.workspace

  # The only workspaces this configuration may be applied in; anything else (including `default`)
  # fails the plan in main.tf (terraform_data.workspace_guard).
  known_workspaces = ["dev", "staging", "prod"]

  names = {
    tables = {
      credits     = "Credits-${local.workspace}"
      jobs        = "Jobs-${local.workspace}"
      ledger      = "Ledger-${local.workspace}"
      settlements = "Settlements-${local.workspace}"
    }
    functions = {
      debit        = "cc-agent-reconciler-debit-${local.workspace}"
      refund       = "cc-agent-reconciler-refund-${local.workspace}"
      sweep        = "cc-agent-reconciler-sweep-${local.workspace}"
      "replay-dlq" = "cc-agent-reconciler-replay-dlq-${local.workspace}"
    }
    dlq                  = "cc-reconciler-dlq-${local.workspace}"
    sweep_failures_queue = "cc-reconciler-sweep-failures-${local.workspace}"
    alerts_topic         = "ops-alerts-${local.workspace}"
    rule_video_rendered  = "cc-reconciler-video-rendered-${local.workspace}"
    rule_video_failed    = "cc-reconciler-video-failed-${local.workspace}"
    rule_sweep_schedule  = "cc-reconciler-sweep-schedule-${local.workspace}"
    alarm_prefix         = "cc-reconciler-${local.workspace}"
    dashboard            = "cc-reconciler-${local.workspace}"
  }

  # Build output of `make build` (DESIGN §6): one zip per handler, relative to the repository root.
  dist_dir = "${path.root}/../dist"

  # Event contract (DESIGN §4).
  event_source = "video.generation"

  # The only rules whose failed deliveries may land in the money DLQ (queue.tf).
  dlq_source_rule_arns = [aws_cloudwatch_event_rule.video_rendered.arn, aws_cloudwatch_event_rule.video_failed.arn]

  # 14 days, the SQS maximum: the longest an operator has to notice and replay. The sweep-failures
  # queue keeps its messages as long.
  dlq_message_retention_seconds = 1209600

  # An SQS event source needs visibility timeout >= function timeout; AWS recommends 6x so that a
  # retried batch is not received again while the first attempt is still running.
  dlq_visibility_timeout_seconds = 6 * var.lambda_timeout_seconds

  # When paused, debit and refund get no concurrency (events wait, then land in the DLQ); the sweep
  # schedule is disabled and the automatic DLQ drain is off, so nothing moves money until resume.
  settle_reserved_concurrency = var.paused ? 0 : var.reserved_concurrency

  tags = merge(var.tags, {
    Project   = "credit-reconciler"
    Workspace = local.workspace
    ManagedBy = "terraform"
  })
}
