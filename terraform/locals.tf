# Every name and tag comes from here, derived from the workspace (CONTRIBUTING.md#one-place-for-names).
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
      reserve      = "cc-agent-reconciler-reserve-${local.workspace}"
    }
    dlq                  = "cc-reconciler-dlq-${local.workspace}"
    sweep_failures_queue = "cc-reconciler-sweep-failures-${local.workspace}"
    alerts_topic         = "ops-alerts-${local.workspace}"
    alerts_key_alias     = "alias/cc-reconciler-alerts-${local.workspace}"
    event_bus            = "cc-reconciler-events-${local.workspace}"
    event_archive        = "cc-reconciler-events-archive-${local.workspace}"
    rule_video_rendered  = "cc-reconciler-video-rendered-${local.workspace}"
    rule_video_failed    = "cc-reconciler-video-failed-${local.workspace}"
    rule_sweep_schedule  = "cc-reconciler-sweep-schedule-${local.workspace}"
    alarm_prefix         = "cc-reconciler-${local.workspace}"
    dashboard            = "cc-reconciler-${local.workspace}"
    data_events_trail    = "cc-reconciler-data-events-${local.workspace}"
    # S3 bucket names are global: the account and region make it unique, the workspace tells them apart.
    data_events_bucket = "cc-reconciler-trail-${local.account_id}-${var.aws_region}-${local.workspace}"
  }

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # Build output of `make build` (docs/design.md#6-operator-interface): one zip per handler, relative to the repository root.
  dist_dir = "${path.root}/../dist"

  # Event contract (docs/design.md#4-events).
  event_source       = "video.generation"
  event_detail_types = ["video.rendered", "video.failed"]

  # The bus video.generation events travel on: ours (created in bus.tf) unless an existing one is
  # named. Either way it gets the same bus policy and archive.
  create_event_bus = var.existing_event_bus_name == ""
  event_bus_name   = local.create_event_bus ? aws_cloudwatch_event_bus.this[0].name : data.aws_cloudwatch_event_bus.existing[0].name
  event_bus_arn    = local.create_event_bus ? aws_cloudwatch_event_bus.this[0].arn : data.aws_cloudwatch_event_bus.existing[0].arn

  # Who may publish video.generation on that bus (bus.tf): the producers, the replay-dlq role and the
  # operators' smoke principals. Everyone else is denied by the bus policy, same account included.
  event_publisher_arns = distinct(concat(var.producer_principal_arns, [module.replay_dlq.role_arn], var.ops_principal_arns))

  # The accounts an event may name in its `account` field (the rules' patterns pin it): this account
  # (replay, smoke, same-account producers) and the account of each listed producer (EventBridge
  # writes the sender's account there for a cross-account PutEvents).
  event_accounts = distinct(concat([local.account_id], [for arn in var.producer_principal_arns : split(":", arn)[4]]))

  # The only rules whose failed deliveries may land in the money DLQ (queue.tf).
  dlq_source_rule_arns = [aws_cloudwatch_event_rule.trigger["video_rendered"].arn, aws_cloudwatch_event_rule.trigger["video_failed"].arn]

  # The sweep schedule's interval in minutes when it is a rate(); 0 for a cron() (not checked). The
  # heartbeat alarm's window must be longer (main.tf, terraform_data.alarm_guard). No nulls: `||`
  # does not short-circuit before Terraform 1.12, so a precondition must not compare a null.
  sweep_rate_parts       = try(regex("^rate\\(([0-9]+) (minute|hour|day)s?\\)$", var.sweep_schedule_expression), ["0", "minute"])
  sweep_interval_minutes = tonumber(local.sweep_rate_parts[0]) * { minute = 1, hour = 60, day = 1440 }[local.sweep_rate_parts[1]]

  # 14 days, the SQS maximum: the longest an operator has to notice and replay. The sweep-failures
  # queue keeps its messages as long.
  dlq_message_retention_seconds = 1209600

  # An SQS event source needs visibility timeout >= function timeout; AWS recommends 6x so that a
  # retried batch is not received again while the first attempt is still running.
  dlq_visibility_timeout_seconds = 6 * var.lambda_timeout_seconds

  # When paused, debit and refund get no concurrency (events wait, then land in the DLQ); the sweep
  # schedule is disabled and the automatic DLQ drain is off, so nothing moves money until resume.
  settle_reserved_concurrency = var.paused ? 0 : var.reserved_concurrency

  # NODE_OPTIONS of every function. The nodejs24.x bootstrap puts its own heap flags on the command
  # line only when NODE_OPTIONS names none, so this sets both: var.lambda_semi_space_mb, and the
  # old space the bootstrap would have given (memory − memory/10). bench/support/lambda-node.ts runs
  # the bench's handler processes the same way (a test keeps the two texts together).
  node_options = "--max-semi-space-size=${var.lambda_semi_space_mb} --max-old-space-size=${var.lambda_memory_mb - floor(var.lambda_memory_mb / 10)}"

  tags = merge(var.tags, {
    Project   = "credit-reconciler"
    Workspace = local.workspace
    ManagedBy = "terraform"
  })
}
