#!/usr/bin/env bash
# Makes sure the integration tests can start real registries of their own: Debian's docker-registry (the
# CNCF distribution registry) and htpasswd (apache2-utils) for its Basic auth. Installs only what is
# missing, from Debian's mirror. Starts nothing: each test starts its own registry on its own port.
set -euo pipefail

cache=${MODELDEPLOY_CACHE:-$HOME/.cache/modeldeploy}
mkdir -p "$cache"

say() { echo "provision/registries: $*"; }
fail() { echo "provision/registries: $*" >&2; exit 1; }

# shellcheck source=scripts/provision/aptInstall.sh
source "$(dirname "${BASH_SOURCE[0]}")/aptInstall.sh"

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
  # The package's own service listens on all interfaces; the tests never use it, so keep it stopped
  # where an init system started it (in a container without one, nothing was started).
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl stop docker-registry || true
    systemctl disable docker-registry >/dev/null 2>&1 || true
  fi
fi

command -v docker-registry >/dev/null 2>&1 || fail "docker-registry is still missing after the install"
command -v htpasswd >/dev/null 2>&1 || fail "htpasswd is still missing after the install"
say "docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}') and htpasswd are present"
