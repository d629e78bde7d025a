#!/usr/bin/env bash
# Says clearly what is missing before anything else runs. Usage: check-prereqs.sh [java]
# Node itself is scripts/ensure-node.sh's job (it installs Node 24 when the machine has another major).
set -euo pipefail
missing=0
need() { echo "missing: $1" >&2; echo "  fix: $2" >&2; missing=1; }

want="$(tr -d '[:space:]v' < "$(dirname "$0")/../.nvmrc")"
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" != "$want" ]; then
  need "Node.js $want on PATH (found $(node --version 2>/dev/null || echo none))" "run through make (it installs Node $want into tools/node), or nvm use $want"
fi
command -v npm >/dev/null 2>&1 || need "npm" "install npm (it ships with Node.js)"
if [ "${1:-}" = "java" ]; then
  if ! command -v java >/dev/null 2>&1; then
    need "Java 17+ (DynamoDB Local runs on it)" "apt-get install -y openjdk-17-jre-headless (or any JRE 17+)"
  else
    jv=$(java -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')
    if [ "${jv:-0}" -lt 17 ] 2>/dev/null; then need "Java 17+ (found $jv)" "install a JRE 17 or newer"; fi
  fi
fi
exit $missing
