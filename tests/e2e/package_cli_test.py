"""End-to-end test of the model owner's package tooling with the real `confide` binary.

For every model in the shared models folder: keygen -> pack -> inspect (the manifest: name, size,
SHA-256 against hashlib, and the input/output schema against the models README's table) ->
package verify --trust -> unpack, whose output must be byte-identical (cmp) to the model.
Then the rejections: a revoked signer, an expired signer, an unknown signer and a wrong model key
each fail with exit 1 and their own message, and leave no output file (nor a temporary) behind.
Finally --seal-to writes a 128-byte sealed key bound to the package's manifest digest.

Usage: package_cli_test.py CONFIDE_CLI SHARED_DIR
"""
import filecmp
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
MODELS = os.path.join(sys.argv[2], "models")
# Large models are packed too but only when quick; all of these are under 11 MB.
MAX_MODEL_BYTES = 64 << 20

checks = 0


def run(*args, expect=0):
    p = subprocess.run([CLI] + list(args), capture_output=True, text=True)
    if p.returncode != expect:
        raise AssertionError("confide %s: exit %d, expected %d\nstdout: %s\nstderr: %s" %
                             (" ".join(args), p.returncode, expect, p.stdout, p.stderr))
    return p


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(what)
    checks += 1


def readme_schemas():
    """{model: (inputs, outputs)} from the README table: "name: float[1,3,N]" per line."""
    text = open(os.path.join(MODELS, "README.md"), encoding="utf-8").read()
    out = {}
    for line in text.splitlines():
        m = re.match(r"\| `([a-z0-9_]+)` \|", line)
        if not m:
            continue
        cells = [c.strip() for c in line.split("|")]
        # | name | source | license | size | opset | inputs | outputs | ...
        def parse(cell):
            specs = []
            for part in cell.split("<br>"):
                spec = re.match(r"([^:]+): (\w+)\[([^\]]*)\]", part.strip())
                if not spec:
                    raise AssertionError("README: cannot parse %r" % part)
                dims = [d for d in spec.group(3).split(",") if d]
                dims = [int(d) if re.fullmatch(r"\d+", d) else d for d in dims]
                dtype = {"float": "float32", "double": "float64"}.get(spec.group(2), spec.group(2))
                specs.append({"name": spec.group(1), "dtype": dtype, "shape": dims})
            return specs
        out[m.group(1)] = (parse(cells[6]), parse(cells[7]))
    return out


def leftovers(folder, name):
    return [f for f in os.listdir(folder) if f.startswith(name)]


def reject(args, out, message, folder, expect=1):
    p = run(*args, expect=expect)
    check(message in p.stderr, "expected %r in stderr of %s, got %r" % (message, args, p.stderr))
    left = leftovers(folder, os.path.basename(out))
    check(not left, "%s left files behind: %s" % (args, left))
    return p


def run_memory(name):
    """(weight bytes, arena bytes) that `confide run --memory-report` plans for the sample input."""
    inputs = [l.split(":")[0].strip() for l in
              run("model", "info", os.path.join(MODELS, name + ".onnx")).stdout
              .split("inputs:\n")[1].split("outputs:")[0].splitlines()]
    args = []
    for i, n in enumerate(inputs):
        args += ["--input", "%s=%s" % (n, os.path.join(MODELS, "%s.input_%d.npy" % (name, i)))]
    err = run("run", os.path.join(MODELS, name + ".onnx"), *args, "--threads", "1",
              "--memory-report").stderr
    m = re.search(r"memory: weight_bytes (\d+) arena_bytes (\d+)", err)
    return int(m.group(1)), int(m.group(2))


