# Settings of the `prod` workspace. Production: tables protected from deletion.
# Used by: make plan|apply|pause|resume|destroy WS=prod  (terraform -var-file=workspaces/prod.tfvars).
# `paused` is deliberately not set here: it is operational state, changed only by make pause/resume
# and carried over by make plan/apply (see terraform/terraform.mk).

expected_workspace = "prod" # must equal the selected workspace, or the plan fails

# Edit before the first apply: region, and the account this workspace lives in. Prod refuses to
# plan while allowed_account_ids, alarm_email_subscriptions or producer_principal_arns is empty
# (main.tf, terraform_data.prod_guard): real ids and addresses are not committed as examples.
aws_region          = "eu-west-1"
allowed_account_ids = [] # required, e.g. ["123456789012"]

deletion_protection = true
log_level           = "info"

# Who gets the ops-alerts-prod e-mails (each address must confirm once). Required.
alarm_email_subscriptions = []

# Who may publish video.generation on cc-reconciler-events-prod (the bus policy denies everyone
# else, replay-dlq aside). Required: exact role ARNs, e.g. ["arn:aws:iam::123456789012:role/video-pipeline"].
producer_principal_arns = []
# Operators who run `make smoke WS=prod` (exact role ARNs, with the path for IAM Identity Center).
ops_principal_arns = []
# The one role exempt from the money tables' resource policies; empty = nobody.
break_glass_role_arn = ""

# Every write to the money tables in CloudTrail (the drift runbook's "find the writer").
cloudtrail_data_events = true

replay_auto_drain = false
