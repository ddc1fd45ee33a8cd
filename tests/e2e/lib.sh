# shellcheck shell=bash disable=SC2154  # $confide and $shared come from the sourcing script.
# Sourced by the end-to-end shell tests, after `set -euo pipefail` and after they set $confide
# (the CLI) and, if they use the shared folder, $shared. It gives them:
#   - $work, a fresh temp folder, removed on exit after the processes listed in $pids are killed;
#   - fail MESSAGE and wait_for_file FILE;
#   - pack_mnist8: an owner key, the mnist8 model package with its key, and signers.toml in $work;
#   - expect (for `confide attest verify`) and expect_remote (for `confide attest remote`), which
#     check an exit code and a reason.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for_file() {
  for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.1; done
  fail "timed out waiting for $1"
}

# Writes $work/owner.key (and owner.pub), $work/mnist8.cfpkg signed by it, its key
# $work/mnist8.key, and $work/signers.toml trusting the owner.
pack_mnist8() {
  "$confide" keygen -o "$work/owner.key" >/dev/null
  "$confide" pack "$shared/models/mnist8.onnx" --signer "$work/owner.key" -o "$work/mnist8.cfpkg" \
      --key-out "$work/mnist8.key" >/dev/null
  printf '[[signer]]\nname = "owner"\npublic_key_file = "owner.pub"\n' >"$work/signers.toml"
}

# expect EXIT_CODE REASON|- ARGS...: runs `confide attest verify ARGS`, checks the exit code and
# (unless -) that REASON appears in a failed check. The output stays in $work/out; the line it
# prints shows paths relative to $work and $shared.
expect() {
  local want=$1 reason=$2; shift 2
  local rc=0
  "$confide" attest verify "$@" >"$work/out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { cat "$work/out" >&2; fail "exit $rc, wanted $want: $*"; }
  if [ "$reason" != - ]; then
    grep -q "\[FAIL\] .*$reason" "$work/out" || { cat "$work/out" >&2; fail "no $reason: $*"; }
  fi
  echo "ok: exit $rc ${reason/-/} <- $*" | sed "s#$work/##g; s#${shared:-$work}/##g"
}

# expect_remote URL POLICY EXIT REASON: runs `confide attest remote URL --policy POLICY`, checks
# the exit code and (unless REASON is empty) that REASON appears in the output.
expect_remote() {
  local out code
  set +e
  out=$("$confide" attest remote "$1" --policy "$2" 2>&1)
  code=$?
  set -e
  [ "$code" -eq "$3" ] || { echo "$out"; fail "attest remote $2: exit $code, expected $3"; }
  if [ -n "$4" ]; then
    grep -q "$4" <<<"$out" || { echo "$out"; fail "attest remote $2: no $4 in the output"; }
  fi
  echo "ok: $(basename "$2") -> exit $code ${4:-}"
}
