output "topic_arn" {
  description = "ARN of the ops SNS topic."
  value       = aws_sns_topic.this.arn
}

output "topic_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the ops topic."
  value       = aws_kms_key.topic.arn
}

output "topic_name" {
  description = "Name of the ops SNS topic."
  value       = aws_sns_topic.this.name
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_names" {
  description = "Every alarm this module created."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.function_errors : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.function_throttles : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.function_destination_failures : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.function_async_events_dropped : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.rule_dlq_send_failures : a.alarm_name],
    [aws_cloudwatch_metric_alarm.dlq_depth.alarm_name, aws_cloudwatch_metric_alarm.dlq_oldest_message.alarm_name],
    [aws_cloudwatch_metric_alarm.dlq_in_flight.alarm_name, aws_cloudwatch_metric_alarm.sweep_failures_depth.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.reconciler : a.alarm_name],
    [aws_cloudwatch_metric_alarm.sweep_heartbeat.alarm_name],
  )
}
