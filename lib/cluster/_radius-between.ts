/**
 * Radius neighbours between two sets: for each row q of `queries`, every row of `base` within a distance, exact.
 * What an incremental assignment needs (new faces against the faces already placed) without the all-pairs cost.
 *
 * Two stages when the work is large (euclidean, d >= 64, |queries| x |base| >= 2M) and the prefilter is selective
 * (it keeps at most PREFILTER_MAX_SHARE of the pairs of a sample of queries; else one stage, the full rows):
 * 1. a prefilter in a k-dimensional subspace (k = 32): the rows are projected onto k orthonormal directions
 *    (the top principal directions of a sample of `base`, by subspace iteration), and a pair is kept only when
 *    its projected distance is within the radius. An orthogonal projection never lengthens a difference
 *    (|P(a - b)| <= |a - b|), so no true neighbour is dropped, whatever the basis: the basis only decides how
 *    many pairs survive (on all of LFW's face-api descriptors, k = 32 keeps 0.6% of the pairs).
 * 2. each kept pair is decided on the full rows in float64.
 * Dot products come from the WebAssembly SIMD kernel (4 queries per call). Small problems skip the prefilter.
 * O(|queries| |base| k + kept d) time.
 *
 * Private: inputs are assumed valid (same width; unit rows for cosine).
 */
import type { Metric } from '../types.ts';
import { squaredNorms, type Neighborhoods } from './_knn.ts';
import { vectorDistance } from './_input.ts';
import { createDotKernel } from './_simd.ts';
import { principalBasis, project, PREFILTER_DIMS } from './_subspace.ts';
import { BETWEEN_HITS } from './_knn-tasks.ts';
import { releaseShared, runTask, shared } from './_threads.ts';

/**
 * Calls `keep(q, j)` for every pair whose squared euclidean distance (or cosine key 1 - a.b) is `<= keyHi`,
 * computed by float32 dot products: a candidate test, callers decide exactly.
 */
function scanPairs(q: Float32Array, nq: number, b: Float32Array, nb: number, d: number, metric: Metric, keyHi: number, keep: (qi: number, j: number) => void): void {
  const dp = (d + 3) & ~3;
  const rowBytes = dp * 4;
  const nbPad = (nb + 3) & ~3;
  const queryByte = nbPad * rowBytes;
  const outByte = queryByte + 4 * rowBytes;
  const kernel = createDotKernel();
  kernel.ensure(outByte + 16 * nbPad);
  const mem = kernel.f32();
  if (dp === d) mem.set(b.subarray(0, nb * d), 0);
  else for (let i = 0; i < nb; i++) mem.set(b.subarray(i * d, i * d + d), i * dp);
  const qNorms = metric === 'euclidean' ? squaredNorms({ data: q, n: nq, d }) : new Float64Array(nq);
  // key <= keyHi  <=>  dot >= |q|^2/2 + lo[j], lo[j] = (|b_j|^2 - keyHi) / 2 (euclidean) or 1 - keyHi (cosine);
  // lowered by a hair so that float rounding never drops a candidate.
  const bNorms = metric === 'euclidean' ? squaredNorms({ data: b, n: nb, d }) : null;
  const lo = new Float64Array(nb);
  for (let j = 0; j < nb; j++) lo[j] = (bNorms ? (bNorms[j] - keyHi) / 2 : 1 - keyHi) - 1e-5 * (1 + (bNorms ? bNorms[j] : 1));
  const qf = queryByte >> 2;
  const outF = outByte >> 2;
  for (let q0 = 0; q0 < nq; q0 += 4) {
    const rEnd = Math.min(4, nq - q0);
    mem.fill(0, qf, qf + 4 * dp);
    for (let r = 0; r < rEnd; r++) mem.set(q.subarray((q0 + r) * d, (q0 + r + 1) * d), qf + r * dp);
    kernel.dots4(queryByte, 0, nb, dp, outByte);
    // The 4 queries' dots with base row j are adjacent: test them together.
    const h0 = qNorms[q0] / 2;
    const h1 = rEnd > 1 ? qNorms[q0 + 1] / 2 : Infinity;
    const h2 = rEnd > 2 ? qNorms[q0 + 2] / 2 : Infinity;
    const h3 = rEnd > 3 ? qNorms[q0 + 3] / 2 : Infinity;
    for (let j = 0, o = outF; j < nb; j++, o += 4) {
      const l = lo[j];
      if (mem[o] >= h0 + l) keep(q0, j);
      if (mem[o + 1] >= h1 + l) keep(q0 + 1, j);
      if (mem[o + 2] >= h2 + l) keep(q0 + 2, j);
      if (mem[o + 3] >= h3 + l) keep(q0 + 3, j);
    }
  }
}

