#!/usr/bin/env bash
# Runs every test tier and ends with one line "N passed, N failed" summing them all.
# Provisions what the tiers need (npm dependencies, a Docker engine and the base image, a VS Code to test
# in) when it is missing.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
logs=$(mktemp -d)
passed=0
failed=0
status=0

bash scripts/bootstrap.sh || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }

# Adds a tier's counts; a tier that could not run counts as one failure.
count() {
  local name=$1 pass=$2 fail=$3 rc=$4
  if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  echo "==> $name: $pass passed, $fail failed"
  passed=$((passed + pass))
  failed=$((failed + fail))
  [ "$fail" -eq 0 ] || status=1
}

# A count from a tier's JSON results file; 0 when the file is missing (the tier then fails by its exit code).
json_count() {
  node -e "try{console.log(require(process.argv[1])[process.argv[2]])}catch{console.log(0)}" "$1" "$2"
}

mocha_tier() {
  local name=$1 config=$2
  npx --no-install mocha --config "$config" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  count "$name" "$(grep -oP '^\s*\K\d+(?= passing)' "$logs/$name.log" | tail -1 || echo 0)" "$(grep -oP '^\s*\K\d+(?= failing)' "$logs/$name.log" | tail -1 || echo 0)" "$rc"
}

echo "==> lint"
npx --no-install eslint src test scripts
count lint 0 0 $?

echo "==> unit tests"
mocha_tier unit test/unit/.mocharc.json

echo "==> integration tests, then the reliability suite (the real Docker engine, real registries)"
if bash scripts/provision/docker.sh && bash scripts/provision/registries.sh; then
  mocha_tier integration test/integration/.mocharc.json
  mocha_tier reliability test/reliability/.mocharc.json
else
  echo "could not provision a Docker engine, the base image and the registry server for the integration tests and the reliability suite (see above)"
  count integration 0 1 1
  count reliability 0 1 1
fi

echo "==> extension-host tests, then the UI tests (a real VS Code in headless Chromium)"
if bash scripts/provision/vscode.sh; then
  MODELDEPLOY_TEST_RESULTS="$logs/extension.json" node out/test/extension/runTests.js 2>&1 | tee "$logs/extension.log"
  rc=${PIPESTATUS[0]}
  count extension "$(json_count "$logs/extension.json" passed)" "$(json_count "$logs/extension.json" failed)" "$rc"
  MODELDEPLOY_TEST_RESULTS="$logs/ui.json" MODELDEPLOY_UI_SCREENSHOTS="${MODELDEPLOY_UI_SCREENSHOTS:-$logs/screenshots}" node out/test/ui/runUiTests.js 2>&1 | tee "$logs/ui.log"
  rc=${PIPESTATUS[0]}
  count ui "$(json_count "$logs/ui.json" passed)" "$(json_count "$logs/ui.json" failed)" "$rc"
else
  echo "could not provision a VS Code for the extension-host and UI tests (see above)"
  count extension 0 1 1
  count ui 0 1 1
fi

cd "$root"
node scripts/test-failures.mjs unit="$logs/unit.log" integration="$logs/integration.log" reliability="$logs/reliability.log" extension="$logs/extension.json" ui="$logs/ui.json"
echo "$passed passed, $failed failed"
exit $status
