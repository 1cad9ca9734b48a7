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

step "3. the same project at v1 (sepal measurements only), for comparison"
sed -i -e 's/^version: 2.0.0/version: 1.0.0/' -e 's#^model: model/iris-v2.onnx#model: model/iris-v1.onnx#' "$work/iris/modeldeploy.yaml"
cli validate --json | node -e '
  const v1 = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const v2 = JSON.parse(require("fs").readFileSync(process.argv[1] + "/iris/.modeldeploy/metrics/2.0.0.json", "utf8"));
  for (const name of Object.keys(v2.metrics)) console.log(`${name.padEnd(10)} v1 ${v1.metrics[name].toFixed(4)}  v2 ${v2.metrics[name].toFixed(4)}`);
' "$work"

step "done"
echo "The steps ran on a copy of examples/iris in $work (removed on exit)."
