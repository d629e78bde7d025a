#!/usr/bin/env bash
# Says clearly what is missing before anything else runs. Usage: check-prereqs.sh [java]
set -euo pipefail
missing=0
need() { echo "missing: $1" >&2; echo "  fix: $2" >&2; missing=1; }

if ! command -v node >/dev/null 2>&1; then
  need "Node.js 20 or newer" "install Node.js 20+ (https://nodejs.org) and re-run"
else
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then need "Node.js 20 or newer (found $(node --version))" "upgrade Node.js"; fi
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
