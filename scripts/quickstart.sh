#!/usr/bin/env bash
# README command one: builds confide and runs the main job.
# (Until the confidential-inference demo lands, the main job is the CLI's version and the crypto
# self-test.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh default
bin=build/default/apps/confide/confide
"$bin" --version
"$bin" selftest
