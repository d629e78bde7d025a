# ---------------------------------------------------------------------------------------------
# Workspace identity and account safety
# ---------------------------------------------------------------------------------------------

variable "expected_workspace" {
  description = "The workspace this settings file was written for. Each workspaces/<ws>.tfvars sets it; the plan fails unless it equals terraform.workspace, so dev settings can never be applied to prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.expected_workspace)
    error_message = "expected_workspace must be one of dev, staging, prod."
  }
}

variable "aws_region" {
  description = "AWS region of this workspace (e.g. eu-west-1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like an AWS region code, e.g. eu-west-1."
  }
}

variable "allowed_account_ids" {
  description = "AWS account ids this workspace may be applied to (provider allowed_account_ids). Empty = not enforced; set it for staging, and prod refuses to plan without it (main.tf, terraform_data.prod_guard)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Each allowed_account_ids entry must be a 12-digit AWS account id."
  }
}

variable "tags" {
  description = "Extra tags for every resource (Project, Workspace and ManagedBy are always set)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be 1-128 characters and values at most 256 characters."
  }
}

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

variable "deletion_protection" {
  description = "DynamoDB deletion protection on Credits, Jobs and Ledger. true in prod (workspaces/prod.tfvars); a destroy then fails until it is turned off on purpose."
  type        = bool
  default     = true
}

variable "break_glass_role_arn" {
  description = "The one IAM role exempt from the money tables' resource policies (Ledger: no UpdateItem/DeleteItem/BatchWriteItem/PartiQL; Credits: no PutItem/DeleteItem; Settlements: writes only by the reconciler's roles) and from the data-events bucket's no-delete rule. Empty = nobody is exempt: a correction then means changing the policy through Terraform, on the record."
  type        = string
  default     = ""

  validation {
    condition     = var.break_glass_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.break_glass_role_arn))
    error_message = "break_glass_role_arn must be empty (nobody) or an exact IAM role ARN, arn:aws:iam::<12 digits>:role/<path/name>."
  }
}

variable "cloudtrail_data_events" {
  description = "Record every write to Credits, Ledger, Settlements and Jobs (CloudTrail data events, readOnly = false) in a trail of its own, delivered to a locked S3 bucket: how the drift runbook finds the writer. On in prod (workspaces/prod.tfvars). Costs per event recorded (about 0.10 USD per 100,000)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------

variable "existing_event_bus_name" {
  description = "Empty (the default): this configuration creates the workspace's own bus for video.generation, cc-reconciler-events-<ws>, which producers publish to. Or the name of an existing bus in this account and region to use instead: it gets the same bus policy and archive (and the policy REPLACES any policy it had; pass the statements to keep in existing_event_bus_policy_json)."
  type        = string
  default     = ""

  validation {
    condition     = var.existing_event_bus_name == "" || can(regex("^[A-Za-z0-9._\\-/]{1,256}$", var.existing_event_bus_name))
    error_message = "existing_event_bus_name must be empty (create the workspace's own bus) or an EventBridge bus name (letters, digits, . _ - /; at most 256 characters)."
  }
}

variable "existing_event_bus_policy_json" {
  description = "Only with existing_event_bus_name: a policy document (JSON) with the statements the existing bus's policy must keep (e.g. other teams' cross-account publishers). aws_cloudwatch_event_bus_policy replaces the whole policy, so without them those statements are lost. Its Sids must not be the ones bus.tf uses (PublishVideoGeneration, OnlyKnownPublishersOfVideoGeneration)."
  type        = string
  default     = ""

  validation {
    condition     = var.existing_event_bus_policy_json == "" || can(jsondecode(var.existing_event_bus_policy_json).Statement)
    error_message = "existing_event_bus_policy_json must be empty or an IAM policy document in JSON (with a Statement list)."
  }
}

variable "producer_principal_arns" {
  description = "IAM role (or user) ARNs of the video pipeline's producers: the only principals besides replay-dlq and ops_principal_arns that may put source video.generation events on the bus (the bus policy denies everyone else, same account included). Exact ARNs, with the role's path. A producer in another account is also granted PutEvents by the bus policy, and its account is added to the rules' account pin. Required in prod."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.producer_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Each producer_principal_arns entry must be an exact IAM role or user ARN (arn:aws:iam::<12 digits>:role/<path/name>; no wildcards, no account root)."
  }
}

