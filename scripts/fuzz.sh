#!/usr/bin/env bash
# Builds the asan preset (the tests and the libFuzzer targets, clang, ASan+UBSan) and runs each
# fuzz target: first over its corpus (fuzz/corpus/NAME plus the shared vector folders it names),
# then for SECONDS of new fuzzing.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 30 seconds, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
bash scripts/build.sh asan
build=build/asan
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cat "$build/fuzz_targets.txt")
fi
for t in "${targets[@]}"; do
  corpus_line=$(grep "^$t " "$build/fuzz_corpora.txt" || true)
  read -r -a corpora <<< "${corpus_line#"$t "}"
  existing=()
  for c in "${corpora[@]}"; do
    [ -e "$c" ] && existing+=("$c")
  done
  work=$(mktemp -d)
  echo "== $t: corpus (${existing[*]}) then ${seconds}s of fuzzing"
  # New inputs go to a scratch folder first, so the checked-in corpus stays small.
  "$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
      -rss_limit_mb=2048 "$work" "${existing[@]}" 2>&1 | tail -n 12
  rm -rf "$work"
done
