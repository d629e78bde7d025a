# Handler permissions, least privilege, explicit resources (no wildcards). Each function module
# adds to these its own log-group statement and sqs:SendMessage on its on-failure destination.

# debit and refund: one DynamoDB transaction per event. TransactWriteItems has no IAM action of its
# own: each item is authorised by its action (Put/Update/ConditionCheck); GetItem reads the job on
# the slow path. Invalid events go to the DLQ with the reason attached.
data "aws_iam_policy_document" "settle" {
  statement {
    sid    = "LedgerTransactions"
    effect = "Allow"
    actions = [
      "dynamodb:ConditionCheckItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]
    resources = [
      module.tables.arns.credits,
      module.tables.arns.jobs,
      module.tables.arns.ledger,
    ]
  }

  statement {
    sid       = "InvalidEventsToDlq"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }
}

# sweep: settles stragglers with the same transactions, finds them through the sparse `unsettled`
# index (cost grows with unsettled jobs, not the table), reads the ledger by user and by day, scans
# Credits and Ledger for the full audit, and publishes drift reports to the ops topic.
data "aws_iam_policy_document" "sweep" {
  source_policy_documents = [data.aws_iam_policy_document.settle.json]

  statement {
    sid     = "QueryIndexes"
    effect  = "Allow"
    actions = ["dynamodb:Query"]
    resources = [
      module.tables.index_arns.jobs_unsettled,
      module.tables.index_arns.ledger_by_user,
      module.tables.index_arns.ledger_by_day,
    ]
  }

  statement {
    sid     = "FullAudit"
    effect  = "Allow"
    actions = ["dynamodb:Scan"]
    resources = [
      module.tables.arns.credits,
      module.tables.arns.ledger,
    ]
  }

  statement {
    sid       = "OpsAlerts"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [module.alerts.topic_arn]
  }
}

# replay-dlq: reads, deletes (only after a successful re-put) and extends the visibility of DLQ
# messages, and puts events back on the bus.
data "aws_iam_policy_document" "replay_dlq" {
  statement {
    sid    = "DrainDlq"
    effect = "Allow"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]
    resources = [aws_sqs_queue.dlq.arn]
  }

  statement {
    sid       = "ReplayToBus"
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [data.aws_cloudwatch_event_bus.this.arn]
  }
}
