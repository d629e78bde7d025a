variable "workspace" {
  description = "Workspace: the value of the EMF dimension `Workspace` the handlers report."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.workspace)
    error_message = "workspace must be dev, staging or prod."
  }
}

variable "name_prefix" {
  description = "Prefix of every alarm name (includes the workspace), e.g. cc-reconciler-dev."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,200}$", var.name_prefix))
    error_message = "name_prefix must be 1-200 characters of letters, digits, _ . and -."
  }
}

variable "topic_name" {
  description = "SNS topic name (includes the workspace), e.g. ops-alerts-dev."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.topic_name))
    error_message = "topic_name must be 1-256 characters of letters, digits, _ and -."
  }
}

variable "kms_alias_name" {
  description = "Alias of the KMS key that encrypts the topic (includes the workspace), e.g. alias/cc-reconciler-alerts-dev."
  type        = string

  validation {
    condition     = can(regex("^alias/[A-Za-z0-9/_-]{1,250}$", var.kms_alias_name)) && !startswith(var.kms_alias_name, "alias/aws/")
    error_message = "kms_alias_name must be alias/<letters, digits, / _ ->, and not under alias/aws/ (reserved for AWS-managed keys)."
  }
}

variable "topic_publisher_role_arns" {
  description = "IAM roles that publish to the topic themselves (the sweep's reports; break-glass for a hand-run sweep): the key policy lets them use the topic's key through SNS. CloudWatch alarms are always allowed."
  type        = list(string)

  validation {
    condition     = alltrue([for arn in var.topic_publisher_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Each topic_publisher_role_arns entry must be an IAM role ARN."
  }
}

variable "dashboard_name" {
  description = "CloudWatch dashboard name (includes the workspace)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard_name))
    error_message = "dashboard_name must be 1-255 characters of letters, digits, _ and -."
  }
}

variable "aws_region" {
  description = "Region of the metrics (dashboard widgets, alarm ARNs in the topic policy)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like an AWS region code, e.g. eu-west-1."
  }
}

variable "function_names" {
  description = "Function name per handler key (e.g. { debit = \"cc-agent-reconciler-debit-dev\" }): one Errors and one Throttles alarm each."
  type        = map(string)

  validation {
    condition     = length(var.function_names) > 0 && alltrue([for n in values(var.function_names) : can(regex("^[A-Za-z0-9_-]{1,64}$", n))])
    error_message = "function_names must map handler keys to Lambda function names."
  }
}

variable "async_function_names" {
  description = "The functions of function_names invoked asynchronously (EventBridge, the schedule), key => function name: they have an asynchronous queue and an on-failure destination, each alarmed (destination failures, dropped events). A function invoked only synchronously (reserve) is not here."
  type        = map(string)

  validation {
    condition     = length(var.async_function_names) > 0
    error_message = "async_function_names must name at least one function."
  }
}

variable "throttle_alarm_muted_functions" {
  description = "Handler keys whose Throttles alarm sends no notifications (the paused ones)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.throttle_alarm_muted_functions : can(regex("^[a-z][a-z0-9-]*$", k))])
    error_message = "throttle_alarm_muted_functions must list handler keys such as debit, refund."
  }
}

variable "rules" {
  description = "Each EventBridge rule that has a target dead-letter queue, by key: { rule_name, event_bus_name } (\"default\" for the default bus). One InvocationsFailedToBeSentToDlq alarm each."
  type = map(object({
    rule_name      = string
    event_bus_name = string
  }))

  validation {
    condition     = length(var.rules) > 0 && alltrue([for r in values(var.rules) : can(regex("^[A-Za-z0-9._-]{1,64}$", r.rule_name)) && can(regex("^[A-Za-z0-9._\\-/]{1,256}$", r.event_bus_name))])
    error_message = "rules must map keys to { rule_name = <EventBridge rule name>, event_bus_name = <bus name, or \"default\"> }."
  }
}

variable "dlq_name" {
  description = "Name of the dead-letter queue to watch."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.dlq_name))
    error_message = "dlq_name must be an SQS queue name (1-80 characters of letters, digits, _ and -)."
  }
}

variable "sweep_failures_queue_name" {
  description = "Name of the queue that receives the sweep's (and replay-dlq's) failed invocations: a depth alarm."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.sweep_failures_queue_name))
    error_message = "sweep_failures_queue_name must be an SQS queue name (1-80 characters of letters, digits, _ and -)."
  }
}

variable "sweep_heartbeat_hours" {
  description = "The heartbeat alarm fires when the sum of SweepRuns over this many hours is below 1."
  type        = number

  validation {
    condition     = var.sweep_heartbeat_hours >= 1 && var.sweep_heartbeat_hours <= 24 && floor(var.sweep_heartbeat_hours) == var.sweep_heartbeat_hours
    error_message = "sweep_heartbeat_hours must be an integer between 1 and 24."
  }
}

variable "sweep_heartbeat_muted" {
  description = "Keep the heartbeat alarm but send no notifications (while paused: the schedule is disabled then)."
  type        = bool
  default     = false
}

variable "dlq_oldest_message_alarm_seconds" {
  description = "Alarm when the oldest DLQ message is older than this."
  type        = number

  validation {
    condition     = var.dlq_oldest_message_alarm_seconds >= 60 && floor(var.dlq_oldest_message_alarm_seconds) == var.dlq_oldest_message_alarm_seconds
    error_message = "dlq_oldest_message_alarm_seconds must be an integer of at least 60."
  }
}

variable "adjustments_alarm_threshold_per_hour" {
  description = "Alarm when the sweep adjusts more balances than this in an hour."
  type        = number

  validation {
    condition     = var.adjustments_alarm_threshold_per_hour >= 0 && floor(var.adjustments_alarm_threshold_per_hour) == var.adjustments_alarm_threshold_per_hour
    error_message = "adjustments_alarm_threshold_per_hour must be a non-negative integer."
  }
}

variable "reserve_refusals_alarm_threshold_per_hour" {
  description = "Alarm when more reserves than this are refused for want of credits in one hour (ReserveRefusals)."
  type        = number
  default     = 100

  validation {
    condition     = var.reserve_refusals_alarm_threshold_per_hour >= 0 && floor(var.reserve_refusals_alarm_threshold_per_hour) == var.reserve_refusals_alarm_threshold_per_hour
    error_message = "reserve_refusals_alarm_threshold_per_hour must be a non-negative integer."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the handlers' EMF metrics."
  type        = string
  default     = "Reconciler"

  validation {
    condition     = length(var.metric_namespace) > 0 && !startswith(var.metric_namespace, "AWS/")
    error_message = "metric_namespace must be non-empty and not an AWS/ namespace."
  }
}

variable "email_subscriptions" {
  description = "E-mail addresses subscribed to the topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.email_subscriptions : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "Each email_subscriptions entry must be an e-mail address."
  }
}

variable "tags" {
  description = "Tags for the topic and alarms."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be 1-128 characters and values at most 256 characters."
  }
}
