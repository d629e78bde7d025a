# One Lambda handler: its own role and log group, the function (published on every change), the
# alias `live` that every trigger invokes, and (for a function invoked asynchronously) the
# asynchronous invoke config whose on-failure destination is a queue.

locals {
  invoked_asynchronously = var.on_failure_destination_arn != null
}

# Created before the function (depends_on below) so that Terraform owns the retention; Lambda would
# otherwise create /aws/lambda/<name> itself with infinite retention on the first invocation.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# --- role ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.function_name
  description        = "Execution role of ${var.function_name} (${var.handler_name})"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

# The handler's own permissions (var.policy_json) plus what every function here needs: writing to
# its own log group, and sending to its on-failure destination if it has one (Lambda destinations
# use the function's role, not the queue policy).
data "aws_iam_policy_document" "this" {
  source_policy_documents = [var.policy_json]

  statement {
    sid    = "OwnLogGroup"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = local.invoked_asynchronously ? [1] : []

    content {
      sid       = "AsyncOnFailureDestination"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [var.on_failure_destination_arn]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.function_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# --- function -----------------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = var.handler_entrypoint
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_mb
  timeout          = var.timeout_seconds

  # 0 = paused (every invocation is throttled); see the root variable `paused`.
  reserved_concurrent_executions = var.reserved_concurrency

  # Every code or configuration change publishes a new immutable version; the alias moves to it.
  publish = true

  environment {
    variables = var.environment
  }

  # Text format: the handlers already write one JSON object per line (pino), and CloudWatch reads
  # the Embedded Metric Format from those lines as they are.
  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}

# `live` follows the version this apply published: `terraform apply` IS the deploy. There is
# deliberately no lifecycle { ignore_changes = [function_version] }: with it, new code would be
# published but never receive traffic, silently. A rollback moves the alias back by hand (see
# docs); the next apply moves it forward again to whatever the checked-out commit builds.
resource "aws_lambda_alias" "live" {
  name             = var.alias_name
  description      = "What every trigger invokes; moved by terraform apply, or back by a rollback."
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

# Asynchronous invocations (EventBridge targets, the schedule) of the alias: Lambda retries
# function errors, then sends the invocation record (event + error) to the DLQ.
resource "aws_lambda_function_event_invoke_config" "this" {
  count = local.invoked_asynchronously ? 1 : 0

  function_name                = aws_lambda_function.this.function_name
  qualifier                    = aws_lambda_alias.live.name
  maximum_retry_attempts       = var.async_max_retry_attempts
  maximum_event_age_in_seconds = var.async_max_event_age_seconds

  destination_config {
    on_failure {
      destination = var.on_failure_destination_arn
    }
  }

  # Lambda checks that the role may send to the destination when the config is saved.
  depends_on = [aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = var.async_max_retry_attempts != null && var.async_max_event_age_seconds != null
      error_message = "A function with an on-failure destination needs async_max_retry_attempts and async_max_event_age_seconds."
    }
  }
}
