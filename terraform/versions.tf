terraform {
  # 1.6: `terraform_data` preconditions, `workspace select -or-create` (used by terraform.mk) and
  # cross-variable validation messages all behave as this configuration expects.
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.x features used: aws_lambda_function.logging_config, aws_cloudwatch_event_rule.state,
      # aws_dynamodb_table.deletion_protection_enabled, aws_sqs_queue.sqs_managed_sse_enabled.
      version = ">= 5.40.0, < 6.0.0"
    }
  }

  # No backend block: the default is local state (fine for a first look at `plan`). For shared
  # workspaces copy backend.tf.example to backend.tf and run `terraform init -migrate-state`.
}
