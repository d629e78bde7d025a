variable "handler_name" {
  description = "Handler this function runs (a directory under functions/, e.g. debit, replay-dlq)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.handler_name))
    error_message = "handler_name must be lower-case letters, digits and dashes, e.g. replay-dlq."
  }
}

variable "function_name" {
  description = "Lambda function name; also the name of its role, inline policy and log group /aws/lambda/<name>. Must include the workspace."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of letters, digits, _ and - (Lambda and IAM role limits)."
  }
}

variable "description" {
  description = "Function description shown in the console."
  type        = string

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "zip_path" {
  description = "Path of the deployment zip built by `make build` (dist/<handler>.zip)."
  type        = string

  validation {
    condition     = fileexists(var.zip_path)
    error_message = "The deployment zip does not exist: run `make build` first (make plan/apply do)."
  }
}

variable "handler_entrypoint" {
  description = "Lambda handler string: the bundle is index.mjs exporting `handler`."
  type        = string
  default     = "index.handler"

  validation {
    condition     = can(regex("^[A-Za-z0-9_./-]+\\.[A-Za-z_$][A-Za-z0-9_$]*$", var.handler_entrypoint))
    error_message = "handler_entrypoint must look like <file>.<export>, e.g. index.handler."
  }
}

variable "runtime" {
  description = "Lambda runtime (Node.js)."
  type        = string

  validation {
    condition     = startswith(var.runtime, "nodejs")
    error_message = "runtime must be a Node.js runtime, e.g. nodejs24.x."
  }
}

variable "architecture" {
  description = "Instruction set: arm64 or x86_64."
  type        = string

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_mb" {
  description = "Memory in MB."
  type        = number

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be an integer between 128 and 10240."
  }
}

variable "timeout_seconds" {
  description = "Timeout in seconds."
  type        = number

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "timeout_seconds must be an integer between 1 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; 0 stops the function (every invocation is throttled)."
  type        = number

  validation {
    condition     = var.reserved_concurrency >= 0 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be a non-negative integer (0 = paused)."
  }
}

variable "environment" {
  description = "Environment variables: exactly what the handler reads (shared/config.ts HANDLER_ENV)."
  type        = map(string)

  validation {
    condition     = alltrue([for k in keys(var.environment) : can(regex("^[A-Z][A-Z0-9_]*$", k)) && !startswith(k, "AWS_")])
    error_message = "Environment variable names must be UPPER_SNAKE_CASE and must not start with AWS_ (reserved by Lambda)."
  }
}

variable "log_retention_days" {
  description = "Retention of the log group /aws/lambda/<function_name>."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "policy_json" {
  description = "IAM policy document (JSON, from an aws_iam_policy_document) with the handler's own permissions."
  type        = string

  validation {
    condition     = can(jsondecode(var.policy_json).Statement)
    error_message = "policy_json must be an IAM policy document in JSON (use data.aws_iam_policy_document.<name>.json)."
  }
}

variable "on_failure_destination_arn" {
  description = "ARN of the SQS queue that receives asynchronous invocations that failed every attempt (the DLQ for debit and refund, the sweep-failures queue for the others). null: the function is invoked only synchronously (RequestResponse, the caller gets the answer or the error), so it has no asynchronous invoke config and no destination."
  type        = string
  default     = null

  validation {
    condition     = var.on_failure_destination_arn == null || can(regex("^arn:aws[a-zA-Z-]*:sqs:", var.on_failure_destination_arn))
    error_message = "on_failure_destination_arn must be an SQS queue ARN, or null for a function invoked only synchronously."
  }
}

variable "async_max_retry_attempts" {
  description = "Retries of an asynchronous invocation after a function error (0-2). Required with on_failure_destination_arn."
  type        = number
  default     = null

  validation {
    condition     = var.async_max_retry_attempts == null || contains([0, 1, 2], var.async_max_retry_attempts)
    error_message = "async_max_retry_attempts must be 0, 1 or 2."
  }
}

variable "async_max_event_age_seconds" {
  description = "Maximum age of an asynchronous event before it goes to the on-failure destination (60-21600). Required with on_failure_destination_arn."
  type        = number
  default     = null

  validation {
    condition     = var.async_max_event_age_seconds == null || (var.async_max_event_age_seconds >= 60 && var.async_max_event_age_seconds <= 21600 && floor(var.async_max_event_age_seconds) == var.async_max_event_age_seconds)
    error_message = "async_max_event_age_seconds must be an integer between 60 and 21600."
  }
}

variable "alias_name" {
  description = "Name of the alias every trigger invokes."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must start with a letter and contain only letters, digits, _ and - (at most 128)."
  }
}

variable "tags" {
  description = "Tags for the role, log group and function."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be 1-128 characters and values at most 256 characters."
  }
}
