/**
 * The exact pair kernels of _knn.ts as tasks of the thread pool (_threads.ts): each chunk is a run of rows (a
 * multiple of 4 rows), its dot products from the WebAssembly SIMD kernel, 4 rows against a run of rows per call.
 *
 * - {@link RADIUS_PAIRS}: the pairs i < j within a radius (DBSCAN's and Chinese Whispers' neighbourhoods), on the
 *   rows or on their projection (the subspace prefilter of _subspace.ts, then the direct distance).
 * - {@link KNN_HEAPS}: every pair i < j offered to both rows' bounded max-heaps (exact kNN); each thread keeps its own
 *   heaps over the chunks it did, the caller merges them ({@link heapOffer}): the k smallest by (key, index) are the
 *   same whichever thread saw which pair.
 * - {@link ROWS_WITHIN}: query rows against every point (clusterAuto's radius search).
 * - {@link BETWEEN_HITS}: query rows against the rows of another set, a cache-sized run of them per chunk, on int16
 *   codes (the candidates of the exact radius search between two sets, _radius-between.ts).
 *
 * Keys: squared euclidean `|a|^2 + |b|^2 - 2 a.b` (clamped at 0), or `1 - a.b` for cosine on unit rows. The dot
 * product of a pair is the same number whichever of its rows the kernel takes as the query (same products, same
 * order of sums), so a pair's key does not depend on the chunk that computes it.
 *
 * Every function here is self-contained (no imports, no closures; helpers by name): the worker threads run their
 * source. Private: inputs are assumed valid.
 */
import type { DotKernel } from './_simd.ts';
import type { ThreadTask } from './_threads.ts';

/** Rows of the matrix in a fresh kernel's memory (rows padded to dp floats), and the byte offsets after them. */
export interface RowsInKernel {
  kernel: DotKernel;
  dp: number;
  rowBytes: number;
  /** Byte offset past the rows (the scratch and output areas start here). */
  end: number;
}

/** Copies the n x d rows into a fresh kernel, each padded to a multiple of 4 floats, with `extraBytes` after them. */
export function rowsInKernel(data: Float32Array, n: number, d: number, newKernel: () => DotKernel, extraBytes: number): RowsInKernel {
  const kernel = newKernel();
  const dp = (d + 3) & ~3;
  const rowBytes = dp * 4;
  const end = ((n + 3) & ~3) * rowBytes;
  kernel.ensure(end + extraBytes);
  const mem = kernel.f32();
  for (let i = 0; i < n; i++) mem.set(data.subarray(i * d, i * d + d), i * dp);
  return { kernel, dp, rowBytes, end };
}

/** Shared by the pair tasks: the rows, their squared norms (euclidean) or null (cosine, unit rows), chunk row starts. */
export interface PairArgs {
  data: Float32Array;
  n: number;
  d: number;
  norms: Float64Array | null;
  /** Chunk c is the rows `bounds[c] .. bounds[c+1]` (multiples of 4). */
  bounds: Int32Array;
}

export interface RadiusArgs extends PairArgs {
  /** Pairs with a key above this are dropped before anything else. */
  keyMax: number;
  radius: number;
  /** Distances within `margin` of the radius (or of 0) are recomputed directly in float64. */
  margin: number;
  strict: boolean;
  /**
   * With the subspace prefilter (_subspace.ts): `data` holds the projected rows (d columns) and `full` the rows
   * themselves (`fullD` columns); a pair the projection keeps is decided by its direct float64 distance. Else null.
   */
  full: Float32Array | null;
  fullD: number;
}

/** Pairs of a chunk: `i[e] < j[e]` at distance `dist[e]`, by i then j. */
export interface PairList {
  i: Int32Array;
  j: Int32Array;
  dist: Float64Array;
}

interface RadiusState extends RowsInKernel {
  /** Prefilter only: pair (i, j) is a candidate when dot >= norms[i] / 2 + lo[j] (lowered by a hair for rounding). */
  lo: Float64Array | null;
}

