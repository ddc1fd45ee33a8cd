#!/usr/bin/env bash
# e2e.bundle: `confide bundle` with the demo model on the TEE simulator, started from a moved copy.
#   1. bundle -> directory + .tar.gz; no owner signing key inside; SHA256SUMS and the Gramine
#      manifest's trusted-file hashes match sha256sum; each bundled library resolves from lib/.
#   2. a non-empty output is refused without --force; --force replaces a bundle, never other data;
#      a bundle that fails half-way (missing key file, bad template) leaves nothing behind.
#   3. the archive is unpacked elsewhere, the original deleted, and run.sh started from another
#      working directory: attest remote and infer with the generated client-policy.toml succeed,
#      the remote argmax equals the true labels in demo/sample_labels.json;
#   4. with the policy's measurement altered by one digit both fail with exit code 1.
# Usage: bundle_test.sh CONFIDE CONFIDE_SERVER SOURCE_DIR
set -euo pipefail
cli=$1 srv=$2 src=$3
work=$(mktemp -d -t confide-bundle.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${BUNDLE_TEST_KEEP:-}" ] && trap - EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && tail -20 "$work/server.log" >&2; exit 1; }
ok() { echo "ok: $*"; }

export CONFIDE_SIM_DIR="$work/sim"
"$cli" sim init --dir "$CONFIDE_SIM_DIR" >/dev/null
# A stripped copy, as deployed (the build's debug info would make the bundle ~150 MB and slow).
strip -o "$work/confide-server" "$srv"
srv="$work/confide-server"
"$cli" keygen -o "$work/owner.key" >/dev/null
printf '[[signer]]\nname = "demo-owner"\npublic_key_file = "owner.pub"\n' >"$work/signers.toml"
"$cli" pack "$src/demo/diagnosis_mlp.onnx" --signer "$work/owner.key" --name diagnosis \
  -o "$work/diagnosis.cfpkg" --key-out "$work/diagnosis.key" >/dev/null

# 1. The bundle.
b="$work/out/bundle"
"$cli" bundle -o "$b" --tee sim --server "$srv" --model "$work/diagnosis.cfpkg:$work/diagnosis.key" \
  --trust "$work/signers.toml" --port 8443 >"$work/bundle.out"
for f in run.sh confide-server.toml bin/confide-server models/diagnosis.cfpkg keys/diagnosis.cfpkg.key \
         trust/signers.toml gramine/confide-server.manifest.template reference-values.toml \
         client-policy.toml SHA256SUMS; do
  [ -f "$b/$f" ] || fail "bundle lacks $f"
done
[ -x "$b/run.sh" ] || fail "run.sh not executable"
[ "$(stat -c %a "$b/keys/diagnosis.cfpkg.key")" = 600 ] || fail "model key not 0600"
cmp -s "$b/keys/diagnosis.cfpkg.key" "$work/diagnosis.key" || fail "model key differs"
cmp -s "$b/bin/confide-server" "$srv" || fail "server differs"
! grep -rl --exclude-dir=lib --exclude-dir=bin "PRIVATE KEY" "$b" >/dev/null || fail "a private key is in the bundle"
! grep -rqF "$(sed -n 2p "$work/owner.key")" "$b" || fail "the owner key is in the bundle"
ok "bundle written; the owner signing key is not in it"
(cd "$b" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match"
measurement=$(sha384sum "$srv" | cut -d' ' -f1)
sim_root=$(openssl x509 -in "$CONFIDE_SIM_DIR/ark.pem" -pubkey -noout |
  openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
grep -qx "measurements = \[\"$measurement\"\]" "$b/client-policy.toml" || fail "policy measurement"
grep -qx "sim_roots = \[\"$sim_root\"\]" "$b/client-policy.toml" || fail "policy sim root"
grep -qx "measurement = \"$measurement\"" "$b/reference-values.toml" || fail "reference measurement"
ok "client policy pins sha384(confide-server) = ${measurement:0:16}... and the sim root"
n=0
while read -r uri sha; do
  [ "$(sha256sum "$b/$uri" | cut -d' ' -f1)" = "$sha" ] || fail "manifest hash of $uri"
  n=$((n + 1))
done < <(sed -n 's/^  { uri = "file:\([^"]*\)", sha256 = "\([0-9a-f]\{64\}\)" },\?$/\1 \2/p' \
           "$b/gramine/confide-server.manifest.template")
expected=$(cd "$b" && find bin lib models keys trust confide-server.toml -type f | wc -l)
[ "$n" = "$expected" ] || fail "manifest lists $n trusted files, bundle has $expected"
! grep -qE '%%(TRUSTED_FILES|ENCLAVE_SIZE|MAX_THREADS)%%' "$b/gramine/confide-server.manifest.template" || fail "placeholder left in manifest"
ok "Gramine manifest: $n trusted files, each sha256 matches"
libs=$(ls "$b/lib" | wc -l)
[ "$libs" -gt 0 ] || fail "no library bundled"
resolved=$(LD_LIBRARY_PATH="$b/lib" ldd "$b/bin/confide-server")
for lib in "$b"/lib/*; do
  grep -qF "=> $lib " <<<"$resolved" ||
    fail "$(basename "$lib") does not resolve from lib/"
done
! ls "$b/lib" | grep -qE '^(libc\.so|ld-linux|libm\.so)' || fail "C runtime bundled"
ok "$libs libraries in lib/, each resolved from there (C runtime left to the system)"

# 2. Overwrite protection.
set +e
"$cli" bundle -o "$b" --tee sim --server "$srv" --model "$work/diagnosis.cfpkg" \
  --trust "$work/signers.toml" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "not empty" "$work/err" || fail "non-empty output accepted (rc $rc)"
mkdir -p "$work/data" && echo keep >"$work/data/file"
set +e
"$cli" bundle -o "$work/data" --force --tee sim --server "$srv" --model "$work/diagnosis.cfpkg" \
  --trust "$work/signers.toml" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" = 2 ] && [ -f "$work/data/file" ] || fail "--force replaced a folder that is not a bundle"
"$cli" bundle -o "$b" --force --tee sim --server "$srv" \
  --model "$work/diagnosis.cfpkg:$work/diagnosis.key" --trust "$work/signers.toml" \
  --tar "$work/bundle.tar.gz" --port 8443 >/dev/null || fail "--force over a bundle"
set +e
"$cli" bundle -o "$work/partial" --tee sim --server "$srv" --model "$work/diagnosis.cfpkg:$work/nokey" \
  --trust "$work/signers.toml" >/dev/null 2>"$work/err"; rc=$?
"$cli" bundle -o "$work/partial2" --tee sim --server "$srv" --model "$work/diagnosis.cfpkg" \
  --trust "$work/signers.toml" --manifest-template /dev/null >/dev/null 2>>"$work/err"; rc2=$?
set -e
[ "$rc" = 3 ] && [ "$rc2" = 2 ] && [ ! -e "$work/partial" ] && [ ! -e "$work/partial2" ] ||
  fail "failed bundles: rc $rc/$rc2 or output left behind"
ok "non-empty output refused (exit 2); --force replaces a bundle only; a failed bundle leaves nothing"

# A real-TEE target: no ready policy (the measurement is not the bundle's to know), a template.
"$cli" bundle -o "$work/sgx" --tee sgx --server "$srv" --model "$work/diagnosis.cfpkg" \
  --trust "$work/signers.toml" >/dev/null
[ ! -e "$work/sgx/client-policy.toml" ] && [ -f "$work/sgx/client-policy.toml.in" ] &&
  [ ! -e "$work/sgx/keys" ] || fail "sgx bundle: policy files or keys"
grep -qx 'tee = "sgx"' "$work/sgx/confide-server.toml" && ! grep -q sim-dir "$work/sgx/confide-server.toml" ||
  fail "sgx bundle: configuration"
grep -q 'mrenclave = "FILL IN' "$work/sgx/reference-values.toml" || fail "sgx bundle: reference values"
rm -rf "$work/sgx"
ok "--tee sgx: backend sgx, no key copied unasked, client-policy.toml.in with the value to fill in"

# 3. Run from an unpacked copy elsewhere, from another working directory.
mkdir -p "$work/elsewhere"
tar -xzf "$work/bundle.tar.gz" -C "$work/elsewhere"
rm -rf "$work/out"
m="$work/elsewhere/bundle"
(cd "$m" && sha256sum --quiet -c SHA256SUMS) || fail "unpacked archive does not match SHA256SUMS"
(cd / && exec "$m/run.sh" --port 0 --port-file "$work/port") 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 600); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || fail "bundled server did not start"
url="https://127.0.0.1:$(cat "$work/port")"
grep -q '"backend":"sim"' "$work/server.log" || fail "server did not use the sim backend"
ok "run.sh started the server from the unpacked copy ($url)"
"$cli" attest remote "$url" --policy "$m/client-policy.toml" --nonce >"$work/attest.out" ||
  fail "attest remote with the generated policy"
ok "attest remote: accepted with client-policy.toml"
"$cli" infer "$url" --policy "$m/client-policy.toml" --model diagnosis \
  --input "features=$src/demo/sample_input.npy" >"$work/infer.out" || fail "infer"
remote=$(grep -o 'argmax per row:.*' "$work/infer.out" || true)
expected=$(/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("argmax per row: " + " ".join(str(d["classes"].index(l)) for l in d["labels"]))' \
  "$src/demo/sample_labels.json")
[ "$remote" = "$expected" ] || fail "infer gave '$remote', demo/sample_labels.json says '$expected'"
ok "infer: $remote (the labels of demo/sample_labels.json)"

# 4. A policy with another measurement is refused.
last=${measurement: -1}
[ "$last" = 0 ] && other=1 || other=0
sed "s/$measurement/${measurement%?}$other/" "$m/client-policy.toml" >"$work/altered.toml"
! cmp -s "$work/altered.toml" "$m/client-policy.toml" || fail "policy not altered"
set +e
"$cli" attest remote "$url" --policy "$work/altered.toml" >"$work/altered.out" 2>&1; rc1=$?
"$cli" infer "$url" --policy "$work/altered.toml" --model diagnosis \
  --input "features=$src/demo/sample_input.npy" >"$work/altered-infer.out" 2>&1; rc2=$?
set -e
[ "$rc1" = 1 ] || { cat "$work/altered.out"; fail "attest remote with an altered measurement: rc $rc1"; }
[ "$rc2" = 1 ] || { cat "$work/altered-infer.out"; fail "infer with an altered measurement: rc $rc2"; }
grep -qi "measurement" "$work/altered.out" || fail "rejection does not name the measurement"
ok "altered measurement: attest remote and infer refused (exit 1)"
kill -TERM "$server_pid"; wait "$server_pid" || fail "server did not stop cleanly"; server_pid=""
echo "e2e.bundle: OK"
