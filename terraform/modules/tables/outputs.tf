output "names" {
  description = "Table names: { credits, jobs, ledger, settlements }."
  value = {
    credits     = aws_dynamodb_table.credits.name
    jobs        = aws_dynamodb_table.jobs.name
    ledger      = aws_dynamodb_table.ledger.name
    settlements = aws_dynamodb_table.settlements.name
  }
}

output "arns" {
  description = "Table ARNs: { credits, jobs, ledger, settlements }."
  value = {
    credits     = aws_dynamodb_table.credits.arn
    jobs        = aws_dynamodb_table.jobs.arn
    ledger      = aws_dynamodb_table.ledger.arn
    settlements = aws_dynamodb_table.settlements.arn
  }
}

output "index_arns" {
  description = "GSI ARNs for IAM: { jobs_unsettled, jobs_debited, ledger_by_user, ledger_by_day, settlements_holds_due, settlements_active_holds }."
  value = {
    jobs_unsettled           = "${aws_dynamodb_table.jobs.arn}/index/unsettled"
    jobs_debited             = "${aws_dynamodb_table.jobs.arn}/index/debited"
    ledger_by_user           = "${aws_dynamodb_table.ledger.arn}/index/byUser"
    ledger_by_day            = "${aws_dynamodb_table.ledger.arn}/index/byDay"
    settlements_holds_due    = "${aws_dynamodb_table.settlements.arn}/index/holdsDue"
    settlements_active_holds = "${aws_dynamodb_table.settlements.arn}/index/activeHolds"
  }
}
