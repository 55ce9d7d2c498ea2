#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks need. Idempotent.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make pkg-config
  clang-14 libclang-14-dev libclang-rt-14-dev python3-clang-14
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev
  python3-numpy python3-regex python3-websocket
  hyperfine time
  tmux
)

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install by hand: ${PACKAGES[*]}" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get install -y ${PACKAGES[*]}"
if ! $SUDO apt-get install -y -q "${PACKAGES[@]}" >/tmp/sdnative-apt.log 2>&1; then
  echo "install-deps: refreshing the package lists and retrying"
  $SUDO apt-get update -q >>/tmp/sdnative-apt.log 2>&1 || true
  if ! $SUDO apt-get install -y -q "${PACKAGES[@]}" >>/tmp/sdnative-apt.log 2>&1; then
    tail -n 30 /tmp/sdnative-apt.log >&2
    echo "install-deps: apt-get install failed (log above)" >&2
    exit 1
  fi
fi
echo "install-deps: done"
