# Handler permissions, least privilege, explicit resources (no wildcards). Each function module
# adds to these its own log-group statement and sqs:SendMessage on its on-failure destination.
# The tables' resource policies (tables-policies.tf) bound what any role can do to the money at rest.

# The money-table writes of every settlement (debit, refund, and the sweep settling stragglers):
# one DynamoDB request per event, writing only the reconciler's own tables (the producers' Jobs
# table is never written by the event path). TransactWriteItems has no IAM action of its own: each
# item is authorised by its action (Update -> UpdateItem, Put -> PutItem, ConditionCheck ->
# ConditionCheckItem). GetItem reads a settlement on the slow path.
data "aws_iam_policy_document" "settle" {
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
}

# A refund also checks the job's debit entry inside its transaction (a refund can never exceed the
# debit on record): the refund handler and the sweep's refund backstop.
data "aws_iam_policy_document" "settle_refunds" {
  source_policy_documents = [data.aws_iam_policy_document.settle.json]

  statement {
    sid       = "LedgerDebitCheck"
    effect    = "Allow"
    actions   = ["dynamodb:ConditionCheckItem"]
    resources = [module.tables.arns.ledger]
  }
}

# debit and refund send the events they refuse (invalid, held at the overdraft floor) to the DLQ
# themselves; the queue policy lets exactly these two roles do so (queue.tf).
data "aws_iam_policy_document" "debit" {
  source_policy_documents = [data.aws_iam_policy_document.settle.json]

  statement {
    sid       = "RefusedEventsToDlq"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }
}

data "aws_iam_policy_document" "refund" {
  source_policy_documents = [data.aws_iam_policy_document.settle_refunds.json]

  statement {
    sid       = "RefusedEventsToDlq"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }
}

# reserve: one transaction per reserve, on the reconciler's two tables only (the job's Settlements
# item gains the hold, the user's Credits item moves credits from available to held: UpdateItem
# each), then one read of the balance for the answer's availableAfter (GetItem). A refused reserve
# looks for the user's holds already past their expiry (Query on activeHolds) and ends them (the
# same UpdateItem pair; GetItem on Settlements when another writer got there first). It never
# touches Ledger or Jobs: a hold moves no money.
data "aws_iam_policy_document" "reserve" {
  statement {
    sid       = "Holds"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.tables.arns.settlements]
  }

  statement {
    sid       = "Balances"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.tables.arns.credits]
  }

  statement {
    sid       = "UsersActiveHolds"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = [module.tables.index_arns.settlements_active_holds]
  }
}

# sweep: settles stragglers and lost refunds with the same transactions (settle_refunds; it sends
# nothing to the DLQ: its own failures go to the sweep-failures queue through its module),
# reads the settlements of each page (BatchGetItem) and keeps its own state (GetItem/UpdateItem on
# Settlements), finds jobs through the two sparse Jobs indexes and maintains their keys (UpdateItem on
# Jobs, conditional: never creates an item), expires holds due (Query on holdsDue, then the hold's
# UpdateItem pair), reads the ledger by user and by day, each user's active holds and balances
# (GetItem) for the audit, and publishes findings to the ops topic. The full audit (Scan) is an
# operator's CLI command, not something the Lambda does.
data "aws_iam_policy_document" "sweep" {
  source_policy_documents = [data.aws_iam_policy_document.settle_refunds.json]

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
      module.tables.index_arns.settlements_holds_due,
      module.tables.index_arns.settlements_active_holds,
    ]
  }

  statement {
    sid       = "OpsAlerts"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [module.alerts.topic_arn]
  }
}

# replay-dlq: its SQS event source mapping receives DLQ messages and deletes those the function
# re-put (Lambda does this with the function's role; the code itself never calls SQS, so no
# ChangeMessageVisibility: only the operator's CLI drain extends visibility, with the operator's
# own credentials), and the function puts events back on the bus: only video.generation events of the two detail types
# the rules route, and only on the workspace's bus (whose policy names this role as a publisher).
# EventBridge authorises each entry of a PutEvents call on its own, so one stray entry fails alone
# (NotAuthorizedForSourceException / NotAuthorizedForDetailTypeException).
data "aws_iam_policy_document" "replay_dlq" {
  statement {
    sid    = "DrainDlq"
    effect = "Allow"
    actions = [
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
    resources = [local.event_bus_arn]

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = [local.event_source]
    }

    condition {
      test     = "StringEquals"
      variable = "events:detail-type"
      values   = local.event_detail_types
    }
  }
}
