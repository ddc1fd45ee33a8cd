#!/usr/bin/env bash
# `confide attest verify --tee sgx|tdx` with the real CLI (issue 8, Intel acceptance):
#   - dcap-qvl TDX v4 with its collateral file accepted at verify_at; SGX v3 rejected by the
#     default TCB policy (ConfigurationAndSWHardeningNeeded + advisories), accepted by a policy
#     that allows them;
#   - gotdx v4 through a `confide collateral import` folder: no matching TCB level;
#   - every negative file rejected with its reason; occlum (debug) rejected;
#   - the collateral-carrying vectors fail at 2026-11-26 on expiry; a wrong --tee is an error.
# Usage: intel_cli.sh CONFIDE SHARED_DIR
set -euo pipefail
confide=$1 shared=$2
v=$shared/vectors
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tdx4=(--tee tdx "$v/tdx/dcapqvl-tdx-v4.bin" --collateral "$v/tdx/dcapqvl-tdx-v4.collateral.json")
sgx3=(--tee sgx "$v/sgx/dcapqvl-sgx-v3.bin" --collateral "$v/sgx/dcapqvl-sgx-v3.collateral.json")
expect 0 - "${tdx4[@]}" --at 2025-07-01T00:00:00Z
grep -q "tcb_status: UpToDate is accepted" "$work/out" || fail "TDX v4 status"
expect 1 TCB_STATUS_NOT_ALLOWED "${sgx3[@]}" --at 2025-07-01T00:00:00Z
grep -q "ADVISORY_NOT_ALLOWED.*INTEL-SA-00289, INTEL-SA-00615" "$work/out" || fail "advisories"
cat >"$work/sgx.toml" <<'TOML'
tee_types = ["sgx"]
[binding]
required = false
[sgx]
mrenclaves = ["33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"]
accepted_tcb_statuses = ["ConfigurationAndSWHardeningNeeded"]
allowed_advisories = ["INTEL-SA-00289", "INTEL-SA-00615"]
TOML
expect 0 - "${sgx3[@]}" --at 2025-07-01T00:00:00Z --policy "$work/sgx.toml"

# gotdx v4 (Sapphire Rapids) through an imported collateral folder: PCS files, DER CRLs, and the
# PCK CRL's issuer chain (PCK Platform CA, root) as the quote itself carries it.
/usr/bin/python3 -c '
import re, sys
pems = re.findall(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?",
                  open(sys.argv[1], "rb").read(), re.S)
open(sys.argv[2], "wb").write(b"".join(pems[1:3]))' "$v/tdx/gotdx-v4-spr.bin" "$work/pck_ca_chain.pem"
"$confide" collateral import --dir "$work/store" "$v/tdx/gotdx-v4-spr.tcbinfo.json" \
  "$v/tdx/gotdx-v4-spr.qeidentity.json" "$v/tdx/gotdx-v4-spr.pckcrl-platform.der" \
  "$v/tdx/gotdx-v4-spr.rootcrl.der" "$v/intel/intel-tcb-signing-2018-chain.pem" \
  "$work/pck_ca_chain.pem" >/dev/null
expect 1 TCB_STATUS_NOT_ALLOWED --tee tdx "$v/tdx/gotdx-v4-spr.bin" --collateral "$work/store" \
  --at 2023-07-01T01:00:00Z
grep -q "no TCB level matches" "$work/out" || fail "gotdx v4: no matching level"

expect 1 SIGNATURE_INVALID --tee sgx "$v/sgx/negative/dcapqvl-sgx-v3.bad-reportdata.bin" \
  --collateral "$v/sgx/dcapqvl-sgx-v3.collateral.json" --at 2025-07-01T00:00:00Z
expect 1 SIGNATURE_INVALID --tee sgx "$v/sgx/negative/dcapqvl-sgx-v3.bad-qereport.bin" \
  --collateral "$v/sgx/dcapqvl-sgx-v3.collateral.json" --at 2025-07-01T00:00:00Z
for bad in bad-header bad-body; do
  expect 1 SIGNATURE_INVALID --tee tdx "$v/tdx/negative/gotdx-v4-spr.$bad.bin" \
    --collateral "$work/store" --at 2023-07-01T01:00:00Z
done
for bad in bad-pckcert bad-rootcert; do
  expect 1 CHAIN_UNTRUSTED --tee tdx "$v/tdx/negative/gotdx-v4-spr.$bad.bin" \
    --collateral "$work/store" --at 2023-07-01T01:00:00Z
done
expect 1 DEBUG_NOT_ALLOWED --tee sgx "$v/sgx/occlum-sgx-v3.bin" --at 2024-01-01T00:00:00Z

expect 1 COLLATERAL_EXPIRED "${tdx4[@]}" --at 2026-11-26T00:00:00Z
expect 1 COLLATERAL_EXPIRED "${sgx3[@]}" --at 2026-11-26T00:00:00Z
expect 1 CERT_EXPIRED --tee tdx "$v/tdx/gotdx-v4-spr.bin" --collateral "$work/store" \
  --at 2026-11-26T00:00:00Z
expect 2 - --tee sgx "$v/tdx/dcapqvl-tdx-v4.bin"
echo "intel_cli: all passed"