def check_peak_memory(work):
    """engine.peak_memory_bytes = weights + the arena planned for the sample input's shapes, as
    `confide run` plans it for the real sample input: static models as packed, ppocrv4_rec with
    its symbolic dims bound by --dim to the sample's shape [1,3,48,320]."""
    for name, dims in (("mnist8", []), ("ultraface_rfb320", []),
                       ("ppocrv4_rec", ["p2o.DynamicDimension.0=1", "p2o.DynamicDimension.1=320"])):
        pkg = os.path.join(work, name + ".dims.cfpkg")
        extra = []
        for d in dims:
            extra += ["--dim", d]
        run("pack", os.path.join(MODELS, name + ".onnx"), "--signer", os.path.join(work, "owner.key"),
            "-o", pkg, "--key-out", pkg + ".key", *extra)
        peak = json.loads(run("inspect", "--json", pkg).stdout)["manifest"]["engine"]["peak_memory_bytes"]
        weights, arena = run_memory(name)
        check(arena > 0 and peak == weights + arena,
              "%s: peak_memory_bytes %d, confide run plans %d + %d" % (name, peak, weights, arena))
        print("ok %-36s peak memory %d = weights %d + arena %d" % (name, peak, weights, arena))
    # Unbound symbolic dims default to 1; a model that cannot be planned so records 0 (unknown).
    p = run("pack", os.path.join(MODELS, "ppocr_cls_mobilev2.onnx"), "--signer",
            os.path.join(work, "owner.key"), "-o", os.path.join(work, "cls1.cfpkg"), "--key-out",
            os.path.join(work, "cls1.key"))
    check("peak memory not recorded" in p.stderr, "ppocr_cls at 1x1 pixels: no warning")
    m = json.loads(run("inspect", "--json", os.path.join(work, "cls1.cfpkg")).stdout)["manifest"]
    check(m["engine"]["peak_memory_bytes"] == 0, "ppocr_cls at 1x1 pixels: peak memory recorded")
    # A file the engine cannot load is refused unless --no-engine.
    junk = os.path.join(work, "junk.onnx")
    with open(junk, "wb") as f:
        f.write(os.urandom(5000))
    reject(["pack", junk, "--signer", os.path.join(work, "owner.key"), "-o", junk + ".cfpkg",
            "--key-out", junk + ".key"], junk + ".", "--no-engine", work, expect=3)
    run("pack", junk, "--signer", os.path.join(work, "owner.key"), "-o", junk + ".cfpkg",
        "--key-out", junk + ".key", "--no-engine")
    m = json.loads(run("inspect", "--json", junk + ".cfpkg").stdout)["manifest"]
    check(m["schema"] == {"inputs": [], "outputs": []} and m["engine"]["peak_memory_bytes"] == 0,
          "--no-engine recorded a schema or peak memory")


def main():
    work = tempfile.mkdtemp(prefix="confide-pkg-e2e-")
    try:
        run_all(work)
    finally:
        shutil.rmtree(work)
    print("package CLI e2e: %d checks passed" % checks)


