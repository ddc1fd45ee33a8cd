#!/usr/bin/env python3
"""confide-server load test and latency benchmark (issue 7), one run:

  * load: C concurrent keep-alive connections x N requests each on ppocr_cls_mobilev2 (binary
    tensors over attested TLS, after `confide attest remote` verified the server); reports errors,
    throughput, p50/p99 and the server's peak RSS;
  * latency at batch 1, mnist8 and ppocr_cls_mobilev2: `confide run --bench` (engine in-process,
    1 thread) vs `confide infer --repeat` (end to end over one kept-alive attested-TLS connection);
  * new-connection handshake + appraisal latency (`confide infer` "connect" time).

Usage: CONFIDE_CLI=... CONFIDE_SERVER=... python3 bench/server_load.py [C] [N]
(C = 0: the latency comparison only, no load test)
"""
import json
import os
import re
import statistics
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import CLI, Env, Server, run  # noqa: E402

MODELS = os.environ.get("CONFIDE_MODELS", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", "..", "shared", "models"))


def npy_payload(path):
    data = open(path, "rb").read()
    hlen = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + hlen].decode()
    shape = [int(x) for x in re.search(r"\(([^)]*)\)", header).group(1).split(",") if x.strip()]
    return shape, data[10 + hlen:]


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def load(url, model, name, npy, conns, reqs, pid):
    import requests
    import urllib3
    urllib3.disable_warnings()
    shape, raw = npy_payload(npy)
    head = json.dumps({"inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                                   "parameters": {"binary_data_size": len(raw)}}],
                       "parameters": {"binary_data_output": True}}).encode()
    body = head + raw
    headers = {"Inference-Header-Content-Length": str(len(head)),
               "Content-Type": "application/octet-stream"}
    lat, errors, lock = [], [0], threading.Lock()
    rss = [rss_kib(pid)]
    done = threading.Event()

    def sampler():
        while not done.is_set():
            rss.append(rss_kib(pid))
            time.sleep(0.2)

    def worker():
        s = requests.Session()
        mine = []
        for _ in range(reqs):
            t = time.perf_counter()
            try:
                r = s.post(url + "/v2/models/%s/infer" % model, data=body, headers=headers,
                           verify=False, timeout=120)
                ok = r.status_code == 200
            except Exception:  # noqa: BLE001 - every failure counts as an error
                ok = False
            mine.append(time.perf_counter() - t)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            lat.extend(mine)

    threading.Thread(target=sampler, daemon=True).start()
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    done.set()
    lat.sort()
    return {"requests": len(lat), "errors": errors[0], "seconds": round(wall, 2),
            "throughput_rps": round(len(lat) / wall, 1),
            "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
            "p99_ms": round(lat[len(lat) * 99 // 100] * 1000, 2),
            "rss_start_mib": round(rss[0] / 1024, 1), "rss_peak_mib": round(max(rss) / 1024, 1),
            "rss_end_mib": round(rss_kib(pid) / 1024, 1)}


def latency(env, url, model, name, npy, n):
    onnx = os.path.join(MODELS, model + ".onnx")
    local = run(CLI, "run", onnx, "--input", "%s=%s" % (name, npy), "--threads", "1",
                "--bench", str(n)).stdout
    m = re.search(r"p50[ =:]*([0-9.]+)\s*ms", local)
    engine_p50 = float(m.group(1)) if m else float("nan")
    remote = run(CLI, "infer", url, "--policy", env.policy, "--model", model, "--input",
                 "%s=%s" % (name, npy), "--repeat", str(n)).stdout
    p50 = float(re.search(r"p50 ([0-9.]+) ms", remote).group(1))
    p99 = float(re.search(r"p99 ([0-9.]+) ms", remote).group(1))
    connect = [float(re.search(r"appraisal ([0-9.]+) ms", run(
        CLI, "infer", url, "--policy", env.policy, "--model", model, "--input",
        "%s=%s" % (name, npy)).stdout).group(1)) for _ in range(10)]
    return {"engine_in_process_p50_ms": engine_p50, "attested_tls_p50_ms": p50,
            "attested_tls_p99_ms": p99, "overhead_ms": round(p50 - engine_p50, 3),
            "overhead_pct": round(100 * (p50 - engine_p50) / engine_p50, 1),
            "new_connection_handshake_appraisal_p50_ms": round(statistics.median(connect), 2),
            "local_bench_output": local.strip().splitlines()[-1]}


def main():
    conns = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    reqs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    env = Env()
    specs = []
    for model in ("mnist8", "ppocr_cls_mobilev2"):
        pkg = env.pack(os.path.join(MODELS, model + ".onnx"), model)
        specs.append(pkg + ":" + env.path(model + ".key"))
    server = Server(env, specs, extra=["--workers", str(conns + 8), "--engine-threads", "1"])
    try:
        run(CLI, "attest", "remote", server.url, "--policy", env.policy)
        names = {}
        import requests
        import urllib3
        urllib3.disable_warnings()
        for model in ("mnist8", "ppocr_cls_mobilev2"):
            meta = requests.get(server.url + "/v2/models/" + model, verify=False).json()
            names[model] = meta["inputs"][0]["name"]
        report = {}
        if conns > 0:
            report["load_ppocr_cls_mobilev2"] = load(
                server.url, "ppocr_cls_mobilev2", names["ppocr_cls_mobilev2"],
                os.path.join(MODELS, "ppocr_cls_mobilev2.input_0.npy"), conns, reqs,
                server.proc.pid)
        for model in ("mnist8", "ppocr_cls_mobilev2"):
            report["latency_" + model] = latency(env, server.url, model, names[model],
                                                 os.path.join(MODELS, model + ".input_0.npy"), 200)
        report["cores"] = os.cpu_count()
        report["load_average"] = os.getloadavg()
        print(json.dumps(report, indent=2))
    finally:
        server.stop()
        env.close()


if __name__ == "__main__":
    main()
