# Settings of the `staging` workspace. Staging: same shape as prod, tables may be recreated.
# Used by: make plan|apply|pause|resume|destroy WS=staging  (terraform -var-file=workspaces/staging.tfvars).
# `paused` is deliberately not set here: it is operational state, changed only by make pause/resume
# and carried over by make plan/apply (see terraform/terraform.mk).

expected_workspace = "staging" # must equal the selected workspace, or the plan fails

# Edit before the first apply: region, and the account this workspace lives in.
aws_region          = "eu-west-1"
allowed_account_ids = [] # e.g. ["123456789012"]

deletion_protection = false
log_level           = "info"

# Who gets the ops-alerts-staging e-mails (each address must confirm once).
alarm_email_subscriptions = []

# Who may publish video.generation on cc-reconciler-events-staging besides replay-dlq (exact role ARNs,
# e.g. ["arn:aws:iam::123456789012:role/video-pipeline-staging"]), and who runs `make smoke WS=staging`.
producer_principal_arns = []
ops_principal_arns      = []

replay_auto_drain = false