def run_all(work):
    path = lambda name: os.path.join(work, name)
    run("keygen", "-o", path("owner.key"))
    check(stat.S_IMODE(os.stat(path("owner.key")).st_mode) == 0o600, "owner.key is not 0600")
    check(os.path.exists(path("owner.pub")), "keygen wrote no owner.pub")
    with open(path("signers.toml"), "w") as f:
        f.write('[[signer]]\nname = "owner"\npublic_key_file = "owner.pub"\n')

    schemas = readme_schemas()
    models = sorted(f[:-5] for f in os.listdir(MODELS) if f.endswith(".onnx"))
    check(len(models) >= 10, "expected the shared models, found %s" % models)
    for name in models:
        onnx = os.path.join(MODELS, name + ".onnx")
        if os.path.getsize(onnx) > MAX_MODEL_BYTES:
            print("skip %s (large)" % name)
            continue
        pkg, key, back = path(name + ".cfpkg"), path(name + ".key"), path(name + ".back.onnx")
        run("pack", onnx, "--signer", path("owner.key"), "-o", pkg, "--key-out", key)
        check(stat.S_IMODE(os.stat(key).st_mode) == 0o600, "%s is not 0600" % key)
        info = json.loads(run("inspect", "--json", pkg).stdout)
        m = info["manifest"]
        data = open(onnx, "rb").read()
        check(m["name"] == name, "%s: manifest name %r" % (name, m["name"]))
        check(m["payload_size"] == len(data), "%s: payload_size" % name)
        check(m["payload_sha256"] == hashlib.sha256(data).hexdigest(), "%s: payload_sha256" % name)
        check(m["format"] == "onnx" and m["aead"] == "AES-256-GCM", "%s: format/aead" % name)
        check(info["signature_checked"] is False, "%s: inspect claims a signature check" % name)
        text = run("inspect", pkg).stdout
        check(name in text and m["payload_sha256"] in text, "%s: inspect text lacks the manifest" % name)
        check(name in schemas, "%s: not in the models README's table" % name)
        inputs, outputs = schemas[name]
        check(m["schema"]["inputs"] == inputs,
              "%s: inputs %s, README says %s" % (name, m["schema"]["inputs"], inputs))
        check(m["schema"]["outputs"] == outputs,
              "%s: outputs %s, README says %s" % (name, m["schema"]["outputs"], outputs))
        p = run("package", "verify", pkg, "--trust", path("signers.toml"))
        check(p.stdout.startswith("ok: ") and '"owner"' in p.stdout, "%s: verify said %r" % (name, p.stdout))
        run("unpack", pkg, "--key", key, "-o", back, "--trust", path("signers.toml"))
        check(filecmp.cmp(onnx, back, shallow=False), "%s: unpacked bytes differ" % name)
        check(stat.S_IMODE(os.stat(back).st_mode) == 0o600, "%s: unpacked model is not 0600" % name)
        os.unlink(back)
        print("ok %-36s %9d bytes, %d chunk(s)" % (name, len(data), info["num_chunks"]))

    check_peak_memory(work)

    pkg, key = path("mnist8.cfpkg"), path("mnist8.key")
    out = path("out.onnx")
    # Revoked, expired (now, and at a given time), unknown signer, wrong key: distinct messages.
    with open(path("revoked.toml"), "w") as f:
        f.write('[[signer]]\nname = "owner"\npublic_key_file = "owner.pub"\nrevoked = true\n')
    with open(path("expired.toml"), "w") as f:
        f.write('[[signer]]\nname = "owner"\npublic_key_file = "owner.pub"\n'
                'not_before = 2020-01-01T00:00:00Z\nnot_after = 2021-01-01T00:00:00Z\n')
    run("keygen", "-o", path("other.key"))
    with open(path("other.toml"), "w") as f:
        f.write('[[signer]]\nname = "other"\npublic_key_file = "other.pub"\n')
    cases = [("revoked.toml", "signer revoked"), ("expired.toml", "signer expired"),
             ("other.toml", "unknown signer")]
    for toml, message in cases:
        reject(["package", "verify", pkg, "--trust", path(toml)], out, message, work)
        reject(["unpack", pkg, "--key", key, "-o", out, "--trust", path(toml)], out, message, work)
    # The same list accepts at a time inside the window: validity is checked at --at.
    run("package", "verify", pkg, "--trust", path("expired.toml"), "--at", "2020-06-01T00:00:00Z")
    reject(["package", "verify", pkg, "--trust", path("expired.toml"), "--at",
            "2019-06-01T00:00:00Z"], out, "signer not yet valid", work)
    wrong_key = path("tabular_rf_wine.key")
    reject(["unpack", pkg, "--key", wrong_key, "-o", out], out, "wrong model key", work)
    reject(["unpack", pkg, "--key", wrong_key, "-o", out, "--trust", path("signers.toml")], out,
           "wrong model key", work)

    # --seal-to: an HPKE-sealed key file beside the package, bound to its manifest digest.
    subprocess.run(["openssl", "genpkey", "-algorithm", "X25519", "-out", path("kbs.key")], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", path("kbs.key"), "-pubout", "-out", path("kbs.pub")],
                   check=True, capture_output=True)
    sealed_pkg = path("sealed.cfpkg")
    run("pack", os.path.join(MODELS, "mnist8.onnx"), "--signer", path("owner.key"), "-o", sealed_pkg,
        "--seal-to", path("kbs.pub"))
    sealed = open(sealed_pkg + ".key.sealed", "rb").read()
    digest = json.loads(run("inspect", "--json", sealed_pkg).stdout)["manifest_sha256"]
    check(len(sealed) == 128 and sealed[:8] == b"CFMKSEAL", "sealed key file: size/magic")
    check(sealed[16:48].hex() == digest, "sealed key names another manifest digest")
    run("package", "verify", sealed_pkg, "--trust", path("signers.toml"))
    # A P-256 key is not a key broker key.
    reject(["pack", os.path.join(MODELS, "mnist8.onnx"), "--signer", path("owner.key"), "-o",
            path("bad.cfpkg"), "--seal-to", path("owner.pub")], path("bad.cfpkg"), "X25519", work,
           expect=2)


if __name__ == "__main__":
    main()
