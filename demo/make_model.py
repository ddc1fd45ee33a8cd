#!/usr/bin/env python3
"""Makes the quickstart's demo model with nothing but the Python standard library.

A small triage MLP (4 vital-sign features -> 16 ReLU -> 3 classes, softmax) trained by full-batch
gradient descent on a synthetic, seeded data set (three Gaussian clusters: "healthy", "at risk",
"ill"; features are standardised heart rate, temperature, systolic pressure and SpO2). The data
is synthetic on purpose: it keeps the demo reproducible on a fresh machine without NumPy or
scikit-learn. The ONNX file is written by the hand-rolled protobuf encoder below (ONNX IR 8,
opset 13), and the held-out sample rows as .npy and as an OIP JSON tensor.

    python3 demo/make_model.py            # writes demo/diagnosis_mlp.onnx, demo/sample_input.*
"""
import json
import math
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["healthy", "at risk", "ill"]
CENTERS = [(-0.8, -0.6, -0.2, 0.9), (0.4, 0.2, 0.8, -0.1), (1.2, 1.3, -0.7, -1.2)]
HIDDEN = 16


def make_data(rng, per_class):
    rows = []
    for label, center in enumerate(CENTERS):
        for _ in range(per_class):
            rows.append(([c + rng.gauss(0, 0.45) for c in center], label))
    rng.shuffle(rows)
    return rows


def forward(params, x):
    w1, b1, w2, b2 = params
    h = [max(0.0, b1[j] + sum(x[i] * w1[i][j] for i in range(4))) for j in range(HIDDEN)]
    z = [b2[k] + sum(h[j] * w2[j][k] for j in range(HIDDEN)) for k in range(3)]
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return h, [v / s for v in e]


def train(rng, data, epochs=150, lr=0.2):
    w1 = [[rng.gauss(0, 0.5) for _ in range(HIDDEN)] for _ in range(4)]
    b1 = [0.0] * HIDDEN
    w2 = [[rng.gauss(0, 0.5) for _ in range(3)] for _ in range(HIDDEN)]
    b2 = [0.0] * 3
    params = (w1, b1, w2, b2)
    n = len(data)
    for _ in range(epochs):
        gw1 = [[0.0] * HIDDEN for _ in range(4)]
        gb1 = [0.0] * HIDDEN
        gw2 = [[0.0] * 3 for _ in range(HIDDEN)]
        gb2 = [0.0] * 3
        for x, y in data:
            h, p = forward(params, x)
            dz = [p[k] - (1.0 if k == y else 0.0) for k in range(3)]
            for k in range(3):
                gb2[k] += dz[k]
                for j in range(HIDDEN):
                    gw2[j][k] += h[j] * dz[k]
            for j in range(HIDDEN):
                if h[j] <= 0:
                    continue
                dh = sum(w2[j][k] * dz[k] for k in range(3))
                gb1[j] += dh
                for i in range(4):
                    gw1[i][j] += x[i] * dh
        for i in range(4):
            for j in range(HIDDEN):
                w1[i][j] -= lr * gw1[i][j] / n
        for j in range(HIDDEN):
            b1[j] -= lr * gb1[j] / n
            for k in range(3):
                w2[j][k] -= lr * gw2[j][k] / n
        for k in range(3):
            b2[k] -= lr * gb2[k] / n
    return params


# --- a minimal protobuf writer, enough for the ONNX messages used here -------------------------
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def string(num, s):
    return field(num, 2, s.encode() if isinstance(s, str) else s)


def tensor(name, dims, values):  # TensorProto, FLOAT, raw_data
    body = b"".join(field(1, 0, d) for d in dims) + field(2, 0, 1) + string(8, name)
    return body + string(9, struct.pack("<%df" % len(values), *values))


def value_info(name, dims):  # dims: ints or str (symbolic)
    shape = b"".join(
        string(1, string(2, d) if isinstance(d, str) else field(1, 0, d)) for d in dims)
    tensor_type = field(1, 0, 1) + string(2, shape)
    return string(1, name) + string(2, string(1, tensor_type))


def node(op, inputs, outputs, name):
    return b"".join(string(1, i) for i in inputs) + b"".join(
        string(2, o) for o in outputs) + string(3, name) + string(4, op)


def onnx_model(params):
    w1, b1, w2, b2 = params
    nodes = [node("MatMul", ["features", "w1"], ["h0"], "fc1"),
             node("Add", ["h0", "b1"], ["h1"], "fc1_bias"),
             node("Relu", ["h1"], ["h2"], "relu"),
             node("MatMul", ["h2", "w2"], ["z0"], "fc2"),
             node("Add", ["z0", "b2"], ["logits"], "fc2_bias"),
             node("Softmax", ["logits"], ["probabilities"], "softmax")]
    inits = [tensor("w1", [4, HIDDEN], [v for row in w1 for v in row]),
             tensor("b1", [HIDDEN], b1),
             tensor("w2", [HIDDEN, 3], [v for row in w2 for v in row]),
             tensor("b2", [3], b2)]
    graph = b"".join(string(1, n) for n in nodes) + string(2, "diagnosis_mlp")
    graph += b"".join(string(5, t) for t in inits)
    graph += string(11, value_info("features", ["N", 4]))
    graph += string(12, value_info("probabilities", ["N", 3]))
    opset = string(1, "") + field(2, 0, 13)
    return field(1, 0, 8) + string(2, "confide demo/make_model.py") + string(7, graph) + string(8, opset)


def npy_float32(rows):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), len(rows[0]))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    data = struct.pack("<%df" % (len(rows) * len(rows[0])), *[v for r in rows for v in r])
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def main():
    rng = random.Random(20260101)
    data = make_data(rng, 100)
    train_set, test_set = data[:240], data[240:]
    params = train(rng, train_set)
    correct = sum(1 for x, y in test_set if max(range(3), key=lambda k: forward(params, x)[1][k]) == y)
    print("held-out accuracy: %d/%d" % (correct, len(test_set)))
    with open(os.path.join(HERE, "diagnosis_mlp.onnx"), "wb") as f:
        f.write(onnx_model(params))
    sample = test_set[:4]
    rows = [[round(v, 4) for v in x] for x, _ in sample]
    with open(os.path.join(HERE, "sample_input.npy"), "wb") as f:
        f.write(npy_float32(rows))
    with open(os.path.join(HERE, "sample_input.json"), "w") as f:
        json.dump({"shape": [len(rows), 4], "datatype": "FP32", "data": rows}, f)
        f.write("\n")
    with open(os.path.join(HERE, "sample_labels.json"), "w") as f:
        json.dump({"classes": CLASSES, "labels": [CLASSES[y] for _, y in sample]}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
