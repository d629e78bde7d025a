# Terraform targets for credit-reconciler. Include from the top-level Makefile:
#
#     include terraform/terraform.mk
#
# make plan    WS=<dev|staging|prod>            build, then show what would change
# make apply   WS=<dev|staging|prod>            build, then plan + apply (asks for confirmation)
# make pause   WS=<dev|staging|prod>            apply with paused=true  (debit/refund stop, events -> DLQ)
# make resume  WS=<dev|staging|prod>            apply with paused=false (then: make replay-dlq WS=…)
# make destroy WS=<dev|staging|prod> CONFIRM=<same ws>
# make tf-check                                 structure and provider-schema tests of terraform/ (no terraform binary)
#
# Every workspace target: WS must be dev, staging or prod; `make build` runs first (the zips are
# what Terraform deploys); the workspace is selected (created on first use) and then verified with
# `terraform workspace show` (TF_WORKSPACE in the environment would silently win otherwise);
# terraform gets -var-file=workspaces/$(WS).tfvars.
#
# Pause state is sticky: plan/apply pass the CURRENT value of the `paused` output, so a deploy to a
# paused workspace stays paused. Only pause/resume change it.
# apply/pause/resume/destroy ask for "yes" (so they do not pass -input=false, which would make
# Terraform refuse to apply). Set TF_AUTO_APPROVE=1 to skip the prompt (CI); never the default.

TF        ?= terraform
TF_DIR    ?= terraform
TF_CHDIR   = $(TF) -chdir=$(TF_DIR)
TF_VARS    = -var-file=workspaces/$(WS).tfvars
TF_APPROVE = $(if $(filter 1,$(TF_AUTO_APPROVE)),-auto-approve,)

.PHONY: plan apply destroy pause resume tf-check tf-select

# Internal: validate WS, build, init, select the workspace and prove it is selected.
tf-select:
	@case "$(WS)" in dev|staging|prod) ;; \
	  *) echo "WS must be one of dev|staging|prod (got '$(WS)'), e.g. make plan WS=dev" >&2; exit 2 ;; esac
	$(MAKE) build
	$(TF_CHDIR) init -input=false
	$(TF_CHDIR) workspace select -or-create $(WS)
	@actual="$$($(TF_CHDIR) workspace show)"; \
	if [ "$$actual" != "$(WS)" ]; then \
	  echo "Refusing: terraform workspace is '$$actual' but WS=$(WS) (is TF_WORKSPACE set?)" >&2; exit 1; \
	fi

# Prints the current pause state of the selected workspace: true, or false when nothing is
# deployed yet (no `paused` output). Anything else stops the recipe.
TF_CURRENT_PAUSED = current=$$($(TF_CHDIR) output -raw paused 2>/dev/null) || current=false; \
	case "$$current" in true|false) ;; *) echo "Cannot read the pause state (paused output: '$$current')" >&2; exit 1 ;; esac; \
	echo "pause state of $(WS): paused=$$current (make pause/resume change it)"

plan: tf-select ## terraform plan for WS=<dev|staging|prod> (builds first; keeps the pause state)
	@$(TF_CURRENT_PAUSED); \
	$(TF_CHDIR) plan -input=false $(TF_VARS) -var paused=$$current -out=$(WS).tfplan

apply: tf-select ## terraform apply for WS=<dev|staging|prod> (builds first; asks; keeps the pause state)
	@$(TF_CURRENT_PAUSED); \
	$(TF_CHDIR) apply $(TF_APPROVE) $(TF_VARS) -var paused=$$current

pause: tf-select ## stop debit/refund in WS (events wait, then go to the DLQ); sweep and auto-drain off
	$(TF_CHDIR) apply $(TF_APPROVE) $(TF_VARS) -var paused=true

resume: tf-select ## undo make pause in WS; then make replay-dlq WS=<ws>
	$(TF_CHDIR) apply $(TF_APPROVE) $(TF_VARS) -var paused=false

destroy: tf-select ## terraform destroy WS (needs CONFIRM=<ws>; prod tables are deletion-protected)
	@if [ "$(CONFIRM)" != "$(WS)" ]; then \
	  echo "Refusing to destroy $(WS): repeat the workspace name, make destroy WS=$(WS) CONFIRM=$(WS)" >&2; exit 1; \
	fi
	$(TF_CHDIR) destroy $(TF_VARS) -var paused=false

tf-check: ## structure and provider-schema tests of terraform/ (parses the HCL; no terraform binary needed)
	npx jest tests/terraform
