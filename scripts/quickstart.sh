#!/usr/bin/env bash
# README command one: builds confide, then runs the main job end to end on this machine with the
# TEE simulator: a model owner packs the demo model (demo/diagnosis_mlp.onnx, made by
# demo/make_model.py) with its key sealed to a key broker; the key broker (confide kbs serve)
# starts with a release policy for the model; confide-server starts "in the TEE", obtains the
# model key from the broker by attestation, decrypts the package in memory and serves it over
# attested TLS on loopback; a client verifies the server's evidence against a policy, runs
# inference (attested TLS, then HPKE-sealed), and everything shuts down. The server is restarted
# once with the key broker down, to show the sealed-key cache.
# Set CONFIDE_BUILD_DIR to use an existing build instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build="${CONFIDE_BUILD_DIR:-}"
if [ -z "$build" ]; then
  bash scripts/build.sh default
  build=build/default
fi
cli="$root/$build/apps/confide/confide"
srv="$root/$build/apps/confide-server/confide-server"
[[ "$build" = /* ]] && cli="$build/apps/confide/confide" && srv="$build/apps/confide-server/confide-server"
"$cli" --version
"$cli" selftest >/dev/null

work="$(mktemp -d -t confide-quickstart.XXXXXX)"
server_pid=""
kbs_pid=""
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then  # the servers' logs say why a step failed (they hold no secrets)
    for log in server.log kbs.log; do
      [ -s "$work/$log" ] && { echo "--- $log (last 40 lines)"; tail -n 40 "$work/$log"; }
    done
  fi
  for pid in "$server_pid" "$kbs_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
export CONFIDE_SIM_DIR="$work/sim"
step() { printf '\n== %s\n' "$*"; }
ms() { date +%s%N | cut -c1-13; }

step "1. simulated TEE: create its PKI and sealing root (a real server skips this)"
"$cli" sim init --dir "$CONFIDE_SIM_DIR" | head -3

step "2. key broker: its keys, TLS identity and admin token"
"$cli" kbs init --dir "$work/kbs" --port 0 | sed -n '1,4p'
echo 'port_file = "kbs.port"' >>"$work/kbs/kbs.toml"
kbs_pin=$(cat "$work/kbs/kbs.pin")

step "3. model owner: signing key, trust list, encrypted package; the model key sealed to the broker"
"$cli" keygen -o "$work/owner.key" >/dev/null
printf '[[signer]]\nname = "demo-owner"\npublic_key_file = "owner.pub"\n' >"$work/signers.toml"
"$cli" pack demo/diagnosis_mlp.onnx --signer "$work/owner.key" --name diagnosis \
  -o "$work/diagnosis.cfpkg" --seal-to "$work/kbs/import.pub" >/dev/null
echo "packed demo/diagnosis_mlp.onnx -> diagnosis.cfpkg (AES-256-GCM chunks, signed manifest)"
echo "model key HPKE-sealed to the key broker -> diagnosis.cfpkg.key.sealed (no plaintext key file)"

step "4. model owner and relying party: the policy (measurement of confide-server, the simulator's root)"
measurement=$(sha384sum "$srv" | cut -d' ' -f1)
sim_root=$(openssl x509 -in "$CONFIDE_SIM_DIR/ark.pem" -pubkey -noout |
  openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
cat >"$work/policy.toml" <<TOML
# Accept only this confide-server build, on the local simulator (never do this in production).
tee_types = ["sev-snp"]
allow_simulated = true
sim_roots = ["$sim_root"]
max_evidence_age_seconds = 86400
[snp]
measurements = ["$measurement"]
TOML
cat "$work/policy.toml"

start_server() {  # $1 = model spec
  rm -f "$work/port"
  "$srv" --tee sim --sim-dir "$CONFIDE_SIM_DIR" --trust "$work/signers.toml" --model "$1" \
    --state-dir "$work/state" --port 0 --port-file "$work/port" \
    --kbs "127.0.0.1:${kbs_port:-1}" --kbs-pin "$kbs_pin" 2>>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 1 600); do  # up to 30 s; stop waiting if the server has exited
    [ -s "$work/port" ] || ! kill -0 "$server_pid" 2>/dev/null && break; sleep 0.05
  done
  [ -s "$work/port" ] || { cat "$work/server.log"; echo "server did not start"; exit 1; }
  url="https://127.0.0.1:$(cat "$work/port")"
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""; }

step "5. key broker: serve, and register the model with its release policy"
"$cli" kbs serve --config "$work/kbs/kbs.toml" 2>>"$work/kbs.log" &
kbs_pid=$!
for _ in $(seq 1 600); do  # up to 30 s; stop waiting if the broker has exited
  [ -s "$work/kbs/kbs.port" ] || ! kill -0 "$kbs_pid" 2>/dev/null && break; sleep 0.05
done
[ -s "$work/kbs/kbs.port" ] || { cat "$work/kbs.log"; echo "key broker did not start"; exit 1; }
kbs_port=$(cat "$work/kbs/kbs.port")
"$cli" kbs add --port "$kbs_port" --pin "$kbs_pin" --token-file "$work/kbs/secrets/admin.token" \
  --model diagnosis --policy "$work/policy.toml" --sealed-key "$work/diagnosis.cfpkg.key.sealed"
echo "key broker on 127.0.0.1:$kbs_port releases 'diagnosis' only to TEEs that meet policy.toml"

step "6. operator: start confide-server (the key is released by the broker after attestation)"
t0=$(ms); start_server "$work/diagnosis.cfpkg"; t1=$(ms)
key_origin() { grep -o '"key_origin":"[a-z-]*"' "$work/server.log" | tail -1; }
key_origin
[ "$(key_origin)" = '"key_origin":"kbs"' ] || { echo "expected the key from the broker"; exit 1; }
echo "listening on $url (start-up incl. key release $((t1 - t0)) ms)"

step "7. client: verify the live server's attestation (in the TLS handshake)"
t0=$(ms); "$cli" attest remote "$url" --policy "$work/policy.toml" --nonce; t1=$(ms)
echo "(handshake + appraisal + fresh-nonce evidence: $((t1 - t0)) ms)"

step "8. client: inference over attested TLS"
labels=$(python3 -c 'import json;print(", ".join(json.load(open("demo/sample_labels.json"))["labels"]))')
echo "sample rows (demo/sample_input.npy), true labels: $labels; classes: 0 healthy, 1 at risk, 2 ill"
"$cli" infer "$url" --policy "$work/policy.toml" --model diagnosis \
  --input features=demo/sample_input.npy --repeat 20

step "9. client: sealed inference (HPKE to the attested key; proxies see only ciphertext)"
"$cli" infer "$url" --policy "$work/policy.toml" --model diagnosis \
  --input features=demo/sample_input.json --sealed

step "10. restart with the key broker down: the key is unsealed from the TEE-sealed cache"
stop_server
kill -TERM "$kbs_pid"; wait "$kbs_pid" || true; kbs_pid=""
start_server "$work/diagnosis.cfpkg"
key_origin
[ "$(key_origin)" = '"key_origin":"sealed-cache"' ] || { echo "expected the sealed key"; exit 1; }
"$cli" infer "$url" --policy "$work/policy.toml" --model diagnosis \
  --input features=demo/sample_input.npy | tail -n +2

step "11. shut down (SIGTERM: graceful)"
stop_server
echo "quickstart: OK"
