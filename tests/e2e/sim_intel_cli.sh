#!/usr/bin/env bash
# Simulated SGX and TDX evidence with the real CLI (issue 8 item 5):
#   - `confide sim init` prints the sim Intel root digest; `confide sim evidence --tee sgx|tdx`
#     writes a quote and OUT.collateral.json;
#   - `confide attest verify --tee sgx|tdx QUOTE --collateral FILE --sim-root HEX` accepts it (the
#     production verifier, unchanged), as does a policy with allow_simulated + sim_roots and the
#     quote's MRENCLAVE / MRTD;
#   - it is refused: by a policy without allow_simulated (SIMULATED_EVIDENCE_NOT_ALLOWED), without
#     any trusted sim root (CHAIN_UNTRUSTED), with another store's root, with a measurement the
#     policy does not list, as a debug quote, without collateral, and after the collateral expires;
#   - a store from before Intel simulation asks for `confide sim init --force`.
# Usage: sim_intel_cli.sh CONFIDE
set -euo pipefail
confide=$1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$("$confide" sim init --dir "$work/sim" | awk '/sim Intel root/ {print $NF}')
[[ $root =~ ^[0-9a-f]{64}$ ]] || fail "no sim Intel root digest from sim init"
# The digest is SHA-256 of the root's SubjectPublicKeyInfo, as openssl computes it.
ref=$(openssl x509 -in "$work/sim/intel_root.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
      sha256sum | cut -d' ' -f1)
[ "$root" = "$ref" ] || fail "sim Intel root $root != openssl's $ref"
for key in intel_root intel_pck_ca intel_pck intel_tcb_signing intel_attestation; do
  [ "$(stat -c %a "$work/sim/$key.key")" = 600 ] || fail "$key.key is not mode 0600"
done
other=$("$confide" sim init --dir "$work/other" | awk '/sim Intel root/ {print $NF}')
[ "$other" != "$root" ] || fail "two stores share a root"

m=$(printf '5a%.0s' $(seq 48))
for tee in sgx tdx; do
  "$confide" sim evidence --dir "$work/sim" --tee $tee --report-data 0102 --measurement "$m" \
    -o "$work/$tee.quote" >"$work/evidence.out"
  [ -s "$work/$tee.quote.collateral.json" ] || fail "no collateral for $tee"
  grep -q "sim Intel root: $root" "$work/evidence.out" || fail "sim evidence names another root"
  q=(--tee $tee "$work/$tee.quote" --collateral "$work/$tee.quote.collateral.json")

  # Accepted through --sim-root (digest or the root's PEM) and through a policy listing the root.
  expect 0 - "${q[@]}" --sim-root "$root"
  grep -q "\[ok\] *simulated: SIMULATED evidence" "$work/out" || fail "$tee: not marked simulated"
  grep -q "tcb_status: UpToDate is accepted" "$work/out" || fail "$tee: TCB status"
  expect 0 - "${q[@]}" --sim-root "$work/sim/intel_root.pem"
  if [ $tee = sgx ]; then
    table="[sgx]
mrenclaves = [\"${m:0:64}\"]"
  else
    table="[tdx]
mrtds = [\"$m\"]"
  fi
  printf 'tee_types = ["%s"]\nallow_simulated = true\nsim_roots = ["%s"]\n[binding]\nrequired = false\n%s\n' \
    $tee "$root" "$table" >"$work/$tee.toml"
  expect 0 - "${q[@]}" --policy "$work/$tee.toml"
  expect 0 - "${q[@]}" --policy "$work/$tee.toml" --sim-root "$root"

  # Refused.
  grep -v allow_simulated "$work/$tee.toml" >"$work/$tee.nosim.toml"
  expect 1 SIMULATED_EVIDENCE_NOT_ALLOWED "${q[@]}" --policy "$work/$tee.nosim.toml" \
    --sim-root "$root"
  expect 1 CHAIN_UNTRUSTED "${q[@]}"
  expect 1 CHAIN_UNTRUSTED "${q[@]}" --sim-root "$other"
  sed "s/sim_roots = \[\"$root\"\]/sim_roots = [\"$other\"]/" "$work/$tee.toml" >"$work/$tee.other.toml"
  expect 1 CHAIN_UNTRUSTED "${q[@]}" --policy "$work/$tee.other.toml"
  sed 's/"5a5a/"6a5a/' "$work/$tee.toml" >"$work/$tee.wrong.toml"
  expect 1 MEASUREMENT_MISMATCH "${q[@]}" --policy "$work/$tee.wrong.toml"
  expect 1 COLLATERAL_EXPIRED "${q[@]}" --sim-root "$root" --at "$(date -u -d '+40 days' +%FT%TZ)"
  expect 1 - --tee $tee "$work/$tee.quote" --sim-root "$root"
  grep -q "no --collateral given" "$work/out" || fail "$tee: no-collateral note"

  "$confide" sim evidence --dir "$work/sim" --tee $tee --report-data 00 --measurement "$m" --debug \
    -o "$work/$tee.debug" >/dev/null
  expect 1 DEBUG_NOT_ALLOWED --tee $tee "$work/$tee.debug" \
    --collateral "$work/$tee.debug.collateral.json" --policy "$work/$tee.toml"
done
# The wrong --tee for the quote is an error, not a verdict.
expect 2 - --tee sgx "$work/tdx.quote" --collateral "$work/tdx.quote.collateral.json"

# A store from before Intel simulation: the simulator asks for `sim init --force`.
rm "$work/sim/intel_attestation.key"
rc=0
"$confide" sim evidence --dir "$work/sim" --tee tdx --report-data 00 -o "$work/old.quote" \
  >"$work/out" 2>&1 || rc=$?
[ $rc != 0 ] && grep -q "confide sim init --force" "$work/out" || fail "old store: $(cat "$work/out")"
"$confide" sim init --dir "$work/sim" --force >/dev/null
"$confide" sim evidence --dir "$work/sim" --tee tdx --report-data 00 -o "$work/new.quote" >/dev/null
echo "sim_intel_cli: all checks passed"