function radiusSetup(a: RadiusArgs, newKernel: () => DotKernel): RadiusState {
  const s = rowsInKernel(a.data, a.n, a.d, newKernel, 16 * ((a.n + 3) & ~3));
  let lo: Float64Array | null = null;
  if (a.full && a.norms) {
    lo = new Float64Array(a.n);
    for (let j = 0; j < a.n; j++) lo[j] = (a.norms[j] - a.keyMax) / 2 - 1e-5 * (1 + a.norms[j]);
  }
  return { kernel: s.kernel, dp: s.dp, rowBytes: s.rowBytes, end: s.end, lo };
}

/** The pairs i < j, i in the chunk's rows, within the radius (inclusive unless strict). */
function radiusChunk(a: RadiusArgs, s: RadiusState, c: number): PairList {
  const { n, norms, keyMax, radius, margin, strict, full } = a;
  // the direct distances are taken on the rows themselves
  const data = full ?? a.data;
  const d = full ? a.fullD : a.d;
  const { kernel, dp, rowBytes, end, lo } = s;
  const outF = end >> 2;
  let cap = 1024;
  let count = 0;
  let pi = new Int32Array(cap);
  let pj = new Int32Array(cap);
  let pd = new Float64Array(cap);
  // the pairs found, grown by doubling (an inner function: the task stays self-contained)
  const push = (i: number, j: number, dist: number): void => {
    if (count === cap) {
      cap *= 2;
      const ni2 = new Int32Array(cap); ni2.set(pi); pi = ni2;
      const nj2 = new Int32Array(cap); nj2.set(pj); pj = nj2;
      const nd2 = new Float64Array(cap); nd2.set(pd); pd = nd2;
    }
    pi[count] = i; pj[count] = j; pd[count] = dist;
    count++;
  };
  for (let i0 = a.bounds[c]; i0 < a.bounds[c + 1]; i0 += 4) {
    kernel.dots4(i0 * rowBytes, i0 * rowBytes, n - i0, dp, end);
    const mem = kernel.f32();
    const rEnd = Math.min(4, n - i0);
    if (lo && full && norms) {
      // the prefilter: the 4 rows' projected dots with row j are adjacent, tested together; a candidate is decided
      // by its direct float64 distance on the rows
      const h0 = norms[i0] / 2;
      const h1 = rEnd > 1 ? norms[i0 + 1] / 2 : Infinity;
      const h2 = rEnd > 2 ? norms[i0 + 2] / 2 : Infinity;
      const h3 = rEnd > 3 ? norms[i0 + 3] / 2 : Infinity;
      const o = outF - 4 * i0;
      for (let j = i0 + 1; j < n; j++) {
        const p = o + 4 * j;
        const lj = lo[j];
        const m0 = mem[p] >= h0 + lj;
        const m1 = mem[p + 1] >= h1 + lj;
        const m2 = mem[p + 2] >= h2 + lj;
        const m3 = mem[p + 3] >= h3 + lj;
        if (!(m0 || m1 || m2 || m3)) continue;
        for (let r = 0; r < rEnd; r++) {
          const i = i0 + r;
          if (j <= i || !(r === 0 ? m0 : r === 1 ? m1 : r === 2 ? m2 : m3)) continue;
          let sum = 0;
          const oi = i * d;
          const oj = j * d;
          for (let t = 0; t < d; t++) { const v = full[oi + t] - full[oj + t]; sum += v * v; }
          const dist = Math.sqrt(sum);
          if (strict ? dist < radius : dist <= radius) {
            push(i, j, dist);
          }
        }
      }
      continue;
    }
    for (let r = 0; r < rEnd; r++) {
      const i = i0 + r;
      const ni = norms ? norms[i] : 0;
      for (let j = i + 1; j < n; j++) {
        const dot = mem[outF + 4 * (j - i0) + r];
        const key = norms ? Math.max(0, ni + norms[j] - 2 * dot) : 1 - dot;
        if (key > keyMax) continue;
        let dist = norms ? Math.sqrt(key) : Math.max(0, key);
        if (full || Math.abs(dist - radius) <= margin || dist < margin) {
          // the direct float64 distance decides near the boundary (as _input.ts rowDistance)
          let sum = 0;
          const oi = i * d;
          const oj = j * d;
          if (norms) {
            for (let t = 0; t < d; t++) { const v = data[oi + t] - data[oj + t]; sum += v * v; }
            dist = Math.sqrt(sum);
          } else {
            for (let t = 0; t < d; t++) sum += data[oi + t] * data[oj + t];
            dist = Math.max(0, 1 - sum);
          }
        }
        if (strict ? dist < radius : dist <= radius) {
          push(i, j, dist);
        }
      }
    }
  }
  return { i: pi.slice(0, count), j: pj.slice(0, count), dist: pd.slice(0, count) };
}

