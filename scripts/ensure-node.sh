#!/usr/bin/env bash
# Makes every make target run on Node.js 24, the major of the Lambda runtime (nodejs24.x).
# If the machine's `node` is already 24, nothing is installed. Otherwise the official Node 24 binary
# is installed from the npm registry (the `node-<os>-<cpu>` packages, pinned with their sha512 in
# tools/node/package-lock.json) into tools/node/, and the Makefile puts tools/node/node_modules/.bin
# first on PATH. Prints which Node is used. Idempotent and quick once installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want="$(tr -d '[:space:]v' < "$root/.nvmrc")"
local_dir="$root/tools/node"
local_node="$local_dir/node_modules/.bin/node"

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none; }
report() { echo "node: $("$1" --version) ($2)" >&2; }

if [ -x "$local_node" ] && [ "$(major_of "$local_node")" = "$want" ]; then
  machine="$(PATH="${PATH//$local_dir\/node_modules\/.bin:/}" command -v node || true)"
  machine_version="absent"
  [ -n "$machine" ] && machine_version="$("$machine" --version)"
  report "$local_node" "the project's own, tools/node; the machine's is $machine_version"
  exit 0
fi
if command -v node >/dev/null 2>&1 && [ "$(major_of node)" = "$want" ]; then
  report node "the machine's, $(command -v node)"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "missing: npm (to install Node $want from the npm registry)" >&2
  echo "  fix: install Node.js $want with npm (https://nodejs.org, or nvm install $want) and re-run" >&2
  exit 1
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64 | Linux-aarch64 | Linux-arm64) ;;
  *)
    echo "missing: Node.js $want (found $(node --version 2>/dev/null || echo none)); tools/node ships Linux binaries only" >&2
    echo "  fix: install Node.js $want yourself (nvm install $want, or https://nodejs.org) and re-run" >&2
    exit 1
    ;;
esac
echo "installing Node $want into tools/node (the machine has $(node --version 2>/dev/null || echo no node))" >&2
# --ignore-scripts: the binary packages need none; --prefer-offline: a cached tarball is as good (integrity is pinned).
npm ci --prefix "$local_dir" --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >&2
if [ ! -x "$local_node" ] || [ "$(major_of "$local_node")" != "$want" ]; then
  echo "failed: tools/node did not yield a working Node $want binary for $(uname -s)-$(uname -m)" >&2
  echo "  fix: install Node.js $want yourself (nvm install $want) and re-run" >&2
  exit 1
fi
report "$local_node" "the project's own, tools/node, just installed"
