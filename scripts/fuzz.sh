#!/usr/bin/env bash
# Builds the asan preset (the tests and the libFuzzer targets, clang, ASan+UBSan) and runs each
# fuzz target: first over its corpus (fuzz/corpus/NAME plus the shared vector folders it names),
# then for SECONDS of new fuzzing. Targets run in parallel, one per core (CONFIDE_FUZZ_JOBS
# overrides); each target's output is printed when it ends. Fails if any target fails.
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
jobs="${CONFIDE_FUZZ_JOBS:-$(nproc)}"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Runs one target; its output goes to $logs/NAME.log, its exit status to $logs/NAME.rc.
run_target() {
  local t="$1" corpus_line c work rc
  corpus_line=$(grep "^$t " "$build/fuzz_corpora.txt" || true)
  local corpora=() existing=()
  read -r -a corpora <<< "${corpus_line#"$t "}"
  for c in "${corpora[@]}"; do
    [ -e "$c" ] && existing+=("$c")
  done
  # New inputs go to a scratch folder first, so the checked-in corpus stays small.
  work=$(mktemp -d)
  {
    echo "== $t: corpus (${existing[*]}) then ${seconds}s of fuzzing"
    rc=0
    "$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 "$work" "${existing[@]}" > "$logs/$t.full" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then tail -n 12 "$logs/$t.full"; else tail -n 60 "$logs/$t.full"; fi
  } > "$logs/$t.log"
  echo "$rc" > "$logs/$t.rc"
  rm -rf "$work"
}

running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=()
for t in "${targets[@]}"; do
  cat "$logs/$t.log"
  [ "$(cat "$logs/$t.rc" 2>/dev/null || echo 1)" = 0 ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
