#!/usr/bin/env bash
# End-to-end attested TLS with real processes on loopback (issue: attestation core):
#   - a client whose policy matches the server connects (confide attest remote, exit 0);
#   - a wrong measurement, simulation not allowed, and a relay presenting the server's evidence
#     in a certificate for another key each make the handshake fail with the reason visible;
#   - openssl s_client connects and prints the certificate with the evidence extension.
# Usage: attested_tls.sh CONFIDE CONFIDE_SERVER RELAY SHARED_DIR
set -euo pipefail
confide=$1 server_bin=$2 relay_bin=$3 shared=$4
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export CONFIDE_SIM_DIR=$work/sim
sim_root=$("$confide" sim init | awk '/sim root/ {print $NF}')
[ ${#sim_root} -eq 64 ] || fail "no sim root digest from sim init"

# A model package for the server to serve.
pack_mnist8

"$server_bin" --tee sim --model "$work/mnist8.cfpkg:$work/mnist8.key" --trust "$work/signers.toml" \
    --state-dir "$work/state" --port 0 --port-file "$work/port" >"$work/server.log" 2>&1 &
pids+=($!)
wait_for_file "$work/port"
port=$(cat "$work/port")
measurement=$(sha384sum "$server_bin" | cut -d' ' -f1)

policy() {  # policy FILE ALLOW_SIMULATED MEASUREMENT
  cat > "$1" <<TOML
tee_types = ["sev-snp"]
allow_simulated = $2
sim_roots = ["$sim_root"]
max_evidence_age_seconds = 86400
[snp]
measurements = ["$3"]
TOML
}
policy "$work/good.toml" true "$measurement"
policy "$work/wrong.toml" true "$(printf '%096d' 0)"
policy "$work/nosim.toml" false "$measurement"

url=https://127.0.0.1:$port
expect_remote "$url" "$work/good.toml" 0 ""
expect_remote "$url" "$work/wrong.toml" 1 MEASUREMENT_MISMATCH
expect_remote "$url" "$work/nosim.toml" 1 SIMULATED_EVIDENCE_NOT_ALLOWED

"$relay_bin" --upstream-port "$port" --port-file "$work/relay_port" >"$work/relay.log" 2>&1 &
pids+=($!)
wait_for_file "$work/relay_port"
expect_remote "https://127.0.0.1:$(cat "$work/relay_port")" "$work/good.toml" 1 KEY_BINDING_MISMATCH

# Interop: a stock TLS client connects and shows the evidence-carrying certificate.
cert_text=$(openssl s_client -connect "127.0.0.1:$port" -tls1_3 </dev/null 2>/dev/null |
            openssl x509 -noout -text)
grep -q "2.23.133.5.4.9" <<<"$cert_text" || fail "s_client: no evidence extension"
grep -q "Subject: .*CN *= *confide" <<<"$cert_text" || fail "s_client: unexpected subject"
echo "ok: openssl s_client printed the attested certificate"
echo "attested TLS end-to-end: 5 passed, 0 failed"
