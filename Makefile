# credit-reconciler. Every target installs what it needs (Node 24, npm ci) and says what is missing.
# Quick start: `make demo` (the main job on DynamoDB Local) and `make test` (every test).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json
# Node 24 (the Lambda runtime's major) for every target: the machine's when it is 24, otherwise the
# project's own copy that scripts/ensure-node.sh installs into tools/node (first on PATH).
export PATH := $(CURDIR)/tools/node/node_modules/.bin:$(PATH)
export NODE_OPTIONS ?= --enable-source-maps

.PHONY: help node install build test unit typecheck lint format jest local demo bench chaos replay-dlq smoke doctor rollback deploy clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

node: ## make sure Node 24 runs every target (installs the project's own copy if needed); prints which
	@scripts/ensure-node.sh

# --ignore-scripts: no dependency's install script runs (esbuild works without its postinstall),
# so nothing from the registry executes in a shell that may hold cloud credentials.
$(NPM_STAMP): package.json package-lock.json | node
	@scripts/check-prereqs.sh
	@npm ci --ignore-scripts --no-audit --no-fund || { echo "npm ci failed: check network access to the npm registry" >&2; exit 1; }
	@touch $(NPM_STAMP)

install: node $(NPM_STAMP) ## Node 24, then npm ci (only when package-lock.json changed)

build: install ## bundle each handler to dist/<handler>/index.mjs + dist/<handler>.zip, and the CLI to dist/cli/reconciler.mjs (package.json bin)
	@node build.mjs

typecheck: install ## type-check the code (no test types) and the tests (jest types)
	@npx tsc --noEmit -p . && npx tsc --noEmit -p tests

lint: install
	@npx prettier --check --log-level warn '**/*.{ts,mts,mjs,js,cjs}' || { echo "not in the house format: run make format" >&2; exit 1; }
	@npx eslint --max-warnings 0 .
	@node scripts/compile-schemas.mjs --check

format: install ## rewrite the code in the house format (prettier, width 120): run before committing
	@npx prettier --write --log-level warn '**/*.{ts,mts,mjs,js,cjs}'

jest: install
	@scripts/check-prereqs.sh java
	@npx jest --ci --coverage

unit: install ## only the unit tests (*.unit.test.ts): no Java, no DynamoDB Local, seconds
	@npx jest --ci --selectProjects unit

test: typecheck lint jest ## type-check, lint, and every test (DynamoDB Local + fauxqs started by the run)

local: install ## the system kept up on this machine for your producer code: make local [FRESH=1] [BASE_PORT=8000] [SWEEP_EVERY=60]; Ctrl-C stops it
	@npx tsx scripts/local/run-local.ts $(if $(FRESH),--fresh) $(if $(BASE_PORT),--base-port $(BASE_PORT)) $(if $(SWEEP_EVERY),--sweep-every $(SWEEP_EVERY))

demo: install ## the main job on DynamoDB Local: events, duplicates, failures, sweep, replay, audit (drift 0)
	@scripts/check-prereqs.sh java
	@npx tsx demo/main.ts $(DEMO_ARGS)

bench: install ## benchmarks: requests/event, events/s vs a Powertools-style baseline, bundle sizes, import time
	@scripts/check-prereqs.sh java
	@npx tsx bench/run-all.ts

chaos: install ## chaos at scale (≈100,000 deliveries, every fault, all invariants): make chaos [CHAOS_ARGS="--seeds 3"]
	@scripts/check-prereqs.sh java
	@npx tsx chaos/main.ts $(CHAOS_ARGS)

replay-dlq: install ## replay the workspace's DLQ: make replay-dlq WS=<ws> [DRY_RUN=1] [MAX=n]
	@[ -n "$(WS)" ] || { echo "usage: make replay-dlq WS=<dev|staging|prod> [DRY_RUN=1] [MAX=n]" >&2; exit 2; }
	@node bin/reconciler.js replay-dlq --workspace $(WS) $(if $(DRY_RUN),--dry-run) $(if $(MAX),--max $(MAX))

smoke: install ## post-deploy smoke test: make smoke WS=<ws> [TIMEOUT=seconds] (exit 1 on any FAIL)
	@[ -n "$(WS)" ] || { echo "usage: make smoke WS=<dev|staging|prod> [TIMEOUT=60]" >&2; exit 2; }
	@node bin/reconciler.js smoke --workspace $(WS) $(if $(TIMEOUT),--timeout-seconds $(TIMEOUT))

doctor: install ## read-only readiness check of a workspace: make doctor WS=<ws> (exit 1 when anything is red)
	@[ -n "$(WS)" ] || { echo "usage: make doctor WS=<dev|staging|prod>" >&2; exit 2; }
	@node bin/reconciler.js doctor --workspace $(WS)

rollback: install ## point each function's alias live back to its previous version: make rollback WS=<ws> [DRY_RUN=1] [FUNCTION=debit]
	@[ -n "$(WS)" ] || { echo "usage: make rollback WS=<dev|staging|prod> [DRY_RUN=1] [FUNCTION=<handler>]" >&2; exit 2; }
	@node bin/reconciler.js rollback --workspace $(WS) $(if $(DRY_RUN),--dry-run) $(foreach f,$(FUNCTION),--function $(f))

deploy: install ## point each alias live at the newest published version (roll forward, no Terraform): make deploy WS=<ws> [DRY_RUN=1]
	@[ -n "$(WS)" ] || { echo "usage: make deploy WS=<dev|staging|prod> [DRY_RUN=1] [FUNCTION=<handler>]" >&2; exit 2; }
	@node bin/reconciler.js deploy --workspace $(WS) $(if $(DRY_RUN),--dry-run) $(foreach f,$(FUNCTION),--function $(f))

clean:
	rm -rf dist coverage .demo

-include terraform/terraform.mk
