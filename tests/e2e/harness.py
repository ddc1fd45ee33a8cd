"""Shared set-up for the confide-server end-to-end tests: a simulator store, an owner key and
trust list, the demo model packed, policies, and confide-server processes on loopback.

Binaries come from the environment (CTest sets them from CMake target paths):
CONFIDE_CLI, CONFIDE_SERVER; CONFIDE_SOURCE_DIR is the repository root.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

CLI = os.environ["CONFIDE_CLI"]
SERVER = os.environ["CONFIDE_SERVER"]
SRC = os.environ.get("CONFIDE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(SRC, "demo")


def run(*args, check=True, env=None):
    p = subprocess.run(list(args), capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (args, p.returncode, p.stdout, p.stderr))
    return p


class Env:
    """A work folder with everything a server and a client need."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="confide-e2e-")
        self.servers = []  # stopped by close(), so a failed test leaves no server behind
        self.sim = os.path.join(self.dir, "sim")
        run(CLI, "sim", "init", "--dir", self.sim)
        run(CLI, "keygen", "-o", self.path("owner.key"))
        with open(self.path("signers.toml"), "w") as f:
            f.write('[[signer]]\nname = "owner"\npublic_key_file = "owner.pub"\n')
        self.package = self.pack(os.path.join(DEMO, "diagnosis_mlp.onnx"), "diagnosis")
        self.measurement = hashlib.sha384(open(SERVER, "rb").read()).hexdigest()
        der = run("sh", "-c", "openssl x509 -in %s/ark.pem -pubkey -noout | openssl pkey -pubin "
                  "-outform DER | sha256sum" % self.sim).stdout.split()[0]
        self.sim_root = der
        self.policy = self.write_policy("policy.toml")

    def path(self, name):
        return os.path.join(self.dir, name)

    def pack(self, onnx, name, file_name=None):
        """Packs `onnx` as model `name` into FILE_NAME.cfpkg (default: NAME), key FILE_NAME.key."""
        out = self.path((file_name or name) + ".cfpkg")
        run(CLI, "pack", onnx, "--signer", self.path("owner.key"), "--name", name, "-o", out,
            "--key-out", self.path((file_name or name) + ".key"))
        return out

    def write_policy(self, name, measurement=None, allow_simulated=True, max_age=86400):
        text = ('tee_types = ["sev-snp"]\nallow_simulated = %s\nsim_roots = ["%s"]\n'
                "max_evidence_age_seconds = %d\n[snp]\nmeasurements = [\"%s\"]\n" %
                ("true" if allow_simulated else "false", self.sim_root, max_age,
                 measurement or self.measurement))
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def close(self):
        for s in self.servers:  # a server left running would hold CTest's output pipe open
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """A confide-server process; stopped with SIGTERM."""

    def __init__(self, env, models, extra=(), state="state"):
        self.port_file = env.path("port-%d" % time.monotonic_ns())
        self.log_path = env.path("server-%d.log" % time.monotonic_ns())
        args = [SERVER, "--tee", "sim", "--sim-dir", env.sim, "--trust", env.path("signers.toml"),
                "--state-dir", env.path(state), "--port", "0", "--port-file", self.port_file,
                "--plain-port", "0"] + list(extra)
        for m in models:
            args += ["--model", m]
        # The server appends through its own descriptor; logs() reads through another, so reading
        # never moves the offset the server writes at.
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log)
        env.servers.append(self)
        for _ in range(600):
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                break
            if self.proc.poll() is not None:
                raise AssertionError("server exited: " + self.logs())
            time.sleep(0.05)
        self.port = int(open(self.port_file).read())
        self.url = "https://127.0.0.1:%d" % self.port
        # Both ports are chosen by the server (port 0): a port picked here and bound later could
        # be taken in between by a concurrently running test.
        self.plain_port = self.listening()["plain_port"]

    def listening(self):
        """The server's "listening" log event (logged before the port file is written)."""
        for line in self.logs().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == "listening":
                return event
        raise AssertionError("no listening event in the server log: " + self.logs())

    def logs(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        return code
