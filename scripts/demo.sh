#!/usr/bin/env bash
# The main job on the example project, step by step, through the command line: inspect, validate, build,
# run and predict; then deploy on the embedded default environments (staging and production in the local
# Docker engine): v1 to both, v2 to staging with its metrics diff, promote v2, roll production back.
# Works on a copy of examples/iris so the repository stays clean.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh >/dev/null
bash scripts/provision/docker.sh

work=$(mktemp -d)
project="$work/iris"
cli() { node dist/cli.js "$@" --project "$project"; }
# The copy's containers, environments and images go with it.
cleanup() {
  cli stop >/dev/null 2>&1 || true
  node -e '
    const { removeLocalEnvironment } = require("./out/src/core/deploy/localEnvironment");
    const { loadProject } = require("./out/src/core/project/loadProject");
    const Docker = require("dockerode");
    const project = loadProject(process.argv[1]);
    Promise.all(project.environments.map((e) => removeLocalEnvironment(new Docker(), project, e.name))).catch(() => undefined);
  ' "$project" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -r examples/iris "$project"
# Start from v1: the earlier, weaker model (sepal measurements only).
sed -i 's/^version: 2.0.0/version: 1.0.0/; s#^model: model/iris-v2.onnx#model: model/iris-v1.onnx#' "$project/modeldeploy.yaml"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
look() { printf '\033[2m-- look at: %s\033[0m\n' "$*"; }

step "1. inspect: the model's inputs and outputs, producer, size and sha256"
cli inspect

step "2. validate v1: metrics on the labelled validation set"
cli validate
look "accuracy 0.7778: v1 sees only the sepal measurements"

step "3. build v1: the image iris-classifier:1.0.0, labelled with its model and these metrics"
cli build 2>/dev/null

step "4. run and predict: a hardened local container, its answer checked against in-process onnxruntime"
cli run
cli predict
cli stop

step "5. deploy v1 to staging, then production (the embedded default environments, each with a stable URL)"
cli deploy --env staging
cli deploy --env production
look "each environment's URL; a router in front of it switches versions without dropping a request"

step "6. v2: validate and build the better model (all four measurements)"
sed -i 's/^version: 1.0.0/version: 2.0.0/; s#^model: model/iris-v1.onnx#model: model/iris-v2.onnx#' "$project/modeldeploy.yaml"
cli validate >/dev/null
cli build 2>/dev/null | tail -1

step "7. diff v2 against what staging runs: both models on the same rows"
cli diff --env staging
look "the change per metric with its bootstrap interval, the predictions that changed, McNemar's p"

step "8. deploy v2 to staging: blue-green, smoke-tested before it serves"
cli deploy --env staging | tail -4

step "9. promote staging to production: the exact image staging runs, no rebuild"
cli promote --from staging --to production | tail -4

step "10. roll production back to the previous version, in one step"
cli rollback --env production
cli history --env production
look "the audit trail: every deploy, promote and rollback, also in .modeldeploy/history.jsonl"

step "done"
echo "The steps ran on a copy of examples/iris in $work (removed on exit, with its containers); the images stay in the engine."
