# The four tables of docs/design.md#3-tables. Keys and indexes are the Terraform copy of shared/tables.ts
# (TABLE_DEFINITIONS); tests/terraform fails if the two ever differ.
#
# All: on-demand billing, point-in-time recovery (35 days of restore points), encryption at rest
# with the AWS-managed KMS key (aws/dynamodb; needs no key policy or extra IAM), deletion protection
# per workspace.
#
# GSI keys are key_schema blocks (AWS provider 6.29.0 deprecated a GSI's hash_key/range_key for
# them, matching the API's KeySchema); the tables' own keys stay hash_key/range_key.

resource "aws_dynamodb_table" "credits" {
  name                        = var.names.credits
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "userId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "userId"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "jobs" {
  name                        = var.names.jobs
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "jobId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "jobId"
    type = "S"
  }

  attribute {
    name = "sweepShard"
    type = "S"
  }

  attribute {
    name = "debitedShard"
    type = "S"
  }

  attribute {
    name = "updatedAt"
    type = "S"
  }

  # Sparse: jobs the reconciler debited (the sweep sets debitedShard when a debit leaves `unsettled`),
  # by the producer's updatedAt: the refund backstop reads only the jobs updated since its last run.
  global_secondary_index {
    name               = "debited"
    projection_type    = "INCLUDE"
    non_key_attributes = ["userId", "model", "seconds", "credits", "status", "reason"]

    key_schema {
      attribute_name = "debitedShard"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "updatedAt"
      key_type       = "RANGE"
    }
  }

  # Sparse: only jobs carrying sweepShard (set by producers, removed by the sweep once settled) are
  # indexed, so the sweep reads unsettled and recently settled jobs only.
  global_secondary_index {
    name            = "unsettled"
    projection_type = "ALL"

    key_schema {
      attribute_name = "sweepShard"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "updatedAt"
      key_type       = "RANGE"
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# The reconciler's own state: each job's settlement (state, charged, refunded, settled user, quote,
# the event ids that settled it), its hold (state, credits, user, expiry), and the sweep's lease,
# position and watermarks. Only the reconciler's roles write it; producers never get any permission
# on it (they reserve through the reserve function).
resource "aws_dynamodb_table" "settlements" {
  name                        = var.names.settlements
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "jobId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "jobId"
    type = "S"
  }

  attribute {
    name = "holdShard"
    type = "S"
  }

  attribute {
    name = "activeHoldUser"
    type = "S"
  }

  attribute {
    name = "holdExpiresAt"
    type = "S"
  }

  # Sparse: only ACTIVE holds carry holdShard (removed when the hold ends), by expiry: the sweep
  # reads the holds due now, never the history.
  global_secondary_index {
    name               = "holdsDue"
    projection_type    = "INCLUDE"
    non_key_attributes = ["holdCredits", "holdUserId", "holdState", "heldAt"]

    key_schema {
      attribute_name = "holdShard"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "holdExpiresAt"
      key_type       = "RANGE"
    }
  }

  # Sparse: a user's ACTIVE holds (activeHoldUser, removed when the hold ends), by expiry: the audit
  # of `held`, `reconciler holds`, and a refused reserve looking for holds already expired.
  global_secondary_index {
    name               = "activeHolds"
    projection_type    = "INCLUDE"
    non_key_attributes = ["holdCredits", "holdState", "heldAt"]

    key_schema {
      attribute_name = "activeHoldUser"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "holdExpiresAt"
      key_type       = "RANGE"
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "ledger" {
  name                        = var.names.ledger
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "ledgerId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "ledgerId"
    type = "S"
  }

  attribute {
    name = "userId"
    type = "S"
  }

  attribute {
    name = "timestamp"
    type = "S"
  }

  attribute {
    name = "day"
    type = "S"
  }

  # A user's history in time order.
  global_secondary_index {
    name            = "byUser"
    projection_type = "ALL"

    key_schema {
      attribute_name = "userId"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "timestamp"
      key_type       = "RANGE"
    }
  }

  # Entries of one UTC day, with the user they touched: the sweep finds the users touched since
  # its last run without reading the entries themselves.
  global_secondary_index {
    name               = "byDay"
    projection_type    = "INCLUDE"
    non_key_attributes = ["userId"]

    key_schema {
      attribute_name = "day"
      key_type       = "HASH"
    }
    key_schema {
      attribute_name = "timestamp"
      key_type       = "RANGE"
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}
