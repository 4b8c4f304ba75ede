/**
 * Synthetic face embeddings for the benches at scale (bench:cluster --n / --million, bench:people --million):
 * identities are Gaussian blobs on the unit sphere (centre uniform on S^(d-1), each face
 * normalise(centre + sigma N(0, I))), with a long-tailed (discrete Pareto, alpha 1.5, capped at 1,000) number of
 * faces per identity, in a seeded random order. At sigma 0.025 same-identity distances are about 0.38 (128-d) /
 * 0.70 (512-d), different about 1.41. All rows are views of one Float32Array (`data`, n x d).
 */
import { Random } from '../lib/cluster/_input.ts';

/** n synthetic faces: long-tailed identity sizes, Gaussian blobs on the unit sphere. */
export function makeSynthetic(n: number, d = 128, sigma = 0.025, seed = 1): { x: Float32Array[]; data: Float32Array; labels: Int32Array; nIds: number } {
  const rng = new Random(seed);
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const centre = new Float64Array(d);
  let i = 0;
  let id = 0;
  while (i < n) {
    const size = Math.min(n - i, Math.min(1000, Math.floor(Math.pow(1 - rng.next(), -1 / 1.5))));
    let s = 0;
    for (let t = 0; t < d; t++) { centre[t] = rng.normal(); s += centre[t] ** 2; }
    for (let t = 0; t < d; t++) centre[t] /= Math.sqrt(s);
    for (let r = 0; r < size; r++, i++) {
      let q = 0;
      for (let t = 0; t < d; t++) { const v = centre[t] + sigma * rng.normal(); data[i * d + t] = v; q += v * v; }
      const inv = 1 / Math.sqrt(q);
      for (let t = 0; t < d; t++) data[i * d + t] *= inv;
      labels[i] = id;
    }
    id++;
  }
  // shuffle the order so that identities are not contiguous (index order matters to some methods): row j becomes
  // the generated row perm[j], moved in place cycle by cycle (no second n x d buffer)
  const perm = new Random(seed + 1).shuffle(Int32Array.from({ length: n }, (_, j) => j));
  const shuffled = new Int32Array(n);
  for (let j = 0; j < n; j++) shuffled[j] = labels[perm[j]];
  const done = new Uint8Array(n);
  const tmp = new Float32Array(d);
  for (let start = 0; start < n; start++) {
    if (done[start]) continue;
    tmp.set(data.subarray(start * d, start * d + d));
    let j = start;
    for (;;) {
      done[j] = 1;
      const src = perm[j];
      if (src === start) { data.set(tmp, j * d); break; }
      data.copyWithin(j * d, src * d, src * d + d);
      j = src;
    }
  }
  const x: Float32Array[] = Array.from({ length: n }, (_, j) => data.subarray(j * d, j * d + d));
  return { x, data, labels: shuffled, nIds: id };
}
