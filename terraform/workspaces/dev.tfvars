# Settings of the `dev` workspace. Development: cheap to recreate, verbose logs.
# Used by: make plan|apply|pause|resume|destroy WS=dev  (terraform -var-file=workspaces/dev.tfvars).
# `paused` is deliberately not set here: it is operational state, changed only by make pause/resume
# and carried over by make plan/apply (see terraform/terraform.mk).

expected_workspace = "dev" # must equal the selected workspace, or the plan fails

# Edit before the first apply: region, and the account this workspace lives in.
aws_region          = "eu-west-1"
allowed_account_ids = [] # e.g. ["123456789012"]

deletion_protection = false
log_level           = "debug"

# Who gets the ops-alerts-dev e-mails (each address must confirm once).
alarm_email_subscriptions = []

# Who may publish video.generation on cc-reconciler-events-dev besides replay-dlq (exact role ARNs,
# e.g. ["arn:aws:iam::123456789012:role/video-pipeline-dev"]), and who runs `make smoke WS=dev`.
producer_principal_arns = []
ops_principal_arns      = []

# Two weeks of archive in dev (as long as the DLQ keeps messages); staging and prod keep 30 days.
event_archive_retention_days = 14

replay_auto_drain = false
