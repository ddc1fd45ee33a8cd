#!/usr/bin/env bash
# A real confide-server process serving attested TLS with the simulator's Intel and Nitro evidence
# (issue 8 item 5, issue 9): for each of --tee sim-sgx, sim-tdx and sim-nitro,
#   - `confide attest remote` with a policy listing the sim root of that vendor (printed by
#     `confide sim init`) and the server's measurement (SHA-384 of confide-server: MRENCLAVE = its
#     first 32 bytes, MRTD, PCR0) accepts it, marked SIMULATED;
#   - a wrong measurement (MEASUREMENT_MISMATCH / PCR_MISMATCH), a policy without allow_simulated
#     (SIMULATED_EVIDENCE_NOT_ALLOWED) and another vendor's sim root are refused (exit 1);
# and a store from before Intel simulation makes --tee sim-tdx fail to start, naming
# `confide sim init --force`.
# Usage: sim_tee_server.sh CONFIDE CONFIDE_SERVER SHARED_DIR
set -euo pipefail
confide=$1 server_bin=$2 shared=$3
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export CONFIDE_SIM_DIR=$work/sim
"$confide" sim init >"$work/init.out"
intel_root=$(awk '/sim Intel root/ {print $NF}' "$work/init.out")
nitro_root=$(awk '/sim Nitro root/ {print $NF}' "$work/init.out")
[[ $intel_root =~ ^[0-9a-f]{64}$ && $nitro_root =~ ^[0-9a-f]{64}$ ]] || fail "sim init roots"

pack_mnist8
measurement=$(sha384sum "$server_bin" | cut -d' ' -f1)
zeros=$(printf '%096d' 0)

# policy FILE TEE ALLOW_SIMULATED ROOT MEASUREMENT(48-byte hex)
policy() {
  local tee=$2 m=$5 table
  case $tee in
    sgx) table="[sgx]
mrenclaves = [\"${m:0:64}\"]" ;;
    tdx) table="[tdx]
mrtds = [\"$m\"]" ;;
    nitro) table="[nitro]
pcr0 = \"$m\"" ;;
  esac
  printf 'tee_types = ["%s"]\nallow_simulated = %s\nsim_roots = ["%s"]\nmax_evidence_age_seconds = 86400\n%s\n' \
    "$tee" "$3" "$4" "$table" >"$1"
}

for backend in sim-sgx sim-tdx sim-nitro; do
  tee=${backend#sim-}
  if [ "$tee" = nitro ]; then root=$nitro_root other=$intel_root mismatch=PCR_MISMATCH
  else root=$intel_root other=$nitro_root mismatch=MEASUREMENT_MISMATCH; fi
  rm -f "$work/port"
  "$server_bin" --tee "$backend" --model "$work/mnist8.cfpkg:$work/mnist8.key" \
      --trust "$work/signers.toml" --state-dir "$work/state-$tee" --port 0 \
      --port-file "$work/port" >"$work/server-$tee.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for_file "$work/port"
  grep -q "\"tee\":\"$tee\"" "$work/server-$tee.log" || fail "$backend: server reports another TEE"
  url=https://127.0.0.1:$(cat "$work/port")
  policy "$work/$tee.good.toml" "$tee" true "$root" "$measurement"
  policy "$work/$tee.wrong.toml" "$tee" true "$root" "$zeros"
  policy "$work/$tee.nosim.toml" "$tee" false "$root" "$measurement"
  policy "$work/$tee.other.toml" "$tee" true "$other" "$measurement"
  expect_remote "$url" "$work/$tee.good.toml" 0 "ACCEPTED: $tee (SIMULATED"
  expect_remote "$url" "$work/$tee.wrong.toml" 1 "$mismatch"
  expect_remote "$url" "$work/$tee.nosim.toml" 1 SIMULATED_EVIDENCE_NOT_ALLOWED
  expect_remote "$url" "$work/$tee.other.toml" 1 SIMULATED_EVIDENCE_NOT_ALLOWED
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done

# A store from before Intel simulation: the server does not start and says what to do.
rm "$work/sim/intel_attestation.key"
rc=0
timeout 20 "$server_bin" --tee sim-tdx --model "$work/mnist8.cfpkg:$work/mnist8.key" \
    --trust "$work/signers.toml" --state-dir "$work/state-old" --port 0 \
    --port-file "$work/port-old" >"$work/server-old.log" 2>&1 || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "old store: server exit $rc"
grep -q "confide sim init --force" "$work/server-old.log" || { cat "$work/server-old.log"; fail "old store: no hint"; }
echo "ok: old store refused with the sim init --force hint"
echo "sim_tee_server: all checks passed"
