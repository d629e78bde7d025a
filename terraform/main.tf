# credit-reconciler: tables, five handlers, the DLQ, EventBridge wiring and alerts for ONE workspace.
# Names come from locals.tf; per-workspace settings from workspaces/<ws>.tfvars.

# ---------------------------------------------------------------------------------------------
# Workspace guard: an unknown workspace (including `default`) or a settings file written for
# another workspace fails the plan before anything is created.
# ---------------------------------------------------------------------------------------------
resource "terraform_data" "workspace_guard" {
  input = local.workspace

  lifecycle {
    precondition {
      condition     = contains(local.known_workspaces, local.workspace)
      error_message = "Terraform workspace \"${local.workspace}\" is not one of dev, staging, prod. Select one first: make plan WS=<dev|staging|prod> (or terraform workspace select -or-create <ws>)."
    }
    precondition {
      condition     = var.expected_workspace == local.workspace
      error_message = "Settings for \"${var.expected_workspace}\" were passed while workspace \"${local.workspace}\" is selected. Use -var-file=workspaces/${local.workspace}.tfvars (make plan WS=${local.workspace} does this)."
    }
  }
}

# Prod is the one workspace that must not run unguarded or unwatched, and whose bus must have
# producers: each missing setting fails the plan with what to put where. The committed prod.tfvars
# leaves all three empty on purpose (real account ids and addresses are not examples), so the
# first `make plan WS=prod` stops here until an operator fills them in.
resource "terraform_data" "prod_guard" {
  input = local.workspace

  lifecycle {
    precondition {
      condition     = local.workspace != "prod" || length(var.allowed_account_ids) > 0
      error_message = "prod needs an account guard: set allowed_account_ids = [\"<12-digit prod account id>\"] in workspaces/prod.tfvars (the provider then refuses credentials for any other account)."
    }
    precondition {
      condition     = local.workspace != "prod" || length(var.alarm_email_subscriptions) > 0
      error_message = "prod needs someone to page: set alarm_email_subscriptions = [\"<on-call address>\"] in workspaces/prod.tfvars (each address confirms once after the apply)."
    }
    precondition {
      condition     = local.workspace != "prod" || length(var.producer_principal_arns) > 0
      error_message = "prod needs its producers: set producer_principal_arns = [\"arn:aws:iam::<account>:role/<video pipeline role>\"] in workspaces/prod.tfvars (the bus policy refuses video.generation events from anyone else)."
    }
  }
}

# The heartbeat alarm looks back sweep_heartbeat_hours for a sweep run; with a rate() schedule at
# least that long it would page between two healthy runs.
resource "terraform_data" "alarm_guard" {
  input = var.sweep_schedule_expression

  lifecycle {
    precondition {
      condition     = local.sweep_interval_minutes < var.sweep_heartbeat_hours * 60
      error_message = "sweep_heartbeat_hours (${var.sweep_heartbeat_hours}) must be longer than the sweep schedule's interval (${var.sweep_schedule_expression}), or the heartbeat alarm fires between healthy runs."
    }
  }
}

# The account and partition everything here lives in (ARNs, the rules' account pin, bucket names).
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# ---------------------------------------------------------------------------------------------
# Tables (docs/design.md#3-tables; keys and indexes mirror shared/tables.ts, tests/terraform proves it)
# ---------------------------------------------------------------------------------------------
module "tables" {
  source = "./modules/tables"

  names               = local.names.tables
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

# ---------------------------------------------------------------------------------------------
# Functions: one module call per handler, each with its own role, log group, alias `live` and
# asynchronous invoke config (on failure -> the DLQ for debit and refund, the sweep-failures queue
# for the sweep and replay-dlq). The environment of each is exactly what
# shared/config.ts HANDLER_ENV says that handler reads.
# ---------------------------------------------------------------------------------------------
module "debit" {
  source = "./modules/function"

  handler_name  = "debit"
  function_name = local.names.functions["debit"]
  description   = "Charges a rendered job's price once (EventBridge video.rendered)."
  zip_path      = "${local.dist_dir}/debit.zip"

  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.lambda_timeout_seconds
  reserved_concurrency = local.settle_reserved_concurrency
  log_retention_days   = var.log_retention_days

  environment = {
    JOBS_TABLE              = module.tables.names.jobs
    CREDITS_TABLE           = module.tables.names.credits
    LEDGER_TABLE            = module.tables.names.ledger
    SETTLEMENTS_TABLE       = module.tables.names.settlements
    DLQ_URL                 = aws_sqs_queue.dlq.url
    OVERDRAFT_FLOOR_CREDITS = tostring(var.overdraft_floor_credits)
    WORKSPACE               = local.workspace
    LOG_LEVEL               = var.log_level
    NODE_OPTIONS            = local.node_options
  }

