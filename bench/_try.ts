import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import hnswlib from 'hnswlib-node';
import { Random } from '../lib/cluster/_input.ts';
import { knnExact } from '../lib/cluster/_knn.ts';
const require = createRequire('/tmp/ustest/package.json');
const usearch = require('usearch');
const n = Number(process.argv[2] ?? 20000), d = 512, sigma = 0.025, K = 16;
const rng = new Random(1);
const data = new Float32Array(n * d);
const c = new Float64Array(d);
let i = 0;
while (i < n) {
  const size = Math.min(n - i, Math.min(1000, Math.floor(Math.pow(1 - rng.next(), -1 / 1.5))));
  let s = 0; for (let t = 0; t < d; t++) { c[t] = rng.normal(); s += c[t] ** 2; }
  for (let t = 0; t < d; t++) c[t] /= Math.sqrt(s);
  for (let r = 0; r < size; r++, i++) { let q = 0; for (let t = 0; t < d; t++) { const v = c[t] + sigma * rng.normal(); data[i * d + t] = v; q += v * v; } const inv = 1 / Math.sqrt(q); for (let t = 0; t < d; t++) data[i * d + t] *= inv; }
}
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const sec = (t: number) => ((performance.now() - t) / 1000).toFixed(1);
console.log('n', n, 'load', load());
let t = performance.now();
const ex = knnExact({ data, n, d }, K, 'euclidean');
console.log('exact', sec(t), 'load', load());
const recall = (idx: Int32Array | BigUint64Array, stride: number) => {
  let hit = 0;
  for (let a = 0; a < n; a++) {
    const s = new Set(ex.indices.subarray(a * K, a * K + K));
    let c2 = 0;
    for (let q = 0; q < stride && c2 < K; q++) { const v = Number(idx[a * stride + q]); if (v === a) continue; c2++; if (s.has(v)) hit++; }
  }
  return (hit / (n * K)).toFixed(4);
};
const scaled = new Float32Array(data);
for (let k = 0; k < n; k++) { let mx = 0; for (let q = 0; q < d; q++) mx = Math.max(mx, Math.abs(data[k * d + q])); for (let q = 0; q < d; q++) scaled[k * d + q] = data[k * d + q] / mx; }
for (const [metric, q, conn, ea, es, sc] of [['cos', 'i8', 12, 40, 32, 0], ['cos', 'i8', 12, 40, 32, 1], ['cos', 'i8', 16, 40, 32, 1], ['cos', 'i8', 12, 64, 32, 1], ['cos', 'i8', 12, 40, 64, 1]] as const) {
  const data2 = sc ? scaled : data;
  t = performance.now();
  const idx = new usearch.Index({ metric, dimensions: d, connectivity: conn, quantization: q, expansion_add: ea, expansion_search: es });
  idx.add(new BigUint64Array(n).map((_, k) => BigInt(k)), data2, 2);
  const b = sec(t); t = performance.now();
  const r = idx.search(data2, K + 1, 2);
  console.log(`usearch scaled ${sc} ${metric} ${q} M${conn} efc${ea} ef${es}: build ${b} query ${sec(t)} recall@16 ${recall(r.keys, K + 1)} load ${load()}`);
}
