#!/usr/bin/env python3
"""confide-server's tamper-evident audit log with real processes (issue 7): model-key use and
attestation requests land in --audit-log; after a SIGTERM (final signed checkpoint) `confide audit
verify --key STATE/audit.pub` accepts it; a restart unseals the same log key and extends the same
chain; an edited record is caught and named.
"""
import json
import os
import signal
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CLI, Env, Server, run  # noqa: E402


def export(db):
    return json.loads(run(CLI, "audit", "export", "--json", db).stdout)


def verify(env, db):
    return run(CLI, "audit", "verify", db, "--key", env.path("state/audit.pub"), check=False)


def serve_and_attest(env, db, stop_signal=signal.SIGTERM):
    server = Server(env, [env.package + ":" + env.path("diagnosis.key")],
                    extra=["--audit-log", db])
    run(CLI, "attest", "remote", server.url, "--policy", env.policy, "--nonce")
    assert server.stop(stop_signal) == 0, server.logs()
    assert '"event":"audit_closed"' in server.logs().replace(" ", ""), server.logs()
    return server.logs()


def main():
    env = Env()
    try:
        db = env.path("audit.db")
        logs = serve_and_attest(env, db)
        assert os.path.exists(env.path("state/audit-key.sealed")), logs
        v = verify(env, db)
        assert v.returncode == 0 and v.stdout.startswith("OK:") and "(pinned)" in v.stdout, v.stdout
        events = export(db)
        kinds = [e["kind"] for e in events]
        assert kinds[0] == "model_key_use", kinds
        assert events[0]["model_id"] == "diagnosis", events[0]
        assert "key_origin=key-file" in events[0]["claims_summary"], events[0]
        attest = [e for e in events if e["kind"] == "attestation_request"]
        summaries = sorted(e["claims_summary"] for e in attest)
        assert summaries == ["kind=certificate", "kind=fresh"], summaries
        for e in attest:
            assert e["result"] == "ok" and e["tee_type"] == "sev-snp", e
            assert e["requester"].startswith("127.0.0.1:"), e
            assert len(e["evidence_digest"]) == 64, e
        # The evidence digests differ: the certificate's bundle vs the fresh nonce-bound one.
        assert attest[0]["evidence_digest"] != attest[1]["evidence_digest"], attest
        # The JSON log carries the same events with their audit seq.
        assert '"audit_seq":1' in logs.replace(" ", ""), logs

        # A restart unseals the same key (the second key-use comes from the sealed cache) and
        # extends the same chain. SIGHUP (a closed terminal) also stops it gracefully.
        serve_and_attest(env, db, signal.SIGHUP)
        v = verify(env, db)
        assert v.returncode == 0, v.stdout
        again = export(db)
        assert len(again) == 2 * len(events), [e["kind"] for e in again]
        assert again[:len(events)] == events
        assert "key_origin=sealed-cache" in again[len(events)]["claims_summary"], again[len(events)]

        # Edit one record: verify names it.
        with sqlite3.connect(db) as c:
            (record,) = c.execute("SELECT record FROM events WHERE seq = 2").fetchone()
            forged = bytearray(record)
            forged[-1] ^= 1
            c.execute("UPDATE events SET record = ? WHERE seq = 2", (bytes(forged),))
        v = verify(env, db)
        assert v.returncode == 1 and "TAMPERED" in v.stdout, v.stdout
        assert "first bad entry: 2" in v.stdout, v.stdout

        # --audit-log without a state folder is refused at start-up.
        p = run(os.environ["CONFIDE_SERVER"], "--tee", "sim", "--sim-dir", env.sim, "--trust",
                env.path("signers.toml"), "--model", env.package + ":" + env.path("diagnosis.key"),
                "--audit-log", env.path("other.db"), "--port", "0", check=False)
        assert p.returncode == 1 and "--state-dir" in p.stderr, p.stderr
        print("server audit e2e: OK (%d entries)" % len(again))
    finally:
        env.close()


if __name__ == "__main__":
    main()
