#!/usr/bin/env bash
# `confide attest verify --tee nitro` with the real CLI (issue 9, Nitro acceptance):
#   - the three AWS documents are accepted at their verify_at (no policy: authenticity only; then
#     a production policy pinning expected.json's PCRs), the debug one rejected DEBUG_NOT_ALLOWED;
#   - the flipped-PCR document fails SIGNATURE_INVALID, the self-signed synthetic CHAIN_UNTRUSTED;
#   - every document fails CERT_EXPIRED at 2026-11-26;
#   - a simulated document from `confide sim evidence --tee nitro` verifies through the same code
#     only with its root offered and listed.
# Usage: nitro_cli.sh CONFIDE SHARED_DIR
set -euo pipefail
confide=$1 shared=$2
vectors=$shared/vectors/nitro
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect EXIT_CODE REASON|- ARGS...: runs `confide attest verify --tee nitro ARGS` and checks the
# exit code and (unless -) that REASON appears in a failed check.
expect() {
  local want=$1 reason=$2; shift 2
  local rc=0
  "$confide" attest verify --tee nitro "$@" >"$work/out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { cat "$work/out" >&2; fail "exit $rc, wanted $want: $*"; }
  if [ "$reason" != - ]; then
    grep -q "\[FAIL\] .*$reason" "$work/out" || { cat "$work/out" >&2; fail "no $reason: $*"; }
  fi
  echo "ok: exit $rc ${reason/-/} <- $(basename "${@: -1}")"
}

field() {  # field FILE KEY: a top-level string of the vector's expected.json entry
  /usr/bin/python3 -c "import json,sys; v=[v for v in json.load(open(sys.argv[1]))['vectors'] if v['file']=='nitro/'+sys.argv[2]][0]; print(v[sys.argv[3]])" \
    "$vectors/expected.json" "$1" "$2"
}
policy_for() {  # a production policy pinning the vector's PCRs 0/1/2/3/4/8
  /usr/bin/python3 -c "
import json,sys
v=[v for v in json.load(open(sys.argv[1]))['vectors'] if v['file']=='nitro/'+sys.argv[2]][0]
print('tee_types = [\"nitro\"]\n[binding]\nrequired = false\n[nitro]')
for k,h in v['pcrs_nonzero_or_0_1_2_3_4_8'].items(): print('pcr%s = \"%s\"' % (k,h))
" "$vectors/expected.json" "$1" >"$work/$1.toml"
  echo "$work/$1.toml"
}

for doc in evervault-2022-prod.bin blocky-2024-prod.bin; do
  at=$(field "$doc" verify_at)
  expect 0 - --at "$at" "$vectors/$doc"
  expect 0 - --at "$at" --policy "$(policy_for "$doc")" "$vectors/$doc"
  expect 1 CERT_EXPIRED --at 2026-11-26T00:00:00Z "$vectors/$doc"
done
debug=blocky-2024-debug.bin
expect 1 DEBUG_NOT_ALLOWED --at "$(field $debug verify_at)" --policy "$(policy_for $debug)" \
  "$vectors/$debug"
expect 1 CERT_EXPIRED --at 2026-11-26T00:00:00Z "$vectors/$debug"
expect 1 SIGNATURE_INVALID --at 2024-09-07T14:40:00Z "$vectors/negative/blocky-2024-prod.bad-pcr0.bin"
expect 1 CHAIN_UNTRUSTED --at 2024-04-17T19:00:00Z \
  "$vectors/negative/blocky-selfsigned-synthetic.bin"
# A PCR the policy does not expect.
sed 's/^pcr0 = "e7/pcr0 = "f7/' "$(policy_for blocky-2024-prod.bin)" >"$work/wrong.toml"
expect 1 PCR_MISMATCH --at 2024-09-07T14:40:00Z --policy "$work/wrong.toml" \
  "$vectors/blocky-2024-prod.bin"

# Simulated Nitro evidence, verified by the same code.
sim_nitro_root=$("$confide" sim init --dir "$work/sim" | awk '/sim Nitro root/ {print $NF}')
[ ${#sim_nitro_root} -eq 64 ] || fail "no sim Nitro root digest from sim init"
pcr0=$(printf 'ab%.0s' $(seq 48))
"$confide" sim evidence --dir "$work/sim" --tee nitro --report-data 00 --measurement "$pcr0" \
  -o "$work/sim.doc" >/dev/null
printf 'tee_types = ["nitro"]\nallow_simulated = true\nsim_roots = ["%s"]\n[binding]\nrequired = false\n[nitro]\npcr0 = "%s"\n' \
  "$sim_nitro_root" "$pcr0" >"$work/sim.toml"
expect 0 - --policy "$work/sim.toml" --sim-root "$work/sim/nitro_root.pem" "$work/sim.doc"
expect 1 CHAIN_UNTRUSTED --policy "$work/sim.toml" "$work/sim.doc"
expect 1 SIMULATED_EVIDENCE_NOT_ALLOWED --policy "$(policy_for blocky-2024-prod.bin)" \
  --sim-root "$work/sim/nitro_root.pem" "$work/sim.doc"
echo "nitro_cli: all checks passed"
