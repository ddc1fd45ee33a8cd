#!/usr/bin/env bash
# Compares confide's AES-256-GCM throughput (bench/crypto_bench, 1 MiB messages, one core) with
# `openssl speed -evp aes-256-gcm` (16 KiB blocks, one core), measured in the same run, and prints
# the ratio for seal and open. Target: >= 0.9. Usage: bench/crypto_vs_openssl.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/default}"
bench="$build/bench/crypto_bench"
[ -x "$bench" ] || { echo "build first: bash scripts/build.sh (missing $bench)" >&2; exit 3; }

openssl_kbps=$(openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null |
               awk '/^AES-256-GCM/ {sub(/k$/, "", $2); print $2}')
json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$bench" --benchmark_filter='Aes256Gcm' --benchmark_min_time=1 --benchmark_format=json \
    --benchmark_out="$json" >/dev/null
python3 - "$json" "$openssl_kbps" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
openssl_bps = float(sys.argv[2]) * 1000
print(f"openssl speed -evp aes-256-gcm (16 KiB, 1 core): {openssl_bps / 1e9:.2f} GB/s")
print(f"{'benchmark':40} {'GB/s':>8} {'ratio':>7}")
for r in runs:
    bps = r.get("bytes_per_second")
    if bps:
        print(f"{r['name']:40} {bps / 1e9:8.2f} {bps / openssl_bps:7.2f}")
PY