/** How the pairs were scanned: in the subspace first, on the full rows on the threads, or on the full rows here. */
export type BetweenPath = 'prefilter' | 'threads' | 'direct';

/** Base rows per chunk of the threaded scan: 512 rows of 512-d int16 codes (512 KB) stay in a core's cache while the queries pass. */
const BETWEEN_CHUNK_ROWS = 512;

/**
 * The candidate pairs of scanPairs on the full rows, on the threads of _threads.ts (BETWEEN_HITS: each chunk a run of
 * base rows against every query), by integer dot products of int16 codes: each set scaled so that its largest
 * |value| is Q = sqrt((2^31 - 1) / dp) (2,047 at 512-d: the int32 sums cannot overflow), rounded. With x = s_x qx + ex
 * and y = s_y qy + ey (|ex|, |ey| <= half a step), |x.y - s_x s_y qx.qy| <= (s_y / 2) |x|_1 + (s_x / 2) |y|_1
 * + (3 / 4) d s_x s_y: each query's threshold is lowered by that bound (with the largest |y|_1 of the base), so no
 * pair within the radius is dropped; at 512-d unit rows it is about 0.003 of a squared distance. Twice the
 * multiply-adds per instruction of the float32 kernel, half the memory. `keep(q, j)` in order of j's chunk, then q,
 * then j: for each query, j ascending.
 */
function scanThreaded(queries: readonly Float32Array[], base: readonly Float32Array[], d: number, metric: Metric, keyHi: number, keep: (qi: number, j: number) => void): void {
  const nq = queries.length;
  const nb = base.length;
  const dp = (d + 7) & ~7;
  const Q = Math.min(32767, Math.floor(Math.sqrt((2 ** 31 - 1) / dp)));
  const scaleOf = (rows: readonly Float32Array[]) => {
    let most = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      for (let t = 0; t < d; t++) { const v = r[t]; if (v > most) most = v; else if (-v > most) most = -v; }
    }
    return most > 0 ? most / Q : 1;
  };
  const sq = scaleOf(queries);
  const sb = scaleOf(base);
  /** The int16 codes of `rows` (padded to dp) and each row's L1 norm and squared norm (float64, of the float rows). */
  const code = (rows: readonly Float32Array[], s: number) => {
    const out = shared(Int16Array, rows.length * dp);
    const l1 = new Float64Array(rows.length);
    const n2 = new Float64Array(rows.length);
    const inv = 1 / s;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const o = i * dp;
      let a = 0, b = 0;
      for (let t = 0; t < d; t++) {
        const v = r[t];
        const u = v * inv;
        // rounded to the nearest step (the int16 store truncates toward zero); |u| <= Q, so no overflow
        out[o + t] = u < 0 ? u - 0.5 : u + 0.5;
        a += v < 0 ? -v : v;
        b += v * v;
      }
      l1[i] = a;
      n2[i] = b;
    }
    return { out, l1, n2 };
  };
  const cq = code(queries, sq);
  const cb = code(base, sb);
  let l1Max = 0;
  for (let j = 0; j < nb; j++) if (cb.l1[j] > l1Max) l1Max = cb.l1[j];
  const unit = sq * sb;
  const half = shared(Float64Array, nq);
  const lo = shared(Float64Array, nb);
  // dot >= |q|^2 / 2 + (|b|^2 - keyHi) / 2 (euclidean) or 1 - keyHi (cosine), lowered by the quantisation's bound and
  // by a hair (as scanPairs), in units of sq * sb
  for (let i = 0; i < nq; i++) {
    const err = (sb / 2) * cq.l1[i] + (sq / 2) * l1Max + 0.75 * d * sq * sb;
    half[i] = ((metric === 'euclidean' ? cq.n2[i] / 2 : 0) - err) / unit;
  }
  for (let j = 0; j < nb; j++) lo[j] = ((metric === 'euclidean' ? (cb.n2[j] - keyHi) / 2 : 1 - keyHi) - 1e-5 * (1 + (metric === 'euclidean' ? cb.n2[j] : 1))) / unit;
  const bounds = Int32Array.from({ length: Math.ceil(nb / BETWEEN_CHUNK_ROWS) + 1 }, (_, c) => Math.min(nb, c * BETWEEN_CHUNK_ROWS));
  const run = runTask(BETWEEN_HITS, { queries: cq.out, nq, base: cb.out, nb, dp, half, lo, bounds, chunkRows: BETWEEN_CHUNK_ROWS }, bounds.length - 1);
  releaseShared(cq.out, cb.out, half, lo);
  for (const h of run.chunks) for (let e = 0; e < h.q.length; e++) keep(h.q[e], h.j[e]);
}

