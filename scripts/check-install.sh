#!/usr/bin/env bash
# Installs the default build into a scratch prefix and builds and runs a consumer project that
# finds it with find_package(confide). Usage: scripts/check-install.sh (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install build/default --prefix "$prefix/usr" >/dev/null
cmake -S tests/install_consumer -B "$prefix/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix/usr" \
      >/dev/null
cmake --build "$prefix/build" >/dev/null
"$prefix/build/consumer"
