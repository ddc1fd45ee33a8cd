#!/usr/bin/env bash
# `confide collateral import|verify` with the real CLI (issue 8, the local collateral store):
#   - dcap-qvl SGX and TDX collateral imports (every signature verified) into the documented layout,
#     and verifies from the store at the vectors' time, COLLATERAL_EXPIRED at 2026-11-26;
#   - PCS response files import with the right TCB Signing chain; with the 2018 certificate the
#     2026 TCB info is refused (exit 1) and nothing is written; a store without a QE identity
#     fails verification as MISSING;
#   - a tampered TCB info is refused (exit 1), a quote is not collateral (exit 3);
#   - an older root CRL does not replace the stored newer one ("kept").
# Usage: intel_collateral_cli.sh CONFIDE SHARED_DIR
set -euo pipefail
confide=$1 shared=$2
v=$shared/vectors
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store=$work/store
fail() { echo "FAIL: $*" >&2; exit 1; }

# run WANT_EXIT ARGS...: runs confide ARGS, checks the exit code; output in $work/out.
run() {
  local want=$1; shift
  local rc=0
  "$confide" "$@" >"$work/out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { cat "$work/out" >&2; fail "exit $rc, wanted $want: $*"; }
  echo "ok: exit $rc <- ${*:1:3}"
}

run 0 collateral import --dir "$store" "$v/tdx/dcapqvl-tdx-v4.collateral.json" \
  "$v/sgx/dcapqvl-sgx-v3.collateral.json"
for f in tcb_info/tdx-b0c06f000000.json tcb_info/sgx-00a067110000.json qe_identity/td_qe.json \
         qe_identity/qe.json tcb_signing_chain.pem root_ca.crl pck_crl/platform.crl \
         pck_crl/platform_chain.pem pck_crl/processor.crl pck_crl/processor_chain.pem; do
  [ -s "$store/$f" ] || fail "missing $f"
done
echo "ok: store layout"

run 0 collateral verify --dir "$store" --fmspc b0c06f000000 --tdx --at 2025-07-01T00:00:00Z
grep -q "^OK: collateral for fmspc b0c06f000000 (TDX)" "$work/out" || fail "no OK line"
run 0 collateral verify --dir "$store" --fmspc 00a067110000 --ca processor --at 2025-07-01T00:00:00Z
run 1 collateral verify --dir "$store" --fmspc b0c06f000000 --tdx --at 2026-11-26T00:00:00Z
grep -q "REJECTED: COLLATERAL_EXPIRED" "$work/out" || fail "not COLLATERAL_EXPIRED"
run 3 collateral verify --dir "$store" --fmspc 112233445566 --tdx --at 2025-07-01T00:00:00Z

# gotdx's v5 TCB info (2026) with the expired 2018 TCB Signing certificate: refused.
run 1 collateral import --dir "$store" "$v/tdx/gotdx-v5.tcbinfo.json" \
  "$v/intel/intel-tcb-signing-2018-chain.pem"
[ ! -e "$store/tcb_info/tdx-90c06f000000.json" ] || fail "written despite the refusal"
run 0 collateral import --dir "$work/v5" "$v/tdx/gotdx-v5.tcbinfo.json" \
  "$v/intel/intel-tcb-signing-2025-chain.pem"
# A TCB info alone is not enough: the QE identity and the CRLs are required.
run 1 collateral verify --dir "$work/v5" --fmspc 90c06f000000 --tdx --at 2026-02-03T01:00:00Z
grep -q "REJECTED: MISSING: no qe identity" "$work/out" || fail "not MISSING"
# dcap-qvl's later collateral for the same FMSPC completes the store (and its newer TCB info wins).
run 0 collateral import --dir "$work/v5" "$v/tdx/dcapqvl-tdx-v5-nomatch.collateral.json"
grep -q "^imported .*tcb_info/tdx-90c06f000000.json" "$work/out" || fail "newer TCB info not imported"
run 0 collateral verify --dir "$work/v5" --fmspc 90c06f000000 --tdx --at 2026-03-01T00:00:00Z

# One changed byte of the signed JSON.
sed 's/"UpToDate"/"OutOfDate"/' "$v/tdx/gotdx-v5.tcbinfo.json" >"$work/tampered.json"
run 1 collateral import --dir "$work/v5" "$work/tampered.json"
grep -q "signature does not verify" "$work/out" || fail "no signature message"
run 3 collateral import --dir "$store" "$v/tdx/gotdx-v4-spr.bin"

# No rollback: gotdx's 2023 root CRL after dcap-qvl's 2025 one.
before=$(sha256sum <"$store/root_ca.crl")
run 0 collateral import --dir "$store" "$v/tdx/gotdx-v4-spr.rootcrl.der"
grep -q "^kept .*root_ca.crl" "$work/out" || fail "older root CRL not kept out"
[ "$before" = "$(sha256sum <"$store/root_ca.crl")" ] || fail "root CRL replaced by an older one"
echo "PASS"
