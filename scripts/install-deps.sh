#!/usr/bin/env bash
# Installs the Debian 12 packages confide needs to build, test and fuzz. Idempotent and
# non-interactive: installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  # toolchain
  g++ clang libclang-rt-14-dev cmake ninja-build pkg-config ccache git
  # libraries
  libssl-dev openssl nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libcbor-dev
  libspdlog-dev libcpp-httplib-dev libsqlite3-dev
  # inference engine: ONNX schema (protobuf-lite), conformance data, oneDNN
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata libdnnl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3
  # confide-server end-to-end and interop tests
  curl python3-requests
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
