#!/usr/bin/env bash
# Engine memory (issue 4): for each model in the shared models folder except oww_*, runs it RUNS
# times on its sample inputs in two processes and prints the engine's weight bytes, the planned
# arena for those inputs and the peak RSS during the runs (the peak is reset after loading):
#   - engine: bench/engine_memory, a process with only the engine and its libraries. The check
#     is on this one: peak RSS during runs <= weights + arena + 16 MiB.
#   - CLI: `confide run --memory-report`, for reference; the CLI's own libraries (OpenSSL,
#     SQLite, HTTP) add about 5 MiB before it reads a model.
# CONFIDE_BENCH_KERNELS=no-onednn checks the engine without oneDNN (bench/engine_inputs.h); the
# CLI column is then left out ("-"): the CLI always uses oneDNN.
# Exit 1 if a model fails the check or does not run.
# Usage: bench/engine_memory.sh [BUILD_DIR] [RUNS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/default}"
runs="${2:-20}"
threads="${3:-1}"
confide="$build/apps/confide/confide"
runner="$build/bench/engine_memory"
models="${CONFIDE_SHARED_DIR:-$(cd .. && pwd)/shared}/models"
for exe in "$confide" "$runner"; do
  [ -x "$exe" ] || { echo "build first (missing $exe)" >&2; exit 3; }
done
[ -d "$models" ] || { echo "no models at $models (set CONFIDE_SHARED_DIR)" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for onnx in "$models"/*.onnx; do
  name=$(basename "$onnx" .onnx)
  case "$name" in oww_*) continue ;; esac
  # Graph input names in order, from `confide model info` ("  NAME: dtype[shape]").
  mapfile -t names < <("$confide" model info "$onnx" |
    awk '/^inputs:/ {on=1; next} /^[a-z]/ {on=0} on {sub(/^  /, ""); sub(/: [a-z0-9]+(\[.*\]|\?)$/, ""); print}')
  files=() args=()
  for i in "${!names[@]}"; do
    files+=("$models/$name.input_$i.npy")
    args+=(--input "${names[$i]}=$models/$name.input_$i.npy")
  done
  if [ "${CONFIDE_BENCH_KERNELS:-default}" != default ]; then
    cli=(true)  # the CLI always uses oneDNN: nothing to compare
  else
    cli=("$confide" run "$onnx" "${args[@]}" --threads "$threads" --bench "$runs" --memory-report)
  fi
  if "$runner" "$onnx" "$threads" "$runs" "${files[@]}" > "$work/$name.engine" 2> "$work/$name.err" &&
     "${cli[@]}" > /dev/null 2> "$work/$name.cli"; then
    echo "$name ok" >> "$work/list"
  else
    echo "$name FAILED" >> "$work/list"
    sed 's/^/  /' "$work/$name.err" "$work/$name.cli" 2>/dev/null >&2 || true
  fi
done

/usr/bin/python3 - "$work" "$runs" "$threads" "${CONFIDE_BENCH_KERNELS:-default}" <<'PY'
import re, sys
work, runs, threads, kernels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
MiB = 1 << 20

def fields(path):
    text = open(path).read()
    if "memory:" not in text:
        return None
    return {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", text.split("memory:")[1])}

print(f"{runs} runs, {threads} thread(s), sample inputs, {kernels} kernels; MiB")
print(f"{'model':34} {'weights':>7} {'arena':>6} {'limit':>6} {'engine':>7} {'check':>7} "
      f"{'base':>5} {'anon':>6} {'file':>6} {'CLI':>6}")
bad = 0
for line in open(f"{work}/list"):
    name, status = line.split()
    if status != "ok":
        print(f"{name:34} did not run")
        bad += 1
        continue
    e, c = fields(f"{work}/{name}.engine"), fields(f"{work}/{name}.cli")
    if e is None or (c is None and kernels == "default"):
        print(f"{name:34} printed no memory report")
        bad += 1
        continue
    w, a = e["weight_bytes"], e["arena_bytes"]
    peak = e["peak_rss_runs_kib"] * 1024
    limit = w + a + 16 * MiB
    ok = peak <= limit
    bad += not ok
    print(f"{name:34} {w/MiB:7.2f} {a/MiB:6.2f} {limit/MiB:6.1f} {peak/MiB:7.1f} "
          f"{'ok' if ok else 'EXCEEDS':>7} {e['rss_start_kib']/1024:5.1f} {e['rss_anon_kib']/1024:6.1f} "
          f"{e['rss_file_kib']/1024:6.1f} " + (f"{c['peak_rss_runs_kib']/1024:6.1f}" if c else f"{'-':>6}"))
print("limit = weights + arena + 16 MiB. engine: peak RSS of bench/engine_memory during the runs "
      "(reset after loading); check: engine <= limit. base: that process before loading (code and "
      "libraries); anon/file: its anonymous and file-backed RSS after the runs (file: mostly "
      "library code, oneDNN's included). CLI: the same peak in `confide run --memory-report` "
      "(with the default kernels only).")
sys.exit(1 if bad else 0)
PY