export const RADIUS_PAIRS: ThreadTask<RadiusArgs, RadiusState, PairList> = { name: 'radiusPairs', helpers: [rowsInKernel], setup: radiusSetup, chunk: radiusChunk };

export interface KnnArgs extends PairArgs {
  /** Neighbours kept per row (k clamped to n - 1). */
  kk: number;
}

/** Bounded max-heaps, one per row, flat, ordered by (key, index). */
export interface Heaps {
  hKey: Float64Array;
  hIdx: Int32Array;
  size: Int32Array;
}

interface KnnState extends RowsInKernel {
  heaps: Heaps;
}

/** Offers (idx, key) to row's heap: kept while the heap is not full or it is below the largest, by (key, index). */
export function heapOffer(h: Heaps, kk: number, row: number, idx: number, key: number): void {
  const { hKey, hIdx, size } = h;
  const base = row * kk;
  const s = size[row];
  if (s < kk) {
    // sift up
    let c = s;
    size[row] = s + 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      const pk = hKey[base + p];
      if (!(key > pk || (key === pk && idx > hIdx[base + p]))) break;
      hKey[base + c] = pk;
      hIdx[base + c] = hIdx[base + p];
      c = p;
    }
    hKey[base + c] = key;
    hIdx[base + c] = idx;
    return;
  }
  const rk = hKey[base];
  if (!(rk > key || (rk === key && hIdx[base] > idx))) return;
  // replace the root, sift down
  let c = 0;
  for (;;) {
    let l = 2 * c + 1;
    if (l >= kk) break;
    if (l + 1 < kk) {
      const k1 = hKey[base + l + 1], k0 = hKey[base + l];
      if (k1 > k0 || (k1 === k0 && hIdx[base + l + 1] > hIdx[base + l])) l++;
    }
    const lk = hKey[base + l];
    if (!(lk > key || (lk === key && hIdx[base + l] > idx))) break;
    hKey[base + c] = lk;
    hIdx[base + c] = hIdx[base + l];
    c = l;
  }
  hKey[base + c] = key;
  hIdx[base + c] = idx;
}

function knnSetup(a: KnnArgs, newKernel: () => DotKernel): KnnState {
  const s = rowsInKernel(a.data, a.n, a.d, newKernel, 16 * ((a.n + 3) & ~3));
  const heaps = { hKey: new Float64Array(a.n * a.kk).fill(Infinity), hIdx: new Int32Array(a.n * a.kk).fill(-1), size: new Int32Array(a.n) };
  return { kernel: s.kernel, dp: s.dp, rowBytes: s.rowBytes, end: s.end, heaps };
}

/** Every pair i < j, i in the chunk's rows, offered to both rows' heaps. */
function knnChunk(a: KnnArgs, s: KnnState, c: number): null {
  const { n, norms, kk } = a;
  const { kernel, dp, rowBytes, end, heaps } = s;
  const { hKey, size } = heaps;
  const outF = end >> 2;
  for (let i0 = a.bounds[c]; i0 < a.bounds[c + 1]; i0 += 4) {
    kernel.dots4(i0 * rowBytes, i0 * rowBytes, n - i0, dp, end);
    const mem = kernel.f32();
    const rEnd = Math.min(4, n - i0);
    for (let r = 0; r < rEnd; r++) {
      const i = i0 + r;
      const ni = norms ? norms[i] : 0;
      for (let j = i + 1; j < n; j++) {
        const dot = mem[outF + 4 * (j - i0) + r];
        const key = norms ? Math.max(0, ni + norms[j] - 2 * dot) : 1 - dot;
        if (key <= hKey[i * kk] || size[i] < kk) heapOffer(heaps, kk, i, j, key);
        if (key <= hKey[j * kk] || size[j] < kk) heapOffer(heaps, kk, j, i, key);
      }
    }
  }
  return null;
}

