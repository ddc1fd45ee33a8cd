#!/usr/bin/env python3
"""`confide provision` with real processes (issue 7): the model owner pushes a model key to an
attested confide-server started with --await-provision.

Checks: without --await-provision a server with no key refuses to start; with it the model is
listed but not ready (model ready false, infer 503); a push signed by a key other than the
package signer's is refused (403, exit 1) and so is a push of another package's key; a client
whose policy refuses the server's measurement sends nothing (no provision request reaches the
server); the owner's push makes the model ready and inference matches the engine in-process; a
second push is refused (409); malformed bodies get 400, unknown models and servers without
--await-provision 404; pushes whose signature verified are in the audit log
(model_key_provision) while unauthenticated refusals (malformed, wrongly signed, repeated pushes,
a malformed attestation request) are only counted in /metrics (confide_refused_total); the key
use and the ready/pending model gauges are in /metrics once the push is audited; a restart
without --await-provision and without any key source serves from the sealed key cache.
"""
import base64
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CLI, DEMO, SERVER, Env, Server, run  # noqa: E402

SAMPLE_NPY = os.path.join(DEMO, "sample_input.npy")


def get_json(url):
    """GET over TLS without certificate checks: only for reading public status (ready flags)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def metrics(server):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(server.url + "/metrics", context=ctx, timeout=30) as r:
        return r.read().decode()


def post_raw(url, body):
    """A hand-made push (no appraisal: only malformed bodies, which carry no key)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def provision(env, server, key, signer, policy=None):
    return run(CLI, "provision", server.url, "--policy", policy or env.policy, "--model",
               "diagnosis", "--package", env.package, "--key", key, "--signer", signer,
               check=False)


def infer(env, server, out):
    return run(CLI, "infer", server.url, "--policy", env.policy, "--model", "diagnosis",
               "--input", "features=" + SAMPLE_NPY, "-o", out, check=False)


def provision_requests(server):
    """Requests the server has answered on the provision route. From /metrics, which counts a
    request before its reply leaves (its log line is written after)."""
    total = 0
    for line in metrics(server).splitlines():
        if line.startswith('confide_requests_total{route="provision",'):
            total += int(line.rsplit(" ", 1)[1])
    return total


