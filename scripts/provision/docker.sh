#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, and that the default base image exists:
# installs Debian's docker.io and starts dockerd when no engine answers; pulls node:20-bookworm-slim, and
# only when the pull fails (no registry reachable) builds an honest stand-in of the same name from a
# Debian bookworm minbase rootfs with this machine's Node 20 (cached under $MODELDEPLOY_CACHE).
set -euo pipefail

cache=${MODELDEPLOY_CACHE:-$HOME/.cache/modeldeploy}
base_image=${MODELDEPLOY_BASE_IMAGE:-node:20-bookworm-slim}
sock=/var/run/docker.sock
mkdir -p "$cache"

say() { echo "provision/docker: $*"; }
fail() { echo "provision/docker: $*" >&2; exit 1; }

engine_answers() { curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }

# shellcheck source=scripts/provision/aptInstall.sh
source "$(dirname "${BASH_SOURCE[0]}")/aptInstall.sh"

if ! engine_answers; then
  if ! command -v dockerd >/dev/null 2>&1; then
    say "no Docker engine: installing Debian's docker.io"
    apt_install docker.io
  fi
  say "starting dockerd"
  setsid dockerd >"$cache/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 150); do
    engine_answers && break
    sleep 0.2
  done
  engine_answers || fail "dockerd did not answer within 30 s; see $cache/dockerd.log"
fi
say "engine answers ($(curl -sf --unix-socket "$sock" http://localhost/version | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' | head -1))"

# A dockerd that was killed can leave its networks' bridges (br-<network id>) behind while the engine
# started after it no longer knows those networks. Their routes still claim address ranges, so the engine
# skips those ranges and soon has none left for a new network. Delete the bridges no network owns.
if command -v ip >/dev/null 2>&1; then
  known=$(curl -sf --unix-socket "$sock" http://localhost/networks | grep -o '"Id":"[0-9a-f]\{12\}' | cut -c7- || true)
  stale=0
  for bridge in $(ip -o link show type bridge | sed -n 's/^[0-9]*: \(br-[0-9a-f]\{12\}\)[:@].*/\1/p'); do
    if ! grep -qx "${bridge#br-}" <<<"$known"; then
      ip link delete "$bridge" 2>/dev/null && stale=$((stale + 1))
    fi
  done
  [ "$stale" -eq 0 ] || say "deleted $stale bridges of networks the engine no longer knows"
fi

image_exists() { curl -sf --unix-socket "$sock" "http://localhost/images/$1/json" >/dev/null 2>&1; }

if image_exists "$base_image"; then
  say "base image $base_image is present"
  exit 0
fi

say "pulling $base_image"
if docker pull -q "$base_image" >/dev/null 2>&1; then
  say "pulled $base_image"
  exit 0
fi

# No registry: build the stand-in. Only node:20-bookworm-slim can be built this way.
[ "$base_image" = node:20-bookworm-slim ] || fail "cannot pull $base_image and can only build a stand-in for node:20-bookworm-slim"
node_bin=$(command -v node)
[ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" = 20 ] || fail "the stand-in needs this machine's Node 20; found $("$node_bin" --version)"
rootfs_tar="$cache/bookworm-minbase-rootfs.tar"
if [ ! -f "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  say "pull failed (no registry reachable): building a Debian bookworm minbase rootfs (about 30 s)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  debootstrap --variant=minbase bookworm "$work/rootfs" "${mirror:-http://deb.debian.org/debian}" >"$cache/debootstrap.log" 2>&1 \
    || fail "debootstrap failed; see $cache/debootstrap.log"
  # Trim it as Debian's slim images are trimmed: no docs, man pages, locales or apt lists.
  rm -rf "$work/rootfs"/usr/share/{doc,man,info,locale}/* "$work/rootfs"/var/lib/apt/lists/* "$work/rootfs"/var/cache/apt/*.bin
  tar -C "$work/rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

say "importing the stand-in $base_image (rootfs + this machine's Node $("$node_bin" --version), user node uid 1000)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/rootfs"
tar -C "$work/rootfs" -xf "$rootfs_tar"
install -D -m 0755 "$node_bin" "$work/rootfs/usr/local/bin/node"
npm_root=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
if [ -d "$npm_root" ] && [ -f "$npm_root/package.json" ]; then
  mkdir -p "$work/rootfs/usr/local/lib/node_modules"
  cp -a "$npm_root" "$work/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
fi
chroot "$work/rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
  || fail "could not add the node user to the stand-in rootfs"
tar -C "$work/rootfs" -c . | docker import --change 'CMD ["node"]' --change 'ENV NODE_VERSION='"$("$node_bin" -p process.versions.node)" - "$base_image" >/dev/null
say "built the stand-in $base_image ($(docker image inspect -f '{{.Size}}' "$base_image" | awk '{printf "%.0f MB", $1/1e6}'))"