/**
 * The threads' heaps (`finals`, kk per row over n rows) merged into the first: the kk smallest by (key, index),
 * whichever thread saw which pair.
 */
export function mergeHeaps(finals: readonly Heaps[], n: number, kk: number): Heaps {
  const heaps = finals[0];
  for (let t = 1; t < finals.length; t++) {
    const o = finals[t];
    for (let i = 0; i < n; i++) {
      for (let e = 0; e < o.size[i]; e++) {
        const key = o.hKey[i * kk + e];
        if (key <= heaps.hKey[i * kk] || heaps.size[i] < kk) heapOffer(heaps, kk, i, o.hIdx[i * kk + e], key);
      }
    }
  }
  return heaps;
}

function knnFinish(_a: KnnArgs, s: KnnState): Heaps {
  return s.heaps;
}

export const KNN_HEAPS: ThreadTask<KnnArgs, KnnState, null, Heaps> = { name: 'knnHeaps', helpers: [rowsInKernel, heapOffer], setup: knnSetup, chunk: knnChunk, finish: knnFinish };

export interface RowsWithinArgs {
  data: Float32Array;
  n: number;
  d: number;
  norms: Float64Array;
  /** The query rows; chunk c is queries `bounds[c] .. bounds[c+1]` (multiples of 4). */
  rows: Int32Array;
  bounds: Int32Array;
  radius: number;
}

/** Hits of a chunk: query `r[e]` (an index into rows) and point `j[e]` at euclidean distance `dist[e]`, by r then j. */
export interface RowHits {
  r: Int32Array;
  j: Int32Array;
  dist: Float64Array;
}

function withinSetup(a: RowsWithinArgs, newKernel: () => DotKernel): RowsInKernel {
  const dp = (a.d + 3) & ~3;
  return rowsInKernel(a.data, a.n, a.d, newKernel, 4 * dp * 4 + 16 * a.n);
}

/** Every query of the chunk against every other point within the radius (inclusive). */
function withinChunk(a: RowsWithinArgs, s: RowsInKernel, c: number): RowHits {
  const { data, n, d, norms, rows, radius } = a;
  const { kernel, dp, end } = s;
  const queryByte = end;
  const outByte = queryByte + 4 * dp * 4;
  const outF = outByte >> 2;
  const key2 = radius * radius;
  let cap = 1024;
  let count = 0;
  let pr = new Int32Array(cap);
  let pj = new Int32Array(cap);
  let pd = new Float64Array(cap);
  for (let r0 = a.bounds[c]; r0 < a.bounds[c + 1]; r0 += 4) {
    const rEnd = Math.min(4, rows.length - r0);
    let mem = kernel.f32();
    mem.fill(0, queryByte >> 2, outF);
    for (let r = 0; r < rEnd; r++) mem.set(data.subarray(rows[r0 + r] * d, rows[r0 + r] * d + d), (queryByte >> 2) + r * dp);
    kernel.dots4(queryByte, 0, n, dp, outByte);
    mem = kernel.f32();
    for (let r = 0; r < rEnd; r++) {
      const i = rows[r0 + r];
      const ni = norms[i];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const key = ni + norms[j] - 2 * mem[outF + 4 * j + r];
        if (key <= key2) {
          if (count === cap) {
            cap *= 2;
            const a2 = new Int32Array(cap); a2.set(pr); pr = a2;
            const b2 = new Int32Array(cap); b2.set(pj); pj = b2;
            const c2 = new Float64Array(cap); c2.set(pd); pd = c2;
          }
          pr[count] = r0 + r; pj[count] = j; pd[count] = Math.sqrt(Math.max(0, key));
          count++;
        }
      }
    }
  }
  return { r: pr.slice(0, count), j: pj.slice(0, count), dist: pd.slice(0, count) };
}

