#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or stale, then builds the bundles and compiles the tests.
# Sourced by the README's commands so a fresh clone needs nothing else.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# onnxruntime-node's install script downloads CUDA libraries; the CPU binaries ship inside the package.
export ONNXRUNTIME_NODE_INSTALL=skip
export ORT_DISABLE_TELEMETRY=1

stamp=node_modules/.modeldeploy-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "==> installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

echo "==> building"
node scripts/build.mjs
npx --no-install tsc -p .