def main():
    env = Env()
    try:
        # A stranger's key, also in the trust list (so only the manifest's signer_key_id and the
        # signature can tell it apart), and another package's model key.
        run(CLI, "keygen", "-o", env.path("stranger.key"))
        with open(env.path("signers.toml"), "a") as f:
            f.write('[[signer]]\nname = "stranger"\npublic_key_file = "stranger.pub"\n')
        env.pack(os.path.join(DEMO, "diagnosis_mlp.onnx"), "other")
        # The same model packed again under its name: another package (manifest digest).
        repacked = env.pack(os.path.join(DEMO, "diagnosis_mlp.onnx"), "diagnosis", "repacked")
        owner, stranger = env.path("owner.key"), env.path("stranger.key")
        db = env.path("audit.db")

        # No key source and no --await-provision: the start fails, as before.
        p = run(SERVER, "--tee", "sim", "--sim-dir", env.sim, "--trust", env.path("signers.toml"),
                "--state-dir", env.path("state"), "--model", env.package, "--port", "0",
                check=False)
        assert p.returncode != 0 and "no key for model" in p.stderr, (p.returncode, p.stderr)

        server = Server(env, [env.package], extra=["--await-provision", "--audit-log", db])
        assert "model_pending" in server.logs(), server.logs()
        status, body = get_json(server.url + "/v2/models/diagnosis/ready")
        assert (status, body) == (200, {"name": "diagnosis", "ready": False}), (status, body)
        assert get_json(server.url + "/v2/health/ready")[1] == {"ready": False}
        status, meta = get_json(server.url + "/v2/models/diagnosis")
        assert status == 200 and meta["parameters"]["ready"] is False and meta["inputs"] == [], meta
        p = infer(env, server, env.path("out0"))
        assert p.returncode != 0 and "503" in p.stderr and "confide provision" in p.stderr, p.stderr

        # Malformed bodies and unknown models: the protocol's error JSON.
        status, body = post_raw(server.url + "/v1/provision/diagnosis", "{not json")
        assert status == 400 and "not a JSON object" in body["error"], (status, body)
        status, body = post_raw(server.url + "/v1/provision/nosuch", "{}")
        assert status == 404 and "unknown model" in body["error"], (status, body)
        status, body = post_raw(server.url + "/v1/attestation", "{not json")
        assert status == 400 and "nonce" in body["error"], (status, body)
        text = metrics(server)
        assert "confide_models_loaded 0\n" in text and "confide_models_pending 1\n" in text, text

        # The policy refuses the measurement: the client stops after the handshake.
        before = provision_requests(server)
        bad_policy = env.write_policy("bad-policy.toml", measurement="00" * 48)
        p = provision(env, server, env.path("diagnosis.key"), owner, policy=bad_policy)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert "measurement" in (p.stdout + p.stderr).lower(), p.stdout + p.stderr
        assert provision_requests(server) == before, metrics(server)

        # A package the server does not serve (the same model packed again): its manifest digest
        # is not in the attested workload, so the client sends nothing.
        p = run(CLI, "provision", server.url, "--policy", env.policy, "--model", "diagnosis",
                "--package", repacked, "--key", env.path("repacked.key"), "--signer", owner,
                check=False)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert "attested workload does not include this package" in p.stderr, p.stderr
        assert provision_requests(server) == before, metrics(server)

        # Signed by another trusted key than the package's signer: refused by the server.
        p = provision(env, server, env.path("diagnosis.key"), stranger)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert "403" in p.stderr and "not signed by the package's signer" in p.stderr, p.stderr
        assert "not the package's signer" in p.stderr, p.stderr  # the client's own note
        # Another package's key, signed by the right signer: the manifest's key_check refuses it.
        p = provision(env, server, env.path("other.key"), owner)
        assert p.returncode == 1 and "wrong model key" in p.stderr, (p.returncode, p.stderr)
        assert get_json(server.url + "/v2/models/diagnosis/ready")[1]["ready"] is False
        assert provision_requests(server) == before + 2, metrics(server)
        assert before == 2, metrics(server)  # the two hand-made requests above

        # The owner's push.
        p = provision(env, server, env.path("diagnosis.key"), owner)
        assert p.returncode == 0, (p.stdout, p.stderr)
        assert "provisioned the key of 'diagnosis'" in p.stdout, p.stdout
        assert get_json(server.url + "/v2/models/diagnosis/ready")[1]["ready"] is True
        assert get_json(server.url + "/v2/health/ready")[1] == {"ready": True}
        local = env.path("local")
        run(CLI, "run", os.path.join(DEMO, "diagnosis_mlp.onnx"), "--input",
            "features=" + SAMPLE_NPY, "-o", local)
        expected = open(os.path.join(local, "probabilities.npy"), "rb").read()
        p = infer(env, server, env.path("out1"))
        assert p.returncode == 0, p.stderr
        assert open(env.path("out1/probabilities.npy"), "rb").read() == expected
        # A second push: the model has its key.
        p = provision(env, server, env.path("diagnosis.key"), owner)
        assert p.returncode != 0 and "409" in p.stderr, (p.returncode, p.stderr)
        text = metrics(server)
        for line in ['confide_refused_total{route="provision",reason="BAD_REQUEST"} 1',
                     'confide_refused_total{route="provision",reason="SIGNATURE_INVALID"} 1',
                     'confide_refused_total{route="provision",reason="ALREADY_PROVISIONED"} 1',
                     'confide_refused_total{route="attestation_fresh",reason="BAD_REQUEST"} 1',
                     'confide_model_keys_total{origin="provision"} 1',
                     "confide_models_loaded 1\n", "confide_models_pending 0\n"]:
            assert line in text, (line, text)
        assert server.stop() == 0, server.logs()
        logs = server.logs()  # whole: the server has exited
        key = open(env.path("diagnosis.key"), "rb").read()[-32:]
        key_forms = [key.hex(), key.hex().upper(), base64.b64encode(key).decode()]

        def assert_no_key(text, where):
            for form in key_forms:
                assert form not in text, "the model key appears in " + where

        assert_no_key(logs, "the server log")

        # Only the signed pushes' decisions are audited; no refused attestation request is.
        exported = json.loads(run(CLI, "audit", "export", "--json", db).stdout)
        assert all(e["result"] == "ok" for e in exported
                   if e["kind"] == "attestation_request"), exported
        events = [e for e in exported if e["kind"] == "model_key_provision"]
        got = [(e["result"], e["reasons"]) for e in events]
        assert got == [("refused", ["WRONG_KEY"]), ("ok", [])], got
        assert all(e["model_id"] == "diagnosis" for e in events), events

        # Restart with no key source and no --await-provision: the sealed cache has the key.
        again = Server(env, [env.package])
        assert '"key_origin":"sealed-cache"' in again.logs().replace(" ", ""), again.logs()
        p = infer(env, again, env.path("out2"))
        assert p.returncode == 0, p.stderr
        assert open(env.path("out2/probabilities.npy"), "rb").read() == expected
        status, body = post_raw(again.url + "/v1/provision/diagnosis", "{}")
        assert status == 404 and "--await-provision" in body["error"], (status, body)
        assert again.stop() == 0, again.logs()
        again_logs = again.logs()
        assert_no_key(again_logs, "the restarted server's log")
        print("server provision e2e: OK")
    finally:
        env.close()


if __name__ == "__main__":
    main()
