#!/usr/bin/env bash
# The main job on the example project, step by step, through the command line.
# Works on a copy of examples/iris so the repository stays clean.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/iris "$work/iris"
cli() { node dist/cli.js "$@" --project "$work/iris"; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. inspect: the model's inputs and outputs, producer, size and sha256"
cli inspect

step "2. validate: metrics on the labelled validation set"
cli validate

step "done"
echo "The steps ran on a copy of examples/iris in $work (removed on exit)."