  policy_json                 = data.aws_iam_policy_document.debit.json
  on_failure_destination_arn  = aws_sqs_queue.dlq.arn
  async_max_retry_attempts    = var.async_max_retry_attempts
  async_max_event_age_seconds = var.async_max_event_age_seconds
  tags                        = local.tags
}

module "refund" {
  source = "./modules/function"

  handler_name  = "refund"
  function_name = local.names.functions["refund"]
  description   = "Gives back what a failed job was charged, once; settles uncharged jobs at zero (EventBridge video.failed)."
  zip_path      = "${local.dist_dir}/refund.zip"

  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.lambda_timeout_seconds
  reserved_concurrency = local.settle_reserved_concurrency
  log_retention_days   = var.log_retention_days

  environment = {
    JOBS_TABLE        = module.tables.names.jobs
    CREDITS_TABLE     = module.tables.names.credits
    LEDGER_TABLE      = module.tables.names.ledger
    SETTLEMENTS_TABLE = module.tables.names.settlements
    DLQ_URL           = aws_sqs_queue.dlq.url
    WORKSPACE         = local.workspace
    LOG_LEVEL         = var.log_level
    NODE_OPTIONS      = local.node_options
  }

  policy_json                 = data.aws_iam_policy_document.refund.json
  on_failure_destination_arn  = aws_sqs_queue.dlq.arn
  async_max_retry_attempts    = var.async_max_retry_attempts
  async_max_event_age_seconds = var.async_max_event_age_seconds
  tags                        = local.tags
}

module "sweep" {
  source = "./modules/function"

  handler_name  = "sweep"
  function_name = local.names.functions["sweep"]
  description   = "Settles terminal jobs whose event never came, flags stuck jobs, audits balances against the ledger (schedule)."
  zip_path      = "${local.dist_dir}/sweep.zip"

  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.sweep_timeout_seconds
  reserved_concurrency = var.reserved_concurrency
  log_retention_days   = var.log_retention_days

  environment = {
    JOBS_TABLE              = module.tables.names.jobs
    CREDITS_TABLE           = module.tables.names.credits
    LEDGER_TABLE            = module.tables.names.ledger
    SETTLEMENTS_TABLE       = module.tables.names.settlements
    ALERTS_TOPIC_ARN        = module.alerts.topic_arn
    SWEEP_GRACE_MINUTES     = tostring(var.sweep_grace_minutes)
    SWEEP_STUCK_AFTER_HOURS = tostring(var.sweep_stuck_after_hours)
    OVERDRAFT_FLOOR_CREDITS = tostring(var.overdraft_floor_credits)
    WORKSPACE               = local.workspace
    LOG_LEVEL               = var.log_level
    NODE_OPTIONS            = local.node_options
  }

  policy_json                 = data.aws_iam_policy_document.sweep.json
  on_failure_destination_arn  = aws_sqs_queue.sweep_failures.arn
  async_max_retry_attempts    = var.async_max_retry_attempts
  async_max_event_age_seconds = var.async_max_event_age_seconds
  tags                        = local.tags
}

module "replay_dlq" {
  source = "./modules/function"

  handler_name  = "replay-dlq"
  function_name = local.names.functions["replay-dlq"]
  description   = "Puts dead-lettered events back on the bus, safely and a bounded number of times (SQS auto-drain or operator)."
  zip_path      = "${local.dist_dir}/replay-dlq.zip"

  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.lambda_timeout_seconds
  reserved_concurrency = var.reserved_concurrency
  log_retention_days   = var.log_retention_days

  environment = {
    DLQ_URL            = aws_sqs_queue.dlq.url
    EVENT_BUS_NAME     = local.event_bus_name
    REPLAY_MAX_REPLAYS = tostring(var.replay_max_replays)
    WORKSPACE          = local.workspace
    LOG_LEVEL          = var.log_level
    NODE_OPTIONS       = local.node_options
  }

  policy_json                 = data.aws_iam_policy_document.replay_dlq.json
  on_failure_destination_arn  = aws_sqs_queue.sweep_failures.arn
  async_max_retry_attempts    = var.async_max_retry_attempts
  async_max_event_age_seconds = var.async_max_event_age_seconds
  tags                        = local.tags
}

# reserve: producers invoke it directly (RequestResponse) before they start a render and act on the
# answer at once, so it has no asynchronous config and no destination: an error goes back to the
# caller, who retries (a reserve is idempotent by job id). Not paused with debit and refund: a hold
# moves no money, and a producer refused a hold simply does not start the render.
module "reserve" {
  source = "./modules/function"

  handler_name  = "reserve"
  function_name = local.names.functions["reserve"]
  description   = "Holds credits for a job before its render, answered at once: held or refused (producers invoke it)."
  zip_path      = "${local.dist_dir}/reserve.zip"