export const ROWS_WITHIN: ThreadTask<RowsWithinArgs, RowsInKernel, RowHits> = { name: 'rowsWithin', helpers: [rowsInKernel], setup: withinSetup, chunk: withinChunk };

export interface BetweenArgs {
  /**
   * The query rows (nq x dp) and the base rows (nb x dp), quantised to int16 (each set with its own scale; rows padded
   * with zeros to dp, a multiple of 8), flat, on SharedArrayBuffers.
   */
  queries: Int16Array;
  nq: number;
  base: Int16Array;
  nb: number;
  dp: number;
  /**
   * Per query, in units of the two scales' product: a pair is a candidate when the integer dot product
   * `q.b >= half[q] + lo[j]`, both already lowered by the quantisation's error bound and a hair for float rounding
   * (radiusNeighborsBetween), so that no pair within the radius is dropped.
   */
  half: Float64Array;
  lo: Float64Array;
  /** Chunk c is the base rows `bounds[c] .. bounds[c+1]`, at most `chunkRows` of them. */
  bounds: Int32Array;
  chunkRows: number;
}

/** Candidate pairs of a chunk: query `q[e]` and base row `j[e]`, by q then j. */
export interface BetweenHits {
  q: Int32Array;
  j: Int32Array;
}

interface BetweenState {
  kernel: DotKernel;
  /** Byte offsets: the chunk's base rows (after the queries), the dot products. */
  baseByte: number;
  outByte: number;
}

function betweenSetup(a: BetweenArgs, newKernel: () => DotKernel): BetweenState {
  const kernel = newKernel();
  const rowBytes = a.dp * 2;
  const baseByte = ((a.nq + 3) & ~3) * rowBytes;
  const outByte = baseByte + a.chunkRows * rowBytes;
  kernel.ensure(outByte + 16 * a.chunkRows);
  new Int16Array(kernel.f32().buffer).set(a.queries.subarray(0, a.nq * a.dp));
  return { kernel, baseByte, outByte };
}

/**
 * The base rows of the chunk (copied next to the queries in the thread's kernel: a run small enough to stay in the
 * core's cache while every block of 4 queries passes over it) against every query, by the int16 kernel.
 */
function betweenChunk(a: BetweenArgs, s: BetweenState, c: number): BetweenHits {
  const { base, dp, nq, half, lo } = a;
  const { kernel, baseByte, outByte } = s;
  const b0 = a.bounds[c];
  const nRows = a.bounds[c + 1] - b0;
  new Int16Array(kernel.f32().buffer).set(base.subarray(b0 * dp, (b0 + nRows) * dp), baseByte >> 1);
  const out = new Int32Array(kernel.f32().buffer);
  const outI = outByte >> 2;
  let cap = 256;
  let count = 0;
  let pq = new Int32Array(cap);
  let pj = new Int32Array(cap);
  for (let q0 = 0; q0 < nq; q0 += 4) {
    kernel.dots4i16(q0 * dp * 2, baseByte, nRows, dp, outByte);
    const rEnd = Math.min(4, nq - q0);
    for (let r = 0; r < rEnd; r++) {
      const h = half[q0 + r];
      for (let j = 0, o = outI + r; j < nRows; j++, o += 4) {
        if (out[o] < h + lo[b0 + j]) continue;
        if (count === cap) {
          cap *= 2;
          const x = new Int32Array(cap); x.set(pq); pq = x;
          const y = new Int32Array(cap); y.set(pj); pj = y;
        }
        pq[count] = q0 + r;
        pj[count] = b0 + j;
        count++;
      }
    }
  }
  return { q: pq.slice(0, count), j: pj.slice(0, count) };
}

/** Every query against the base rows of the chunk: the candidate pairs (radiusNeighborsBetween decides them exactly). */
export const BETWEEN_HITS: ThreadTask<BetweenArgs, BetweenState, BetweenHits> = { name: 'betweenHits', setup: betweenSetup, chunk: betweenChunk };
