terraform {
  # 1.6: `terraform_data` preconditions, `workspace select -or-create` (used by terraform.mk) and
  # cross-variable validation messages all behave as this configuration expects.
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Floor 6.45.0: the version tests/terraform validates every block against (the schema fixture
      # tests/terraform/schema/aws-provider-6.45.0.json; scripts/terraform-schema.mjs regenerates
      # it). Newer 6.x minors only add arguments or deprecate them, so what the floor accepts keeps
      # working up to 7.0. Needed from 6.x: Lambda runtime nodejs24.x (accepted from 6.19.0) and
      # DynamoDB GSI key_schema blocks (6.29.0, which deprecated a GSI's hash_key/range_key).
      # The cap is stated here only; the modules state their floor.
      version = ">= 6.45.0, < 7.0.0"
    }
  }

  # No backend block: the default is local state (fine for a first look at `plan`). For shared
  # workspaces copy backend.tf.example to backend.tf and run `terraform init -migrate-state`.
}
