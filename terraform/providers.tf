provider "aws" {
  region = var.aws_region

  # Refuses to run against any other account: a dev settings file can never touch prod by accident.
  # Empty list = not enforced (set it in workspaces/<ws>.tfvars before the first real apply).
  allowed_account_ids = length(var.allowed_account_ids) > 0 ? var.allowed_account_ids : null

  default_tags {
    tags = local.tags
  }
}