variable "ops_principal_arns" {
  description = "IAM role (or user) ARNs in this account of the operators who run the smoke test (npx reconciler smoke publishes test events): exempt from the bus policy's deny, as the producers are. Their own identity policy must still allow events:PutEvents on the bus. Exact ARNs, with the role's path (for IAM Identity Center: arn:aws:iam::<acct>:role/aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<set>_<id>)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ops_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Each ops_principal_arns entry must be an exact IAM role or user ARN (arn:aws:iam::<12 digits>:role/<path/name>; no wildcards)."
  }
}

variable "event_archive_retention_days" {
  description = "How long the bus's archive keeps every video.generation event (aws events start-replay recovers what the DLQ lost). Longer than the DLQ's 14 days, so that an event whose DLQ message expired can still be replayed."
  type        = number
  default     = 30

  validation {
    condition     = var.event_archive_retention_days >= 1 && var.event_archive_retention_days <= 3650 && floor(var.event_archive_retention_days) == var.event_archive_retention_days
    error_message = "event_archive_retention_days must be an integer between 1 and 3650 (0, keep forever, is deliberately not offered: the archive holds user ids)."
  }
}

variable "eventbridge_retry_attempts" {
  description = "EventBridge target retry policy: delivery attempts to Lambda before the event goes to the DLQ."
  type        = number
  default     = 3

  validation {
    condition     = var.eventbridge_retry_attempts >= 0 && var.eventbridge_retry_attempts <= 185 && floor(var.eventbridge_retry_attempts) == var.eventbridge_retry_attempts
    error_message = "eventbridge_retry_attempts must be an integer between 0 and 185 (EventBridge limit)."
  }
}

variable "eventbridge_max_event_age_seconds" {
  description = "EventBridge target retry policy: how long EventBridge keeps retrying delivery before the event goes to the DLQ."
  type        = number
  default     = 3600

  validation {
    condition     = var.eventbridge_max_event_age_seconds >= 60 && var.eventbridge_max_event_age_seconds <= 86400 && floor(var.eventbridge_max_event_age_seconds) == var.eventbridge_max_event_age_seconds
    error_message = "eventbridge_max_event_age_seconds must be an integer between 60 and 86400 (EventBridge limits)."
  }
}

variable "async_max_retry_attempts" {
  description = "Lambda asynchronous invocation: retries after a function error before the on-failure destination (the DLQ)."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.async_max_retry_attempts)
    error_message = "async_max_retry_attempts must be 0, 1 or 2 (Lambda limits)."
  }
}

variable "async_max_event_age_seconds" {
  description = "Lambda asynchronous invocation: how long an event may wait (e.g. throttled while paused) before it goes to the DLQ."
  type        = number
  default     = 3600

  validation {
    condition     = var.async_max_event_age_seconds >= 60 && var.async_max_event_age_seconds <= 21600 && floor(var.async_max_event_age_seconds) == var.async_max_event_age_seconds
    error_message = "async_max_event_age_seconds must be an integer between 60 and 21600 (Lambda limits)."
  }
}

variable "sweep_schedule_expression" {
  description = "EventBridge schedule of the sweep (runs on the default bus; schedules cannot run on custom buses)."
  type        = string
  default     = "rate(6 hours)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.sweep_schedule_expression))
    error_message = "sweep_schedule_expression must be rate(N unit) or cron(...), e.g. rate(6 hours)."
  }
}

# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------

variable "lambda_runtime" {
  description = "Lambda runtime for every handler (the bundles are ES modules for Node.js)."
  type        = string
  default     = "nodejs24.x"

  validation {
    condition     = startswith(var.lambda_runtime, "nodejs")
    error_message = "lambda_runtime must be a Node.js runtime (start with \"nodejs\"), e.g. nodejs24.x."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of every function. The bundles are pure JavaScript, so arm64 (cheaper) is safe."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "lambda_memory_mb" {
  description = "Memory (MB) of every function; CPU scales with it."
  type        = number
  default     = 512

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be an integer between 128 and 10240."
  }
}

