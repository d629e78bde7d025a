# Least privilege at rest (M5): resource policies on the money tables that no identity policy can
# outgrow. A Deny in a table's resource policy binds every principal, this account's included, so
# the guarantees below hold whatever IAM grants elsewhere (a PowerUser, CI, a compromised
# dependency inside a handler):
#
# - Ledger is append-only: nobody updates, deletes or batch-writes an entry, nor touches the table
#   through PartiQL. The reconciler and the operator CLI only ever PutItem (conditional) there.
# - Credits rows are never overwritten or removed: no PutItem, no DeleteItem (nor their batch and
#   PartiQL forms). A balance changes only with UpdateItem, inside the transaction that writes its
#   ledger entry (handlers, sweep, the CLI's grant/adjust).
# - Settlements, the reconciler's own state, is written only by the debit, refund, sweep and reserve
#   roles. A sweep run by hand (npx reconciler sweep, not --dry-run), `reconciler hold` and
#   `reconciler release` write it too: run them as the break-glass role, or let the schedule and the
#   reserve function do it.
#
# var.break_glass_role_arn is the one exemption from all three (a dynamic condition: empty = nobody
# is exempt, and the Deny is unconditional). aws:PrincipalArn is the role ARN for any session of the
# role; a request without it makes ArnNotEquals true and is denied. These are item-level actions
# only: Terraform managing the tables (UpdateTable, PutResourcePolicy, PITR) is not affected.
locals {
  # compact(): an empty break_glass_role_arn exempts nobody.
  break_glass_arns        = compact([var.break_glass_role_arn])
  settlements_writer_arns = concat([module.debit.role_arn, module.refund.role_arn, module.sweep.role_arn, module.reserve.role_arn], local.break_glass_arns)
}

data "aws_iam_policy_document" "ledger_table" {
  statement {
    sid       = "AppendOnlyLedger"
    effect    = "Deny"
    actions   = ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQL*"]
    resources = [module.tables.arns.ledger]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    dynamic "condition" {
      for_each = length(local.break_glass_arns) > 0 ? [1] : []

      content {
        test     = "ArnNotEquals"
        variable = "aws:PrincipalArn"
        values   = local.break_glass_arns
      }
    }
  }
}

data "aws_iam_policy_document" "credits_table" {
  statement {
    sid    = "BalancesOnlyByUpdate"
    effect = "Deny"
    actions = [
      "dynamodb:PutItem", "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert", "dynamodb:PartiQLDelete",
    ]
    resources = [module.tables.arns.credits]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    dynamic "condition" {
      for_each = length(local.break_glass_arns) > 0 ? [1] : []

      content {
        test     = "ArnNotEquals"
        variable = "aws:PrincipalArn"
        values   = local.break_glass_arns
      }
    }
  }
}

data "aws_iam_policy_document" "settlements_table" {
  statement {
    sid    = "OnlyTheReconcilerWritesSettlements"
    effect = "Deny"
    actions = [
      "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete",
    ]
    resources = [module.tables.arns.settlements]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = local.settlements_writer_arns
    }
  }
}

resource "aws_dynamodb_resource_policy" "ledger" {
  resource_arn = module.tables.arns.ledger
  policy       = data.aws_iam_policy_document.ledger_table.json
}

resource "aws_dynamodb_resource_policy" "credits" {
  resource_arn = module.tables.arns.credits
  policy       = data.aws_iam_policy_document.credits_table.json
}

resource "aws_dynamodb_resource_policy" "settlements" {
  resource_arn = module.tables.arns.settlements
  policy       = data.aws_iam_policy_document.settlements_table.json
}
