output "function_name" {
  description = "Lambda function name."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified function ARN."
  value       = aws_lambda_function.this.arn
}

output "published_version" {
  description = "Version published by this apply."
  value       = aws_lambda_function.this.version
}

output "alias_name" {
  description = "Name of the alias triggers invoke (live)."
  value       = aws_lambda_alias.live.name
}

output "alias_arn" {
  description = "ARN of the alias `live`: the target of EventBridge rules and event source mappings."
  value       = aws_lambda_alias.live.arn
}

output "alias_function_version" {
  description = "Version the alias `live` points at."
  value       = aws_lambda_alias.live.function_version
}

output "role_name" {
  description = "Execution role name."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "Execution role ARN."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Log group /aws/lambda/<function_name>."
  value       = aws_cloudwatch_log_group.this.name
}
