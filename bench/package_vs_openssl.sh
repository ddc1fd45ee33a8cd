#!/usr/bin/env bash
# Packs and unpacks a generated model (default 256 MiB of random bytes) with the confide CLI, and
# compares the throughput with `openssl speed -evp aes-256-gcm -bytes 16384` (one core) measured
# in the same run, before and after (their mean is the reference). Throughput is bytes per CPU
# second (user + sys), as openssl speed divides by CPU time too; wall-clock figures are printed
# beside them. Also reports the peak RSS of `confide unpack -o /dev/null` (/usr/bin/time -v, and
# the CLI's own VmHWM). Then the in-memory bench/package_bench. Target: ratio >= 0.8, RSS <= 32 MiB.
# Usage: bench/package_vs_openssl.sh [BUILD_DIR] [SIZE_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/default}"
size_mib="${2:-256}"
confide="$build/apps/confide/confide"
bench="$build/bench/package_bench"
[ -x "$confide" ] || { echo "build first (missing $confide)" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl_kbps() {
  openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null |
    awk '/^AES-256-GCM/ {sub(/k$/, "", $2); print $2}'
}

head -c $((size_mib << 20)) /dev/urandom > "$work/model.onnx"
"$confide" keygen -o "$work/owner.key" > /dev/null
before=$(openssl_kbps)
/usr/bin/time -f "%e %U %S %M" -o "$work/pack.time" \
  "$confide" pack "$work/model.onnx" --signer "$work/owner.key" -o "$work/model.cfpkg" \
  --key-out "$work/model.key" --no-engine > /dev/null
/usr/bin/time -v -o "$work/unpack.timev" \
  "$confide" unpack "$work/model.cfpkg" --key "$work/model.key" -o /dev/null --report-peak-rss \
  2> "$work/unpack.stderr"
after=$(openssl_kbps)
hwm=$(awk '/^peak_rss_kib/ {print $2}' "$work/unpack.stderr")

python3 - "$work" "$size_mib" "$before" "$after" "$hwm" <<'PY'
import re, sys
work, size_mib, before, after, hwm = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
size = size_mib << 20
ref = (before + after) / 2 * 1000
e, u, s, m = map(float, open(f"{work}/pack.time").read().split())
tv = open(f"{work}/unpack.timev").read()
def field(name):
    return re.search(re.escape(name) + r":\s*([\d.:]+)", tv).group(1)
uu, us = float(field("User time (seconds)")), float(field("System time (seconds)"))
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
ue = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(field("Maximum resident set size (kbytes)"))
print(f"openssl speed -evp aes-256-gcm -bytes 16384: {before/1e6:.2f} / {after/1e6:.2f} GB/s (before/after)")
print(f"{'CLI, ' + str(size_mib) + ' MiB':28} {'GB/s cpu':>9} {'ratio':>6} {'GB/s wall':>10}")
for name, cpu, wall_s in (("pack (hash + encrypt)", u + s, e), ("unpack -> /dev/null", uu + us, ue)):
    print(f"{name:28} {size/cpu/1e9:9.2f} {size/cpu/ref:6.2f} {size/wall_s/1e9:10.2f}")
print(f"peak RSS: pack {int(m)/1024:.1f} MiB; unpack to /dev/null {rss/1024:.1f} MiB "
      f"(/usr/bin/time), VmHWM {int(hwm)/1024:.1f} MiB (target <= 32 MiB)")
PY

if [ -x "$bench" ]; then
  json="$work/bench.json"
  "$bench" --benchmark_min_time=1 --benchmark_format=json --benchmark_out="$json" > /dev/null
  ref_kbps=$(openssl_kbps)
  python3 - "$json" "$ref_kbps" <<'PY'
import json, sys
ref = float(sys.argv[2]) * 1000
print(f"in memory (bench/package_bench, 64 MiB, CPU time); openssl now {ref/1e9:.2f} GB/s")
for r in json.load(open(sys.argv[1]))["benchmarks"]:
    bps = r["bytes_per_second"]
    print(f"  {r['name']:26} {bps/1e9:6.2f} GB/s  ratio {bps/ref:5.2f}")
PY
fi
