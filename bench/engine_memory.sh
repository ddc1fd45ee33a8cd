#!/usr/bin/env bash
# Engine memory (issue 4): for each model in the shared models folder except oww_*, runs
# `confide run MODEL --input ... --bench N --memory-report` on the sample inputs and prints the
# engine's weight bytes, the planned arena for those inputs, the RSS after loading, the peak RSS
# during the runs (the CLI resets VmHWM after loading) and the whole process's peak
# (/usr/bin/time -v, loading included). Check: peak RSS during runs <= weights + arena + 16 MiB.
# Exit 1 if a model fails the check or does not run.
# Usage: bench/engine_memory.sh [BUILD_DIR] [RUNS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/default}"
runs="${2:-20}"
threads="${3:-1}"
confide="$build/apps/confide/confide"
models="${CONFIDE_SHARED_DIR:-/work/shared}/models"
[ -x "$confide" ] || { echo "build first (missing $confide)" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for onnx in "$models"/*.onnx; do
  name=$(basename "$onnx" .onnx)
  case "$name" in oww_*) continue ;; esac
  # Graph input names in order, from `confide model info` ("  NAME: dtype[shape]").
  mapfile -t names < <("$confide" model info "$onnx" |
    awk '/^inputs:/ {on=1; next} /^[a-z]/ {on=0} on {sub(/^  /, ""); sub(/: [a-z0-9]+(\[.*\]|\?)$/, ""); print}')
  args=()
  for i in "${!names[@]}"; do args+=(--input "${names[$i]}=$models/$name.input_$i.npy"); done
  if /usr/bin/time -v -o "$work/$name.timev" "$confide" run "$onnx" "${args[@]}" \
      --threads "$threads" --bench "$runs" --memory-report > /dev/null 2> "$work/$name.err"; then
    echo "$name ok" >> "$work/list"
  else
    echo "$name FAILED" >> "$work/list"
    sed 's/^/  /' "$work/$name.err" >&2
  fi
done

/usr/bin/python3 - "$work" "$runs" "$threads" <<'PY'
import re, sys
work, runs, threads = sys.argv[1], sys.argv[2], sys.argv[3]
MiB = 1 << 20
print(f"confide run --bench {runs} --threads {threads}, sample inputs; MiB")
print(f"{'model':34} {'weights':>7} {'arena':>7} {'base':>6} {'loaded':>7} {'peak run':>8} "
      f"{'limit':>6} {'check':>7} {'run-base':>8} {'check':>7} {'anon':>6} {'peak all':>8}")
bad = 0
for line in open(f"{work}/list"):
    name, status = line.split()
    if status != "ok":
        print(f"{name:34} did not run")
        bad += 1
        continue
    err = open(f"{work}/{name}.err").read()
    f = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", err.split("memory:")[1])}
    w, a = f["weight_bytes"], f["arena_bytes"]
    base, loaded, peak = f["rss_start_kib"] * 1024, f["rss_after_load_kib"] * 1024, f["peak_rss_runs_kib"] * 1024
    total = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                          open(f"{work}/{name}.timev").read()).group(1)) * 1024
    limit = w + a + 16 * MiB
    ok = peak <= limit
    ok_net = peak - base <= limit
    bad += not ok
    print(f"{name:34} {w/MiB:7.2f} {a/MiB:7.2f} {base/MiB:6.1f} {loaded/MiB:7.1f} {peak/MiB:8.1f} "
          f"{limit/MiB:6.1f} {'ok' if ok else 'EXCEEDS':>7} {(peak-base)/MiB:8.1f} "
          f"{'ok' if ok_net else 'EXCEEDS':>7} {f['rss_anon_kib']/1024:6.1f} {total/MiB:8.1f}")
print("base: RSS of the CLI before reading the model (code and libraries: ~16 MiB of it is "
      "file-backed); loaded: after loading; peak run: VmHWM reset after loading, so it covers the "
      "runs; limit = weights + arena + 16 MiB; check: peak run <= limit; run-base/check: the same "
      "without the process's own base; anon: anonymous RSS at exit; peak all: /usr/bin/time "
      "(loading included).")
sys.exit(1 if bad else 0)
PY
