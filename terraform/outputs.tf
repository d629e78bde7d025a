# Read by the operator scripts (make replay-dlq, npx reconciler …) with `terraform output -raw <name>`
# or `terraform output -json operator_env`.

output "workspace" {
  description = "Workspace these outputs belong to."
  value       = local.workspace
}

output "aws_region" {
  description = "Region of this workspace."
  value       = var.aws_region
}

output "credits_table_name" {
  description = "Credits table (CREDITS_TABLE)."
  value       = module.tables.names.credits
}

output "jobs_table_name" {
  description = "Jobs table (JOBS_TABLE)."
  value       = module.tables.names.jobs
}

output "ledger_table_name" {
  description = "Ledger table (LEDGER_TABLE)."
  value       = module.tables.names.ledger
}

output "function_names" {
  description = "Lambda function name per handler (debit, refund, sweep, replay-dlq, reserve)."
  value = {
    debit        = module.debit.function_name
    refund       = module.refund.function_name
    sweep        = module.sweep.function_name
    "replay-dlq" = module.replay_dlq.function_name
    reserve      = module.reserve.function_name
  }
}

output "function_alias_arns" {
  description = "ARN of the alias `live` per handler: what EventBridge, the DLQ drain and (reserve) the producers invoke."
  value = {
    debit        = module.debit.alias_arn
    refund       = module.refund.alias_arn
    sweep        = module.sweep.alias_arn
    "replay-dlq" = module.replay_dlq.alias_arn
    reserve      = module.reserve.alias_arn
  }
}

output "function_live_versions" {
  description = "Published version the alias `live` points at, per handler (note it before an apply to be able to roll back)."
  value = {
    debit        = module.debit.alias_function_version
    refund       = module.refund.alias_function_version
    sweep        = module.sweep.alias_function_version
    "replay-dlq" = module.replay_dlq.alias_function_version
    reserve      = module.reserve.alias_function_version
  }
}

output "reserve_function_arn" {
  description = "What producers invoke before a render (RequestResponse): the reserve function's alias `live`. Give it to the video pipeline with its role in producer_principal_arns."
  value       = module.reserve.alias_arn
}

output "dlq_url" {
  description = "Dead-letter queue URL (DLQ_URL; make replay-dlq reads it)."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_arn" {
  description = "Dead-letter queue ARN."
  value       = aws_sqs_queue.dlq.arn
}

output "sweep_failures_queue_url" {
  description = "Queue of the sweep's and replay-dlq's failed invocations (never money events; not replayed)."
  value       = aws_sqs_queue.sweep_failures.url
}

output "sweep_failures_queue_arn" {
  description = "ARN of the sweep-failures queue."
  value       = aws_sqs_queue.sweep_failures.arn
}

output "event_bus_name" {
  description = "EventBridge bus producers publish video.generation events to, the rules listen on and replay puts events back on (EVENT_BUS_NAME): cc-reconciler-events-<ws>, or existing_event_bus_name."
  value       = local.event_bus_name
}

output "event_bus_arn" {
  description = "ARN of that bus: what producers grant themselves events:PutEvents on."
  value       = local.event_bus_arn
}

output "event_rule_arns" {
  description = "Rule ARN per rule (video_rendered, video_failed on the bus: arn:aws:events:<region>:<account>:rule/<bus>/<rule>; sweep_schedule on the default bus: …:rule/<rule>). The DLQ accepts EventBridge deliveries from the first two only."
  value       = { for key, rule in aws_cloudwatch_event_rule.trigger : key => rule.arn }
}

output "event_archive_arn" {
  description = "ARN of the bus's archive of video.generation events (aws events start-replay --event-source-arn …)."
  value       = aws_cloudwatch_event_archive.this.arn
}

output "function_role_arns" {
  description = "Execution role ARN per handler (the publishers and writers the bus, queue and table policies name)."
  value = {
    debit        = module.debit.role_arn
    refund       = module.refund.role_arn
    sweep        = module.sweep.role_arn
    "replay-dlq" = module.replay_dlq.role_arn
    reserve      = module.reserve.role_arn
  }
}

output "data_events_bucket" {
  description = "S3 bucket with the CloudTrail data events of the money tables (null when cloudtrail_data_events is off): s3://<bucket>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/."
  value       = var.cloudtrail_data_events ? aws_s3_bucket.data_events[0].id : null
}

output "data_events_trail_arn" {
  description = "ARN of the data-events trail (null when cloudtrail_data_events is off)."
  value       = var.cloudtrail_data_events ? aws_cloudtrail.data_events[0].arn : null
}

output "alerts_topic_arn" {
  description = "SNS ops topic for alarms and sweep reports (ALERTS_TOPIC_ARN)."
  value       = module.alerts.topic_arn
}

output "alerts_topic_kms_key_arn" {
  description = "KMS key that encrypts the ops topic (a new publisher needs a statement in its key policy, modules/alerts)."
  value       = module.alerts.topic_kms_key_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of this workspace."
  value       = module.alerts.dashboard_name
}

output "paused" {
  description = "Whether debit/refund are paused (make pause/resume). make plan/apply read this to keep the pause state."
  value       = var.paused
}

output "operator_env" {
  description = "Environment for the operator CLI against this workspace: eval \"$(terraform output -json operator_env | jq -r 'to_entries[] | \"export \\(.key)=\\(.value)\"')\"."
  value = {
    AWS_REGION           = var.aws_region
    WORKSPACE            = local.workspace
    JOBS_TABLE           = module.tables.names.jobs
    CREDITS_TABLE        = module.tables.names.credits
    LEDGER_TABLE         = module.tables.names.ledger
    SETTLEMENTS_TABLE    = module.tables.names.settlements
    HOLD_DEFAULT_SECONDS = tostring(var.hold_default_seconds)
    DLQ_URL              = aws_sqs_queue.dlq.url
    ALERTS_TOPIC_ARN     = module.alerts.topic_arn
    EVENT_BUS_NAME       = local.event_bus_name
  }
}
