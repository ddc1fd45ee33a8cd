// Throughput of onnxruntime-node on one model: warm-up, then the median of timed batches.
// Usage: node bench/ort_bench.mjs ORT_DIR MODEL.onnx THREADS BATCH_SECONDS BATCHES INPUT.npy...
// ORT_DIR is the folder holding node_modules/onnxruntime-node. Inputs bind to the session's
// inputNames in order (the shared models' .npy files follow graph-input order).
// Prints one line: "runs_per_s <median> min <min> max <max>".
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [ortDir, modelPath, threadsArg, batchSecondsArg, batchesArg, ...inputFiles] =
  process.argv.slice(2);
const require = createRequire(path.resolve(ortDir, 'package.json'));
const ort = require('onnxruntime-node');

// NumPy .npy v1/v2, little-endian, C order; the dtypes the shared models use.
function readNpy(file) {
  const buf = readFileSync(file);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)[1];
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const data = buf.subarray(start + headerLen);
  const copy = (Ctor) => {
    const out = new Ctor(data.length / Ctor.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(data);
    return out;
  };
  const types = { '<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array],
                  '|u1': ['uint8', Uint8Array], '<i4': ['int32', Int32Array] };
  if (!types[descr]) throw new Error(`${file}: unsupported dtype ${descr}`);
  const [type, Ctor] = types[descr];
  return new ort.Tensor(type, copy(Ctor), dims);
}

const threads = Number(threadsArg);
const session = await ort.InferenceSession.create(modelPath, {
  graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
  executionMode: 'sequential',
});
const feeds = {};
session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputFiles[i]); });

const batchMs = Number(batchSecondsArg) * 1000;
let warm = 0;
const warmStart = performance.now();
while (warm < 3 || performance.now() - warmStart < batchMs) {
  await session.run(feeds);
  ++warm;
}
const perBatch = Math.max(1, Math.round(warm * batchMs / (performance.now() - warmStart)));
const rates = [];
for (let b = 0; b < Number(batchesArg); ++b) {
  const t0 = performance.now();
  for (let i = 0; i < perBatch; ++i) await session.run(feeds);
  rates.push(perBatch / ((performance.now() - t0) / 1000));
}
rates.sort((a, b) => a - b);
console.log(`runs_per_s ${rates[rates.length >> 1]} min ${rates[0]} max ${rates[rates.length - 1]}`);
