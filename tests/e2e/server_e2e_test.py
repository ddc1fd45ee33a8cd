#!/usr/bin/env python3
"""End-to-end tests of confide-server and the confide client with real processes on loopback.

Run by CTest (e2e.server, registered in tests/e2e/CMakeLists.txt) or by hand:
CONFIDE_CLI=build/x/apps/confide/confide CONFIDE_SERVER=... python3 tests/e2e/server_e2e_test.py
"""
import errno
import json
import os
import re
import socket
import struct
import subprocess
import threading
import unittest
import urllib.request

from harness import CLI, DEMO, Env, Server, run

SAMPLE_NPY = os.path.join(DEMO, "sample_input.npy")
SAMPLE_JSON = os.path.join(DEMO, "sample_input.json")


class Relay:
    """A plain TCP relay that records every byte it forwards, both ways."""

    def __init__(self, target_port):
        self.target = target_port
        self.recorded = bytearray()
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            s = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((c, s), (s, c)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, src, dst):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:
                self.recorded += data
            dst.sendall(data)


class ServerE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = Env()
        cls.addClassCleanup(cls.env.close)  # runs even when the server below fails to start
        cls.server = Server(cls.env, [cls.env.package + ":" + cls.env.path("diagnosis.key")],
                            extra=["--max-request-bytes", "1000000"])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def infer(self, url, *extra, policy=None, check=True, out=None):
        args = [CLI, "infer", url, "--policy", policy or self.env.policy, "--model", "diagnosis",
                "--input", "features=" + SAMPLE_NPY] + list(extra)
        if out:
            args += ["-o", out]
        return run(*args, check=check)

    def expected_output(self):
        out = self.env.path("local")
        run(CLI, "run", os.path.join(DEMO, "diagnosis_mlp.onnx"), "--input",
            "features=" + SAMPLE_NPY, "-o", out)
        return open(os.path.join(out, "probabilities.npy"), "rb").read()

    def test_attested_tls_inference_matches_the_engine_in_process(self):
        out = self.env.path("tls-out")
        p = self.infer(self.server.url, out=out)
        self.assertIn("attested TLS", p.stdout)
        got = open(os.path.join(out, "probabilities.npy"), "rb").read()
        self.assertEqual(got, self.expected_output())

    def test_json_tensor_input_and_output(self):
        p = run(CLI, "infer", self.server.url, "--policy", self.env.policy, "--model", "diagnosis",
                "--input", "features=" + SAMPLE_JSON, "--json-tensors")
        self.assertIn("argmax per row", p.stdout)

    def test_sealed_inference_through_a_recording_relay_leaks_no_plaintext(self):
        relay = Relay(self.server.plain_port)
        out = self.env.path("sealed-out")
        p = self.infer("http://127.0.0.1:%d" % relay.port, "--sealed", out=out)
        self.assertIn("sealed", p.stdout)
        output = open(os.path.join(out, "probabilities.npy"), "rb").read()
        self.assertEqual(output, self.expected_output())
        recorded = bytes(relay.recorded)
        self.assertGreater(len(recorded), 500)
        inputs = open(SAMPLE_NPY, "rb").read()[128:]  # the raw float32 data after the header
        out_data = output[128:]
        for secret in (inputs, out_data, inputs[:16], out_data[:16], b"features", b"probabilities"):
            self.assertNotIn(secret, recorded)
        for row in json.load(open(SAMPLE_JSON))["data"]:
            self.assertNotIn(("%g" % row[0]).encode(), recorded.replace(b"\x00", b""))

    def test_restart_unseals_the_cached_key_without_any_key_source(self):
        second = Server(self.env, [self.env.package])  # no key file, no key broker
        try:
            self.assertIn('"key_origin":"sealed-cache"', second.logs())
            self.infer(second.url)
        finally:
            self.assertEqual(second.stop(), 0)

    def test_server_without_any_key_refuses_to_start(self):
        with self.assertRaises(AssertionError):
            Server(self.env, [self.env.package], state="empty-state")

    def refused(self, policy, reason):
        p = self.infer(self.server.url, policy=policy, check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(reason, p.stdout + p.stderr)

    def test_client_refuses_a_wrong_measurement(self):
        self.refused(self.env.write_policy("wrong.toml", measurement="ab" * 48),
                     "MEASUREMENT_MISMATCH")

    def test_client_refuses_simulated_evidence_under_a_production_policy(self):
        self.refused(self.env.write_policy("prod.toml", allow_simulated=False),
                     "SIMULATED_EVIDENCE_NOT_ALLOWED")

    def test_client_refuses_evidence_older_than_the_policy_allows(self):
        self.refused(self.env.write_policy("young.toml", max_age=10), "EVIDENCE_TOO_OLD")

    def test_attest_remote_explains_and_saves_the_certificate(self):
        pem = self.env.path("server.pem")
        p = run(CLI, "attest", "remote", self.server.url, "--policy", self.env.policy, "--nonce",
                "--save-cert", pem)
        self.assertIn("measurement", p.stdout)
        self.assertIn("sha256//", p.stdout)
        self.assertTrue(open(pem).read().startswith("-----BEGIN CERTIFICATE-----"))
        j = json.loads(run(CLI, "attest", "remote", self.server.url, "--policy", self.env.policy,
                           "--json").stdout)
        self.assertEqual(j["appraisal"]["ear_status"], "affirming")

    def test_openssl_s_client_shows_the_evidence_extension(self):
        p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.server.port],
                           input="", capture_output=True, text=True, timeout=30)
        cert = subprocess.run(["openssl", "x509", "-noout", "-text"], input=p.stdout,
                              capture_output=True, text=True).stdout
        self.assertIn("2.23.133.5.4.9", cert)
        self.assertIn("confide-server", cert)

    def test_curl_and_requests_reach_the_v2_endpoints_after_verification(self):
        p = run(CLI, "attest", "remote", self.server.url, "--policy", self.env.policy)
        pin = [w for w in p.stdout.split() if w.startswith("sha256//")][0]
        base = self.server.url
        ready = run("curl", "-sk", "--pinnedpubkey", pin, base + "/v2/health/ready").stdout
        self.assertEqual(json.loads(ready), {"ready": True})
        meta = json.loads(run("curl", "-sk", "--pinnedpubkey", pin, base + "/v2/models/diagnosis").stdout)
        self.assertEqual(meta["inputs"][0]["name"], "features")
        body = json.dumps({"inputs": [dict(json.load(open(SAMPLE_JSON)), name="features")]})
        res = json.loads(run("curl", "-sk", "--pinnedpubkey", pin, "-H", "Content-Type: application/json",
                             "-d", body, base + "/v2/models/diagnosis/infer").stdout)
        self.assertEqual(res["outputs"][0]["shape"], [4, 3])
        import requests  # Debian python3-requests
        import urllib3
        urllib3.disable_warnings()
        r = requests.post(base + "/v2/models/diagnosis/infer", data=body, verify=False, timeout=30)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.json()["outputs"][0]["data"]), 12)
        self.assertEqual(requests.get(base + "/v2", verify=False, timeout=30).json()["name"],
                         "confide-server")

    def test_one_connection_serves_many_requests(self):
        # A reconnect costs the client a handshake and a full appraisal, so a kept-alive
        # connection must not be closed after a handful of requests (cpp-httplib's default is 5).
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", self.server.port)) as raw:
            with ctx.wrap_socket(raw) as tls:
                reader = tls.makefile("rb")
                for i in range(50):
                    tls.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
                    status = reader.readline()
                    self.assertIn(b" 200 ", status, "request %d" % i)
                    length = 0
                    while True:
                        line = reader.readline()
                        self.assertNotEqual(line, b"", "connection closed after %d requests" % i)
                        if line in (b"\r\n", b"\n"):
                            break
                        name, _, value = line.decode().partition(":")
                        if name.strip().lower() == "content-length":
                            length = int(value)
                        self.assertNotEqual((name.strip().lower(), value.strip().lower()),
                                            ("connection", "close"), "request %d" % i)
                    reader.read(length)

    def test_no_other_socket_can_share_the_server_ports(self):
        # With SO_REUSEPORT (cpp-httplib's default) another process of the same user could bind
        # the port too, and the kernel would hand it a share of the clients' connections.
        for port in (self.server.port, self.server.plain_port):
            with socket.socket() as intruder:
                intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                with self.assertRaises(OSError, msg="port %d" % port) as e:
                    intruder.bind(("127.0.0.1", port))
                self.assertEqual(e.exception.errno, errno.EADDRINUSE)

    def raw_status(self, port, request, tls=True):
        """Sends `request` bytes on a new connection; returns the reply's status line."""
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
            with (ctx.wrap_socket(raw) if tls else raw) as conn:
                conn.sendall(request)
                with conn.makefile("rb") as reply:
                    return reply.readline().decode().strip()

    def test_bodies_of_unbounded_size_are_refused_before_they_are_read(self):
        # cpp-httplib bounds a body only through its Content-Length; a chunked, unsized or
        # compressed body would be read (or inflated) without limit. Only the headers are sent:
        # the server must answer before reading any body (and a body it left unread could reset
        # the connection before its answer is read).
        head = b"POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        chunked = b"Transfer-Encoding: chunked\r\n\r\n"
        unsized = b"\r\n"
        gzip = b"Content-Encoding: gzip\r\nContent-Length: 4\r\n\r\n"
        for port, tls in ((self.server.port, True), (self.server.plain_port, False)):
            for path in (b"/v1/attestation", b"/v1/sealed/models/diagnosis/infer"):
                for framing, status in ((chunked, " 411 "), (unsized, " 411 "), (gzip, " 415 ")):
                    self.assertIn(status, self.raw_status(port, head % path + framing, tls),
                                  (port, path, framing))
        path = b"/v2/models/diagnosis/infer"
        self.assertIn(" 411 ", self.raw_status(self.server.port, head % path + chunked))
        # The small-JSON routes take at most 64 KiB, whatever --max-request-bytes allows.
        for path in (b"/v1/attestation", b"/v1/provision/diagnosis"):
            big = b"Content-Length: 100000\r\n\r\n"
            self.assertIn(" 413 ", self.raw_status(self.server.port, head % path + big), path)

    def test_bad_requests_get_oip_errors_with_the_right_status(self):
        import requests
        import urllib3
        urllib3.disable_warnings()
        base = self.server.url + "/v2/models/"

        def post(path, data):
            return requests.post(base + path, data=data, verify=False, timeout=30)
        good = dict(json.load(open(SAMPLE_JSON)), name="features")
        cases = [
            ("nosuch/infer", json.dumps({"inputs": [good]}), 404),
            ("diagnosis/infer", "{not json", 400),
            ("diagnosis/infer", json.dumps({"inputs": [dict(good, shape=[2, 4])]}), 400),
            ("diagnosis/infer", json.dumps({"inputs": [dict(good, shape=[8, 2])]}), 400),
            ("diagnosis/infer", json.dumps({"inputs": [dict(good, datatype="INT64")]}), 400),
            ("diagnosis/infer", json.dumps({"inputs": [dict(good, name="other")]}), 400),
            ("diagnosis/infer", "x" * 1500000, 413),
            ("diagnosis/versions/9/infer", json.dumps({"inputs": [good]}), 404),
        ]
        for path, data, status in cases:
            r = post(path, data)
            self.assertEqual(r.status_code, status, (path, data[:80], r.text))
            self.assertIn("error", r.json())
        self.assertEqual(requests.get(base + "nosuch", verify=False).status_code, 404)
        # A model name that is not UTF-8 is named in the error JSON (escaped), and no handler
        # exception (with httplib's EXCEPTION_WHAT header) escapes.
        for path in ("%FF", "%C3%28/ready", "%FF/infer"):
            call = requests.post if path.endswith("infer") else requests.get
            r = call(base + path, verify=False, timeout=30)
            self.assertEqual(r.status_code, 404, (path, r.text))
            self.assertIn("error", r.json())
            self.assertNotIn("EXCEPTION_WHAT", r.headers)
        metrics = requests.get(self.server.url + "/metrics", verify=False).text
        self.assertIn('confide_requests_total{route="infer",status="400"}', metrics)
        self.assert_no_tensor_values(self.server.logs())

    def assert_no_tensor_values(self, logs):
        """No value of the sample input appears in the log, as a number or inside a string."""
        sample = set(re.findall(r"\d+\.\d+", open(SAMPLE_JSON).read()))  # e.g. "0.9435"
        self.assertTrue(sample)

        def check(value):
            if isinstance(value, dict):
                for v in value.values():
                    check(v)
            elif isinstance(value, list):
                for v in value:
                    check(v)
            elif isinstance(value, str):
                for s in sample:
                    self.assertNotIn(s, value)
            elif isinstance(value, float):
                self.assertNotIn("%g" % abs(value), sample)

        for line in logs.splitlines():
            try:
                check(json.loads(line))
            except ValueError:
                for s in sample:  # not a JSON line: no sample value in its text
                    self.assertNotIn(s, line)

    def test_result_proof_verifies_with_the_attested_key(self):
        import requests
        import urllib3
        urllib3.disable_warnings()
        body = json.dumps({"inputs": [dict(json.load(open(SAMPLE_JSON)), name="features")]})
        r = requests.post(self.server.url + "/v2/models/diagnosis/infer", data=body, verify=False,
                          headers={"Confide-Proof": "1"}, timeout=30)
        proof = json.loads(r.headers["Confide-Result-Proof"])
        import hashlib
        self.assertEqual(proof["input"], hashlib.sha256(body.encode()).hexdigest())
        self.assertEqual(proof["output"], hashlib.sha256(r.content).hexdigest())


if __name__ == "__main__":
    unittest.main(verbosity=2)
