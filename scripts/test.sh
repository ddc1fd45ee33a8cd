#!/usr/bin/env bash
# README command two: builds everything and runs the whole test suite (unit, vector, conformance
# and fuzz-corpus replay tests) with CTest. Usage: scripts/test.sh [PRESET]  (default: "default")
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
bash scripts/build.sh "$preset"
ctest --preset "$preset"
