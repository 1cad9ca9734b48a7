#!/usr/bin/env bash
# The main job on the example project, step by step, through the command line: inspect, validate,
# build, run, predict, stop. Works on a copy of examples/iris so the repository stays clean.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh >/dev/null
bash scripts/provision/docker.sh

work=$(mktemp -d)
cli() { node dist/cli.js "$@" --project "$work/iris"; }
# The local container goes with the copy; the image stays in the engine, as after any build.
trap 'cli stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -r examples/iris "$work/iris"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. inspect: the model's inputs and outputs, producer, size and sha256"
cli inspect

step "2. validate: metrics on the labelled validation set"
cli validate

step "3. build: the image iris-classifier:2.0.0, labelled with its model and these metrics"
cli build 2>/dev/null

step "4. run: a hardened local container (non-root, read-only, no capabilities) on 127.0.0.1"
cli run

step "5. predict: the sample request through the container, checked against in-process onnxruntime"
cli predict

step "6. stop: the container is stopped and removed"
cli stop

step "done"
echo "The steps ran on a copy of examples/iris in $work (removed on exit); the image iris-classifier:2.0.0 stays in the engine."
