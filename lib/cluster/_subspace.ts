/**
 * The subspace prefilter of the exact radius searches (_radius-between.ts, and radiusNeighbors in _knn.ts): rows
 * projected onto k orthonormal directions (the top principal directions of a sample, by subspace iteration from a
 * seeded start: the same basis for the same rows). An orthogonal projection never lengthens a difference
 * (|P(a - b)| <= |a - b|), so a pair farther apart than the radius in the subspace is farther apart in full: the
 * subspace search keeps every true neighbour, whatever the basis; the basis only decides how many other pairs it keeps
 * (on all of LFW's face-api descriptors, k = 32 keeps 0.69% of the pairs at DBSCAN's eps 0.44, where 0.17% are
 * within it).
 *
 * Private: inputs are assumed valid.
 */
import { Random } from './_input.ts';
import { createDotKernel } from './_simd.ts';

/** Dimensions of the prefilter subspace. */
export const PREFILTER_DIMS = 32;
/** Base rows sampled to estimate the subspace. */
const BASIS_SAMPLE = 256;
/** Subspace iterations. */
const BASIS_ITERATIONS = 6;

/** `k` orthonormal directions (rows of a k x d Float32Array) spanning most of the variance of a sample of `rows`. */
export function principalBasis(all: readonly Float32Array[], k: number): Float32Array {
  const n = all.length;
  const d = all[0].length;
  const step = Math.max(1, Math.floor(n / BASIS_SAMPLE));
  const rows: Float32Array[] = [];
  for (let i = 0; i < n; i += step) rows.push(all[i]);
  const mean = new Float64Array(d);
  for (const r of rows) for (let t = 0; t < d; t++) mean[t] += r[t];
  for (let t = 0; t < d; t++) mean[t] /= rows.length;
  const cov = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (const r of rows) {
    for (let t = 0; t < d; t++) x[t] = r[t] - mean[t];
    for (let a = 0; a < d; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      const o = a * d;
      for (let b = a; b < d; b++) cov[o + b] += xa * x[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) cov[b * d + a] = cov[a * d + b];
  // Subspace iteration: V <- orthonormalise(C V), from a seeded random start.
  const rng = new Random(1);
  let v: Float64Array[] = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => rng.next() - 0.5));
  const orthonormalise = (vs: Float64Array[]) => {
    for (let c = 0; c < vs.length; c++) {
      const u = vs[c];
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += u[t] * vs[p][t];
        for (let t = 0; t < d; t++) u[t] -= dot * vs[p][t];
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += u[t] * u[t];
      norm = Math.sqrt(norm);
      if (norm < 1e-12) { u.fill(0); u[c % d] = 1; c--; continue; } // degenerate: restart this vector on an axis
      for (let t = 0; t < d; t++) u[t] /= norm;
    }
  };
  orthonormalise(v);
  for (let it = 0; it < BASIS_ITERATIONS; it++) {
    v = v.map((u) => {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        const o = a * d;
        for (let b = 0; b < d; b++) s += cov[o + b] * u[b];
        w[a] = s;
      }
      return w;
    });
    orthonormalise(v);
  }
  const out = new Float32Array(k * d);
  v.forEach((u, c) => out.set(u, c * d));
  return out;
}

/** `rows` projected on the k basis rows: n x k, by the SIMD kernel (4 basis rows against all rows per call). */
export function project(rows: readonly Float32Array[], basis: Float32Array, k: number): Float32Array {
  const n = rows.length;
  const d = rows[0].length;
  const dp = (d + 3) & ~3;
  const rowBytes = dp * 4;
  const kPad = (k + 3) & ~3;
  const rowsByte = kPad * rowBytes;
  const nPad = (n + 3) & ~3;
  const outByte = rowsByte + nPad * rowBytes;
  const kernel = createDotKernel();
  kernel.ensure(outByte + 16 * nPad);
  const mem = kernel.f32();
  for (let c = 0; c < k; c++) mem.set(basis.subarray(c * d, c * d + d), c * dp);
  const rowsF = rowsByte >> 2;
  for (let i = 0; i < n; i++) mem.set(rows[i], rowsF + i * dp);
  const out = new Float32Array(n * k);
  const outF = outByte >> 2;
  for (let c0 = 0; c0 < k; c0 += 4) {
    kernel.dots4(c0 * rowBytes, rowsByte, n, dp, outByte);
    const cEnd = Math.min(4, k - c0);
    for (let j = 0; j < n; j++) for (let r = 0; r < cEnd; r++) out[j * k + c0 + r] = mem[outF + 4 * j + r];
  }
  return out;
}

