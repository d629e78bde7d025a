# Handler permissions, least privilege, explicit resources (no wildcards). Each function module
# adds to these its own log-group statement and sqs:SendMessage on its on-failure destination.

# debit and refund: one DynamoDB request per event, writing only the reconciler's own tables (the
# producers' Jobs table is never written by the event path). TransactWriteItems has no IAM action of
# its own: each item is authorised by its action (Update -> UpdateItem, Put -> PutItem, ConditionCheck
# -> ConditionCheckItem). GetItem reads a settlement on the slow path. Refused events go to the DLQ.
data "aws_iam_policy_document" "debit" {
  statement {
    sid       = "Settlements"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.tables.arns.settlements]
  }

  statement {
    sid       = "LedgerAppend"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [module.tables.arns.ledger]
  }

  statement {
    sid       = "Balances"
    effect    = "Allow"
    actions   = ["dynamodb:UpdateItem"]
    resources = [module.tables.arns.credits]
  }

  statement {
    sid       = "RefusedEventsToDlq"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }
}

# refund: as debit, plus the ConditionCheck on the job's debit entry inside the refund transaction
# (a refund can never exceed the debit on record).
data "aws_iam_policy_document" "refund" {
  source_policy_documents = [data.aws_iam_policy_document.debit.json]

  statement {
    sid       = "LedgerDebitCheck"
    effect    = "Allow"
    actions   = ["dynamodb:ConditionCheckItem"]
    resources = [module.tables.arns.ledger]
  }
}

# sweep: settles stragglers and lost refunds with the same transactions (so: refund's permissions),
# reads the settlements of each page (BatchGetItem) and keeps its own state (GetItem/UpdateItem on
# Settlements), finds jobs through the two sparse Jobs indexes and maintains their keys (UpdateItem on
# Jobs, conditional: never creates an item), reads the ledger by user and by day and balances
# (GetItem) for the audit, and publishes findings to the ops topic. The full audit (Scan) is an
# operator's CLI command, not something the Lambda does.
data "aws_iam_policy_document" "sweep" {
  source_policy_documents = [data.aws_iam_policy_document.refund.json]

  statement {
    sid       = "SettlementLookups"
    effect    = "Allow"
    actions   = ["dynamodb:BatchGetItem"]
    resources = [module.tables.arns.settlements]
  }

  statement {
    sid       = "JobIndexKeys"
    effect    = "Allow"
    actions   = ["dynamodb:UpdateItem"]
    resources = [module.tables.arns.jobs]
  }

  statement {
    sid       = "AuditBalances"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem"]
    resources = [module.tables.arns.credits]
  }

  statement {
    sid     = "QueryIndexes"
    effect  = "Allow"
    actions = ["dynamodb:Query"]
    resources = [
      module.tables.index_arns.jobs_unsettled,
      module.tables.index_arns.jobs_debited,
      module.tables.index_arns.ledger_by_user,
      module.tables.index_arns.ledger_by_day,
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