variable "lambda_semi_space_mb" {
  description = "V8 semi-space (MiB) of every function, set through NODE_OPTIONS with the old space Lambda would give (locals.tf node_options). Lambda's own default for 512 MB is 25, which lets the young generation alone reach ~50 MiB of a handler whose live heap is ~11 MiB; 8 measured the same events/s with ~35 MiB less peak RSS (docs/development/performance.md#handler-memory)."
  type        = number
  default     = 8

  validation {
    condition     = var.lambda_semi_space_mb >= 1 && var.lambda_semi_space_mb <= 256 && floor(var.lambda_semi_space_mb) == var.lambda_semi_space_mb
    error_message = "lambda_semi_space_mb must be an integer between 1 and 256 (MiB)."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of debit, refund and replay-dlq (one transaction per event, or one small batch)."
  type        = number
  default     = 30

  validation {
    condition     = var.lambda_timeout_seconds >= 1 && var.lambda_timeout_seconds <= 150 && floor(var.lambda_timeout_seconds) == var.lambda_timeout_seconds
    error_message = "lambda_timeout_seconds must be an integer between 1 and 150 (the DLQ visibility timeout is 6x this and SQS allows at most 12 hours, but a money handler should never need minutes)."
  }
}

variable "sweep_timeout_seconds" {
  description = "Timeout of the sweep, which pages through unsettled jobs and audits balances: longer than the event handlers."
  type        = number
  default     = 300

  validation {
    condition     = var.sweep_timeout_seconds >= 1 && var.sweep_timeout_seconds <= 900 && floor(var.sweep_timeout_seconds) == var.sweep_timeout_seconds
    error_message = "sweep_timeout_seconds must be an integer between 1 and 900 (Lambda maximum)."
  }
}

variable "reserve_timeout_seconds" {
  description = "Timeout of the reserve function. A producer waits for its answer (one transaction and one read, a little more when it must end expired holds first): short, so that a stuck call fails fast and the producer retries (reserves are idempotent by job id)."
  type        = number
  default     = 10

  validation {
    condition     = var.reserve_timeout_seconds >= 3 && var.reserve_timeout_seconds <= 60 && floor(var.reserve_timeout_seconds) == var.reserve_timeout_seconds
    error_message = "reserve_timeout_seconds must be an integer between 3 and 60."
  }
}

variable "hold_default_seconds" {
  description = "HOLD_DEFAULT_SECONDS: how long a hold lives when the producer names no expiry, and the longest one it may ask for. After it, the sweep returns the credits (within one sweep interval) and a render that arrives later is charged as a plain debit, flagged."
  type        = number
  default     = 3600

  validation {
    condition     = var.hold_default_seconds >= 60 && var.hold_default_seconds <= 86400 && floor(var.hold_default_seconds) == var.hold_default_seconds
    error_message = "hold_default_seconds must be an integer between 60 and 86400 (shared/ledger/holds.ts MIN_HOLD_SECONDS and MAX_HOLD_SECONDS)."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions of each function (a ceiling that protects DynamoDB and the account). The account must keep 100 unreserved, so 5 x this + 100 must fit the account's concurrency quota."
  type        = number
  default     = 10

  validation {
    condition     = var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be an integer between 1 and 1000 (use paused = true, not 0, to stop the functions)."
  }
}

variable "paused" {
  description = "Pause without loss: debit and refund get reserved concurrency 0 (their events wait in Lambda's queue, then land in the DLQ for replay), the sweep schedule and the automatic DLQ drain are disabled. Changed by make pause/resume; make plan/apply keep the current value."
  type        = bool
  default     = false
}

variable "log_level" {
  description = "LOG_LEVEL of every handler (pino level)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

variable "log_retention_days" {
  description = "Retention of each function's log group (the logs also carry the EMF metrics)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

# ---------------------------------------------------------------------------------------------
# Sweep and replay settings (environment of those handlers)
# ---------------------------------------------------------------------------------------------

variable "overdraft_floor_credits" {
  description = "How far below zero a debit may take a balance (credits; debit and sweep). A debit beyond it is not written: it waits in the DLQ (or on the sweep's index) for a person, and the OverdraftRefused alarm fires. 0 = no overdraft at all."
  type        = number
  default     = 1000

  validation {
    condition     = var.overdraft_floor_credits >= 0 && var.overdraft_floor_credits <= 1000000 && floor(var.overdraft_floor_credits) == var.overdraft_floor_credits
    error_message = "overdraft_floor_credits must be an integer between 0 and 1000000 (shared/ledger/settle.ts MAX_OVERDRAFT_FLOOR_CREDITS)."
  }
}

variable "sweep_grace_minutes" {
  description = "SWEEP_GRACE_MINUTES: how long after a job turns terminal the sweep waits for its event before settling it itself."
  type        = number
  default     = 30

  validation {
    condition     = var.sweep_grace_minutes >= 1 && var.sweep_grace_minutes <= 10080 && floor(var.sweep_grace_minutes) == var.sweep_grace_minutes
    error_message = "sweep_grace_minutes must be an integer between 1 and 10080 (7 days; the bound shared/sweep/config.ts enforces)."
  }
}

variable "sweep_stuck_after_hours" {
  description = "SWEEP_STUCK_AFTER_HOURS: a job not terminal after this many hours is reported as stuck (StuckJobs metric)."
  type        = number
  default     = 6

  validation {
    condition     = var.sweep_stuck_after_hours >= 1 && var.sweep_stuck_after_hours <= 720 && floor(var.sweep_stuck_after_hours) == var.sweep_stuck_after_hours
    error_message = "sweep_stuck_after_hours must be an integer between 1 and 720 (30 days; the bound shared/sweep/config.ts enforces)."
  }
}

variable "replay_max_replays" {
  description = "REPLAY_MAX_REPLAYS: how many times one event may be put back on the bus before replay leaves it in the DLQ for a human."
  type        = number
  default     = 5

  validation {
    condition     = var.replay_max_replays >= 1 && var.replay_max_replays <= 100 && floor(var.replay_max_replays) == var.replay_max_replays
    error_message = "replay_max_replays must be an integer between 1 and 100 (MAX_REPLAYS_LIMIT in shared/replay/redeliver.ts)."
  }
}

variable "replay_auto_drain" {
  description = "Let replay-dlq drain the DLQ automatically (SQS event source mapping). Off by default: an operator replays with make replay-dlq after fixing the cause."
  type        = bool
  default     = false
}

variable "replay_batch_size" {
  description = "Messages per replay-dlq invocation when auto-drain is on."
  type        = number
  default     = 10

  validation {
    condition     = var.replay_batch_size >= 1 && var.replay_batch_size <= 10 && floor(var.replay_batch_size) == var.replay_batch_size
    error_message = "replay_batch_size must be an integer between 1 and 10 (larger batches need a batching window)."
  }
}

# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------

variable "alarm_email_subscriptions" {
  description = "E-mail addresses subscribed to ops-alerts-<ws> (each must confirm the subscription e-mail). Prod refuses to plan with none (main.tf, terraform_data.prod_guard)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alarm_email_subscriptions : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "Each alarm_email_subscriptions entry must be an e-mail address."
  }
}

variable "adjustments_alarm_threshold_per_hour" {
  description = "Alarm when the sweep makes more balance changes (Adjustments metric) than this in one hour: the event path is losing events."
  type        = number
  default     = 100

  validation {
    condition     = var.adjustments_alarm_threshold_per_hour >= 0 && floor(var.adjustments_alarm_threshold_per_hour) == var.adjustments_alarm_threshold_per_hour
    error_message = "adjustments_alarm_threshold_per_hour must be a non-negative integer."
  }
}

variable "reserve_refusals_alarm_threshold_per_hour" {
  description = "Alarm when more reserves than this are refused for want of credits in one hour (ReserveRefusals metric): a producer is reserving for users who cannot pay, or balances are not being topped up."
  type        = number
  default     = 100

  validation {
    condition     = var.reserve_refusals_alarm_threshold_per_hour >= 0 && floor(var.reserve_refusals_alarm_threshold_per_hour) == var.reserve_refusals_alarm_threshold_per_hour
    error_message = "reserve_refusals_alarm_threshold_per_hour must be a non-negative integer."
  }
}

variable "dlq_oldest_message_alarm_seconds" {
  description = "Alarm when the oldest DLQ message is older than this (messages expire after 14 days)."
  type        = number
  default     = 86400

  validation {
    condition     = var.dlq_oldest_message_alarm_seconds >= 60 && var.dlq_oldest_message_alarm_seconds < 1209600 && floor(var.dlq_oldest_message_alarm_seconds) == var.dlq_oldest_message_alarm_seconds
    error_message = "dlq_oldest_message_alarm_seconds must be an integer from 60 up to (not including) the 14-day DLQ retention, 1209600."
  }
}

variable "sweep_heartbeat_hours" {
  description = "The sweep-heartbeat alarm fires when no sweep run did its work (EMF SweepRuns) in this many hours. Must be longer than the sweep schedule's interval (the plan checks it for rate() schedules): 7 hours for the default rate(6 hours)."
  type        = number
  default     = 7

  validation {
    condition     = var.sweep_heartbeat_hours >= 1 && var.sweep_heartbeat_hours <= 24 && floor(var.sweep_heartbeat_hours) == var.sweep_heartbeat_hours
    error_message = "sweep_heartbeat_hours must be an integer between 1 and 24 (a CloudWatch alarm looks back at most one day)."
  }
}