  runtime              = var.lambda_runtime
  architecture         = var.lambda_architecture
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.reserve_timeout_seconds
  reserved_concurrency = var.reserved_concurrency
  log_retention_days   = var.log_retention_days

  environment = {
    CREDITS_TABLE        = module.tables.names.credits
    SETTLEMENTS_TABLE    = module.tables.names.settlements
    HOLD_DEFAULT_SECONDS = tostring(var.hold_default_seconds)
    WORKSPACE            = local.workspace
    LOG_LEVEL            = var.log_level
    NODE_OPTIONS         = local.node_options
  }

  policy_json = data.aws_iam_policy_document.reserve.json
  tags        = local.tags
}

# Who may invoke reserve: exactly the producers, on the alias (a resource policy, which a producer in
# another account needs; one in this account needs lambda:InvokeFunction in its own policy too).
resource "aws_lambda_permission" "reserve_producers" {
  for_each = toset(var.producer_principal_arns)

  statement_id  = "ProducerReserve${substr(sha256(each.value), 0, 16)}"
  action        = "lambda:InvokeFunction"
  function_name = module.reserve.function_name
  qualifier     = module.reserve.alias_name
  principal     = each.value
}

# Automatic drain of the DLQ (off by default, and always off while paused: replaying into paused
# handlers would only send the events back to the DLQ and use up their replay budget).
resource "aws_lambda_event_source_mapping" "replay_dlq" {
  event_source_arn        = aws_sqs_queue.dlq.arn
  function_name           = module.replay_dlq.alias_arn
  enabled                 = var.replay_auto_drain && !var.paused
  batch_size              = var.replay_batch_size
  function_response_types = ["ReportBatchItemFailures"]

  # A drain is never urgent; two concurrent batches (the minimum) keep it gentle on the bus.
  scaling_config {
    maximum_concurrency = 2
  }
}

# ---------------------------------------------------------------------------------------------
# Alerts: SNS ops topic (KMS-encrypted), alarms (each with alarm and OK actions) on every point
# where an event can be dropped, the sweep's heartbeat, dashboard
# ---------------------------------------------------------------------------------------------
module "alerts" {
  source = "./modules/alerts"

  workspace      = local.workspace
  name_prefix    = local.names.alarm_prefix
  topic_name     = local.names.alerts_topic
  kms_alias_name = local.names.alerts_key_alias
  dashboard_name = local.names.dashboard
  aws_region     = var.aws_region

  # Besides CloudWatch alarms, only the sweep publishes (its reports), so only its role may use the
  # topic's key; and break-glass, the role a hand-run `reconciler sweep --publish` runs as (the
  # Settlements policy lets no other operator run the sweep).
  topic_publisher_role_arns = concat([module.sweep.role_arn], local.break_glass_arns)

  function_names = {
    debit        = module.debit.function_name
    refund       = module.refund.function_name
    sweep        = module.sweep.function_name
    "replay-dlq" = module.replay_dlq.function_name
    reserve      = module.reserve.function_name
  }
  # The ones invoked asynchronously, whose queue and destination are alarmed too (not reserve:
  # its callers wait for the answer).
  async_function_names = {
    debit        = module.debit.function_name
    refund       = module.refund.function_name
    sweep        = module.sweep.function_name
    "replay-dlq" = module.replay_dlq.function_name
  }
  # Throttles are the pause mechanism itself: no pages for them while paused.
  throttle_alarm_muted_functions = var.paused ? ["debit", "refund"] : []

  # Each rule with a dead-letter queue, with the bus it is on (the metrics' dimensions differ).
  rules = {
    video_rendered = { rule_name = aws_cloudwatch_event_rule.trigger["video_rendered"].name, event_bus_name = local.event_bus_name }
    video_failed   = { rule_name = aws_cloudwatch_event_rule.trigger["video_failed"].name, event_bus_name = local.event_bus_name }
    sweep_schedule = { rule_name = aws_cloudwatch_event_rule.trigger["sweep_schedule"].name, event_bus_name = "default" }
  }

  dlq_name                  = aws_sqs_queue.dlq.name
  sweep_failures_queue_name = aws_sqs_queue.sweep_failures.name
  sweep_heartbeat_hours     = var.sweep_heartbeat_hours
  # The schedule is disabled while paused: no sweep runs is expected then, not a page.
  sweep_heartbeat_muted = var.paused

  dlq_oldest_message_alarm_seconds          = var.dlq_oldest_message_alarm_seconds
  adjustments_alarm_threshold_per_hour      = var.adjustments_alarm_threshold_per_hour
  reserve_refusals_alarm_threshold_per_hour = var.reserve_refusals_alarm_threshold_per_hour
  email_subscriptions                       = var.alarm_email_subscriptions
  tags                                      = local.tags
}