/** Queries (and 64 times as many rows) on which the prefilter's share of kept pairs is measured first. */
const PREFILTER_SAMPLE = 64;
/**
 * The prefilter is used when it keeps at most this share of the pairs: every kept pair is then decided in float64 (about
 * 1 GMAC/s in JS), which beats scanning every pair on the full rows (the SIMD kernel on the threads, 20–40 GMAC/s) only
 * below about 1/20 of the pairs. On LFW's face-api descriptors it keeps 0.6%; on isotropic synthetic faces (bench:people
 * `--million`: 512-d, every stranger at about 1.41, radius 0.77) nearly all, where it made the exact search hours.
 */
const PREFILTER_MAX_SHARE = 0.05;

/**
 * For each row q of `queries`, every row of `base` at distance `<= radius` (or `< radius` with `strict`), exact:
 * neighbours of query q are `indices[offsets[q] .. offsets[q+1])` (indices into `base`, ascending), with their
 * distances. Rows are used as they are (not copied into a matrix first); for cosine they must be unit rows.
 */
export function radiusNeighborsBetween(queries: readonly Float32Array[], base: readonly Float32Array[], radius: number, metric: Metric, strict = false): Neighborhoods & { path: BetweenPath } {
  const nq = queries.length;
  const nb = base.length;
  const offsets = new Int32Array(nq + 1);
  if (nq === 0 || nb === 0) return { n: nq, offsets, indices: new Int32Array(0), distances: new Float32Array(0), path: 'direct' };
  const d = base[0].length;
  const margin = 1e-4 * Math.max(1, radius) + 1e-5;
  const hi = radius + margin;
  const keyHi = metric === 'euclidean' ? hi * hi : hi;
  const inside = (dist: number): boolean => (strict ? dist < radius : dist <= radius);
  const exact = (a: Float32Array, b: Float32Array): number => vectorDistance(a, b, metric);
  // Candidates per query, in base order (the scan visits j ascending for each block of 4 queries).
  const cand: number[][] = Array.from({ length: nq }, () => []);
  const collect = (qi: number, j: number) => void cand[qi].push(j);
  let filtered = false;
  if (metric === 'euclidean' && d >= 64 && nq * nb >= 2_000_000) {
    const k = Math.min(PREFILTER_DIMS, d);
    const basis = principalBasis(base, k);
    // the share of pairs the subspace keeps, between evenly spaced queries and rows: the prefilter only where it is
    // selective
    const spaced = (rows: readonly Float32Array[], m: number) => Array.from({ length: Math.min(rows.length, m) }, (_, r) => rows[Math.floor((r * rows.length) / Math.min(rows.length, m))]);
    const sq = spaced(queries, PREFILTER_SAMPLE);
    const sb = spaced(base, 64 * PREFILTER_SAMPLE);
    let kept = 0;
    scanPairs(project(sq, basis, k), sq.length, project(sb, basis, k), sb.length, k, metric, keyHi + 1e-4, () => void kept++);
    if (kept <= PREFILTER_MAX_SHARE * sq.length * sb.length) {
      scanPairs(project(queries, basis, k), nq, project(base, basis, k), nb, k, metric, keyHi + 1e-4, collect);
      filtered = true;
    }
  }
  if (!filtered && nq * nb >= 2_000_000) {
    scanThreaded(queries, base, d, metric, keyHi, collect);
  } else if (!filtered) {
    const flat = (rows: readonly Float32Array[]) => {
      const out = new Float32Array(rows.length * d);
      rows.forEach((r, i) => out.set(r, i * d));
      return out;
    };
    scanPairs(flat(queries), nq, flat(base), nb, d, metric, keyHi, collect);
  }
  const idx: number[] = [];
  const dist: number[] = [];
  for (let qi = 0; qi < nq; qi++) {
    for (const j of cand[qi]) {
      const dd = exact(queries[qi], base[j]);
      if (inside(dd)) { idx.push(j); dist.push(dd); }
    }
    offsets[qi + 1] = idx.length;
  }
  return { n: nq, offsets, indices: Int32Array.from(idx), distances: Float32Array.from(dist), path: filtered ? 'prefilter' : nq * nb >= 2_000_000 ? 'threads' : 'direct' };
}
