#!/bin/sh
# PID 1 of the Nitro enclave image (deploy/nitro/Dockerfile). Not tested here (no Nitro hardware).
# Inbound: the parent's socat connects to vsock port 8443, relayed to the server on loopback.
# Outbound (optional): the key broker, reached through the parent's vsock-proxy on vsock port
# 8000 (CID 3 = the parent instance), appears in the enclave as 127.0.0.1:8000; the bundle's
# confide-server.toml then says kbs = "127.0.0.1:8000".
set -eu
ip link set lo up
socat VSOCK-LISTEN:8443,fork,reuseaddr TCP:127.0.0.1:8443 &
socat TCP-LISTEN:8000,bind=127.0.0.1,fork,reuseaddr VSOCK-CONNECT:3:8000 &
exec /confide/run.sh --tee nitro --host 127.0.0.1 --port 8443
