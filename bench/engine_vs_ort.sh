#!/usr/bin/env bash
# Throughput (runs/s) of the confide engine vs onnxruntime-node 1.30 on the shared models, with 1
# and 2 intra-op threads, in one run on one machine. ORT: graphOptimizationLevel 'all',
# interOpNumThreads 1, executionMode 'sequential'. Each cell is the median of BATCHES timed
# batches of about BATCH_SECONDS each, after a warm-up of one batch period (bench/engine_bench.cc,
# bench/ort_bench.mjs); confide and ORT alternate per cell. Target: ratio >= 1.0 at 1 thread.
# Installs onnxruntime-node into BUILD_DIR/ort (git-ignored) on first use.
# confide's threads are libgomp's (oneDNN's runtime), whose idle workers spin by default; on a
# loaded host set OMP_WAIT_POLICY=passive in the environment (the header line shows it). It does
# not affect ORT, whose CPU thread pool is its own.
# CONFIDE_BENCH_KERNELS=no-onednn measures confide without oneDNN (bench/engine_inputs.h).
# Usage: bench/engine_vs_ort.sh [BUILD_DIR] [BATCH_SECONDS] [BATCHES]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/default}"
batch_seconds="${2:-0.5}"
batches="${3:-7}"
models_dir="${CONFIDE_SHARED_DIR:-$(cd .. && pwd)/shared}/models"
bench="$build/bench/engine_bench"
[ -x "$bench" ] || { echo "build first (missing $bench)" >&2; exit 3; }
[ -d "$models_dir" ] || { echo "no models at $models_dir (set CONFIDE_SHARED_DIR)" >&2; exit 3; }
command -v node > /dev/null || { echo "needs node (nodejs >= 18)" >&2; exit 3; }

ort_dir="$build/ort"
if [ ! -d "$ort_dir/node_modules/onnxruntime-node" ]; then
  mkdir -p "$ort_dir"
  [ -f "$ort_dir/package.json" ] || echo '{"name":"confide-ort-bench","private":true}' > "$ort_dir/package.json"
  (cd "$ort_dir" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund \
    onnxruntime-node@1.30 > npm.log 2>&1) || { cat "$ort_dir/npm.log" >&2; exit 3; }
fi
ort_version=$(node -p "require('./$ort_dir/node_modules/onnxruntime-node/package.json').version")

models=(mnist8 mnist8_int8 ppocr_cls_mobilev2 ultraface_rfb320 ppocrv4_det ppocrv4_rec
        tabular_mlp_breast_cancer)
rate() { awk '/^runs_per_s/ {print $2}'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "onnxruntime-node $ort_version, $batches batches x ${batch_seconds}s," \
     "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}, ${CONFIDE_BENCH_KERNELS:-default} kernels"
printf '%-28s %7s %14s %14s %7s\n' model threads confide_runs/s ort_runs/s ratio
for m in "${models[@]}"; do
  inputs=()
  for f in "$models_dir/$m".input_*.npy; do inputs+=("$f"); done
  for t in 1 2; do
    c=$("$bench" "$models_dir/$m.onnx" "$t" "$batch_seconds" "$batches" "${inputs[@]}" | rate)
    o=$(node bench/ort_bench.mjs "$ort_dir" "$models_dir/$m.onnx" "$t" "$batch_seconds" \
          "$batches" "${inputs[@]}" | rate)
    awk -v m="$m" -v t="$t" -v c="$c" -v o="$o" \
      'BEGIN {printf "%-28s %7d %14.1f %14.1f %7.2f\n", m, t, c, o, c / o}'
  done
done
