/**
 * The nearest-neighbour kernel shared by every clustering method that needs neighbours.
 *
 * - {@link knnExact}: exact k nearest neighbours by blocked dot products on a flat Float32Array
 *   (precomputed squared norms, `|a-b|^2 = |a|^2 + |b|^2 - 2 a.b`, 4 rows at a time, each pair computed once
 *   and offered to both rows' bounded max-heaps). O(n^2 d) time, O(n k) memory.
 * - {@link knnHnsw}: approximate k nearest neighbours with an HNSW index (Malkov & Yashunin, "Efficient and
 *   robust approximate nearest neighbor search using Hierarchical Navigable Small World graphs", IEEE TPAMI 2020),
 *   about O(n log n), by one of two engines ({@link HnswEngine}): `usearch` (int8-quantised vectors, every core;
 *   the default) or `hnswlib` (hnswlib-node, float32, one thread). The distances it returns are exact (recomputed
 *   from the rows); only which neighbours are found is approximate.
 * - {@link radiusNeighbors}: every pair within a distance (inclusive), exact, blocked; used by DBSCAN and
 *   Chinese Whispers.
 *
 * Distances near a boundary are recomputed directly (float64 differences) so that `<= eps` is decided the way
 * scikit-learn decides it. Metrics: `euclidean`, and `cosine` (1 - cos) which expects unit rows (see toMatrix).
 * Private: inputs are assumed valid.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import hnswlib from 'hnswlib-node';
import { FaceclusterError } from '../errors.ts';
import type { Metric } from '../types.ts';
import { rowDistance, type Matrix } from './_input.ts';
import { KNN_HEAPS, mergeHeaps, RADIUS_PAIRS, ROWS_WITHIN, type Heaps, type KnnArgs, type PairArgs, type RadiusArgs } from './_knn-tasks.ts';
import { ivfCandidates, type IvfParams } from './_ivf.ts';
import { createDotKernel } from './_simd.ts';
import { principalBasis, project, PREFILTER_DIMS } from './_subspace.ts';
import { onShared, runTask, shared, splitRows } from './_threads.ts';

/** k nearest neighbours of every point (itself excluded), nearest first. Row i is `[i*k, (i+1)*k)`. */
export interface KnnGraph {
  n: number;
  k: number;
  /** Neighbour indices; -1 pads a row when fewer than k other points exist. */
  indices: Int32Array;
  /** Distances in the metric (euclidean or 1 - cos); Infinity pads. */
  distances: Float32Array;
  /** How the neighbours were found: `exact`, or the HNSW engine (`usearch i8`, `hnswlib`). */
  engine?: string;
  /** Set when the HNSW engine asked for could not be used and another was (said, never silent). */
  warning?: string;
  /** HNSW only: seconds spent building the index and querying it (for the benches). */
  seconds?: { build: number; query: number };
}

/**
 * How to find neighbours: `exact` (blocked brute force), `hnsw` (approximate, a graph index), `ivf` (approximate, an
 * inverted file on every thread: _ivf.ts), `auto` (ivf above 50,000 points).
 */
export type KnnMethod = 'auto' | 'exact' | 'hnsw' | 'ivf';
export const KNN_METHODS: readonly KnnMethod[] = ['auto', 'exact', 'hnsw', 'ivf'];
/** Above this many points `auto` uses the inverted file (an approximate search). */
export const KNN_AUTO_APPROXIMATE_ABOVE = 50_000;

/** Squared euclidean norm of every row. */
export function squaredNorms(m: Pick<Matrix, 'data' | 'n' | 'd'>): Float64Array {
  const { data, n, d } = m;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let t = 0; t < d; t++) s += data[o + t] * data[o + t];
    out[i] = s;
  }
  return out;
}

/**
 * Calls `visit(i, j, key)` for every pair i < j, where `key` is a monotone stand-in for the distance:
 * squared euclidean (`|a|^2+|b|^2-2a.b`, clamped at 0) or, for cosine on unit rows, `1 - a.b`.
 * Dot products come from the WebAssembly SIMD kernel, 4 rows against all later rows per call. Pairs with a key
 * above `keyMax` are skipped here, before the call (a radius search keeps few of the n^2/2 pairs, so it no longer
 * pays a call per pair).
 */
function forEachPair(m: Matrix, metric: Metric, visit: (i: number, j: number, key: number) => void, keyMax = Infinity): void {
  const { data, n, d } = m;
  if (n < 2) return;
  const norms = metric === 'euclidean' ? squaredNorms(m) : null;
  const dp = (d + 3) & ~3;
  const nPad = (n + 3) & ~3;
  const rowBytes = dp * 4;
  const outByte = nPad * rowBytes;
  const kernel = createDotKernel();
  kernel.ensure(outByte + 16 * nPad);
  let mem = kernel.f32();
  for (let i = 0; i < n; i++) mem.set(data.subarray(i * d, i * d + d), i * dp);
  const outF = outByte >> 2;
  for (let i0 = 0; i0 < n; i0 += 4) {
    const count = n - i0;
    kernel.dots4(i0 * rowBytes, i0 * rowBytes, count, dp, outByte);
    mem = kernel.f32();
    const rEnd = Math.min(4, n - i0);
    for (let r = 0; r < rEnd; r++) {
      const i = i0 + r;
      const ni = norms ? norms[i] : 0;
      for (let j = i + 1; j < n; j++) {
        const dot = mem[outF + 4 * (j - i0) + r];
        const key = norms ? Math.max(0, ni + norms[j] - 2 * dot) : 1 - dot;
        if (key <= keyMax) visit(i, j, key);
      }
    }
  }
}

function keyToDistance(key: number, metric: Metric): number {
  return metric === 'euclidean' ? Math.sqrt(key) : Math.max(0, key);
}

/** The rows and squared norms (euclidean) on SharedArrayBuffers, with chunk starts of about equal pair counts. */
function pairArgs(m: Matrix, metric: Metric): PairArgs {
  const { n, d } = m;
  const data = onShared(m.data.subarray(0, n * d));
  let norms: Float64Array | null = null;
  if (metric === 'euclidean') {
    norms = shared(Float64Array, n);
    norms.set(squaredNorms(m));
  }
  // rows i < j: row i costs n - i pairs
  return { data, n, d, norms, bounds: splitRows(n, PAIR_CHUNKS, (i) => n - i) };
}

/**
 * Chunks of a pair search (fixed, whatever the threads: the output never depends on them): enough for the threads
 * to share the work evenly, few enough that each is thousands of rows' work on LFW-sized inputs.
 */
const PAIR_CHUNKS = 64;

/** Exact k nearest neighbours (blocked brute force, on the threads of _threads.ts). `k` is clamped to n - 1. */
export function knnExact(m: Matrix, k: number, metric: Metric): KnnGraph {
  const n = m.n;
  const kk = Math.max(0, Math.min(k, n - 1));
  let heaps: Heaps = { hKey: new Float64Array(0), hIdx: new Int32Array(0), size: new Int32Array(n) };
  if (kk > 0 && n >= 2) {
    const args: KnnArgs = { ...pairArgs(m, metric), kk };
    const run = runTask(KNN_HEAPS, args, args.bounds.length - 1);
    heaps = mergeHeaps(run.finals, n, kk);
  }
  return graphFromHeaps(m, heaps, k, kk, metric);
}

/**
 * The k-nearest-neighbour graph of candidate heaps (kk per row): the kept candidates' exact distances, each row
 * ordered by (distance, index).
 */
export function graphFromHeaps(m: Matrix, heaps: Heaps, k: number, kk: number, metric: Metric): KnnGraph {
  const n = m.n;
  const { hIdx, size } = heaps;
  const indices = new Int32Array(n * k).fill(-1);
  const distances = new Float32Array(n * k).fill(Infinity);
  const order: { idx: number; dist: number }[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let t = 0; t < size[i]; t++) {
      const idx = hIdx[i * kk + t];
      // exact recomputation of the kept distances (cheap: n k d), stable order by (distance, index)
      order.push({ idx, dist: rowDistance(m, i, idx, metric) });
    }
    order.sort((a, b) => a.dist - b.dist || a.idx - b.idx);
    for (let t = 0; t < order.length; t++) {
      indices[i * k + t] = order[t].idx;
      distances[i * k + t] = order[t].dist;
    }
  }
  return { n, k, indices, distances };
}

/**
 * Which library builds the HNSW index. `usearch` (USearch, Unum; a native dependency with prebuilt binaries, loaded
 * only when used): vectors quantised to int8 (unit rows, cosine; else bf16, squared euclidean), on one thread by
 * default or on several (see `threads`). `hnswlib`: hnswlib-node, float32, one thread, seeded.
 * `auto`: usearch when it loads, else hnswlib with a warning on the graph (never a silent fallback).
 */
export type HnswEngine = 'auto' | 'usearch' | 'hnswlib';
export const HNSW_ENGINES: readonly HnswEngine[] = ['auto', 'usearch', 'hnswlib'];

/** Options of the approximate (HNSW) search. */
export interface HnswParams {
  /** Graph degree M. */
  m: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Candidate list size while searching (raised to at least k + 1). */
  efSearch: number;
  /** Seed of hnswlib's levels (usearch's are its own, fixed). */
  seed: number;
  engine: HnswEngine;
  /**
   * How usearch stores the vectors: `auto` (int8 with the cosine metric for unit rows or `cosine`, where int8 keeps
   * the neighbours' order; else bf16 with squared euclidean), or `i8` / `bf16` / `f32` (i8 always with cosine).
   */
  quantization: 'auto' | 'i8' | 'bf16' | 'f32';
  /**
   * Threads of the usearch engine (build and queries: usearch searches on at most the threads it was built for);
   * 0: every core. @default 1 — on more, points are inserted in an order that varies from run to run, and so does
   * the graph (measured on 100,000 synthetic 512-d faces: 87% of the points' 16-neighbour lists differ between two
   * 2-thread builds); one thread keeps `clusterAuto`'s "same input, same output".
   */
  threads: number;
}
/**
 * Light HNSW settings, chosen for scale: on all of LFW (12,424 faces) they give recall@10 0.96 in 1.9 s, against
 * 0.997 in 3.9 s for hnswlib's usual M 16 / efConstruction 100 / ef 64; approximate rank-order's quality is
 * unchanged at that recall, and a million points index in minutes. The engine: see {@link HnswEngine} and
 * `npm run bench:cluster -- --n 100000 --dim 512 --only engines` (side by side on the same vectors).
 */
export const HNSW_DEFAULT_PARAMS: Readonly<HnswParams> = Object.freeze({ m: 12, efConstruction: 40, efSearch: 32, seed: 0, engine: 'auto', quantization: 'auto', threads: 1 });

/** The usearch module, loaded once (null when it does not load, with the reason). */
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  /** Several queries give `counts` and k slots each; one query (a block of one row) gives no `counts`. */
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
}
interface UsearchModule {
  Index: new (o: { metric: string; dimensions: number; connectivity: number; quantization: string; expansion_add: number; expansion_search: number; multi: boolean }) => UsearchIndex;
}
let usearchLoaded: { mod: UsearchModule | null; error: string } | null = null;
/** usearch, or null with the reason it did not load. */
export function loadUsearch(): { mod: UsearchModule | null; error: string } {
  if (!usearchLoaded) {
    try {
      usearchLoaded = { mod: createRequire(import.meta.url)('usearch') as UsearchModule, error: '' };
    } catch (e) {
      usearchLoaded = { mod: null, error: (e as Error).message.split('\n')[0] };
    }
  }
  return usearchLoaded;
}

/**
 * Approximate k nearest neighbours (every point is indexed, then queried with k + 1), by the engine of `params`.
 * Throws when `engine: 'usearch'` is asked for and does not load; `auto` falls back to hnswlib and says so in
 * `warning`.
 */
export function knnHnsw(m: Matrix, k: number, metric: Metric, params: Partial<HnswParams> = {}): KnnGraph {
  const p = { ...HNSW_DEFAULT_PARAMS, ...params };
  if (p.engine === 'hnswlib') return knnHnswlib(m, k, metric, p);
  const u = loadUsearch();
  if (u.mod) return knnUsearch(u.mod, m, k, metric, p);
  if (p.engine === 'usearch') throw new FaceclusterError('knnHnsw', `engine 'usearch' was asked for but the dependency usearch did not load (${u.error}); reinstall it (npm install usearch) or pass engine 'hnswlib'.`, 'engine');
  const g = knnHnswlib(m, k, metric, p);
  g.warning = `the nearest-neighbour engine usearch did not load (${u.error}), so hnswlib-node (one thread, several times slower on large collections) found the neighbours; reinstall usearch (npm install usearch) for speed.`;
  return g;
}

/** The hnswlib-node engine (float32, one thread, seeded). */
function knnHnswlib(m: Matrix, k: number, metric: Metric, p: HnswParams): KnnGraph {
  const { data, n, d } = m;
  const indices = new Int32Array(n * k).fill(-1);
  const distances = new Float32Array(n * k).fill(Infinity);
  if (n === 0 || k === 0) return { n, k, indices, distances, engine: 'hnswlib' };
  // rows are unit for cosine, so inner product gives 1 - cos directly; l2 gives squared euclidean
  const t0 = performance.now();
  const index = new hnswlib.HierarchicalNSW(metric === 'cosine' ? 'ip' : 'l2', d);
  index.initIndex(n, p.m, p.efConstruction, p.seed);
  const row: number[] = new Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) row[t] = data[i * d + t];
    index.addPoint(row, i);
  }
  const t1 = performance.now();
  const kq = Math.min(k + 1, n);
  index.setEf(Math.max(p.efSearch, kq));
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) row[t] = data[i * d + t];
    const res = index.searchKnn(row, kq);
    // sort by (distance, label) and drop the point itself
    const pairs = res.neighbors.map((idx, t) => ({ idx, dist: res.distances[t] }));
    pairs.sort((a, b) => a.dist - b.dist || a.idx - b.idx);
    let c = 0;
    for (const q of pairs) {
      if (q.idx === i || c >= k) continue;
      indices[i * k + c] = q.idx;
      distances[i * k + c] = metric === 'cosine' ? Math.max(0, q.dist) : Math.sqrt(Math.max(0, q.dist));
      c++;
    }
  }
  return { n, k, indices, distances, engine: 'hnswlib', seconds: { build: (t1 - t0) / 1000, query: (performance.now() - t1) / 1000 } };
}

/** Rows of `m` are unit vectors (to 1e-3). */
export function unitRows(m: Matrix): boolean {
  const norms = squaredNorms(m);
  for (let i = 0; i < m.n; i++) if (Math.abs(Math.sqrt(norms[i]) - 1) > 1e-3) return false;
  return true;
}

/**
 * The usearch engine: int8 vectors with the cosine metric when the rows are unit vectors (then cosine and
 * euclidean order neighbours alike), else bf16 with squared euclidean; built and searched on `threads` cores,
 * in blocks (bounded temporary memory). Each row's candidates are re-ranked by their exact distance, ties by index.
 */
function knnUsearch(mod: UsearchModule, m: Matrix, k: number, metric: Metric, p: HnswParams): KnnGraph {
  const { data, n, d } = m;
  const indices = new Int32Array(n * k).fill(-1);
  const distances = new Float32Array(n * k).fill(Infinity);
  const q = p.quantization === 'auto' ? (metric === 'cosine' || unitRows(m) ? 'i8' : 'bf16') : p.quantization;
  // int8 codes keep angles, not lengths: i8 always searches by cosine (the caller's rows are unit for it)
  const cos = q === 'i8' || metric === 'cosine';
  const engine = `usearch ${q}`;
  if (n === 0 || k === 0) return { n, k, indices, distances, engine };
  const threads = p.threads > 0 ? p.threads : availableParallelism();
  const kq = Math.min(k + 1, n);
  const t0 = performance.now();
  const index = new mod.Index({
    metric: cos ? 'cos' : 'l2sq', dimensions: d, connectivity: p.m, quantization: q,
    expansion_add: p.efConstruction, expansion_search: Math.max(p.efSearch, kq), multi: false,
  });
  const BLOCK = 65_536;
  for (let b = 0; b < n; b += BLOCK) {
    const e = Math.min(n, b + BLOCK);
    const keys = new BigUint64Array(e - b);
    for (let i = b; i < e; i++) keys[i - b] = BigInt(i);
    // a plain copy of a shared matrix's block for the native addon (only plain buffers go to it)
    index.add(keys, data.buffer instanceof SharedArrayBuffer ? data.slice(b * d, e * d) : data.subarray(b * d, e * d), threads);
  }
  const t1 = performance.now();
  const cand: { idx: number; dist: number }[] = [];
  for (let b = 0; b < n; b += BLOCK) {
    const e = Math.min(n, b + BLOCK);
    const res = index.search(data.buffer instanceof SharedArrayBuffer ? data.slice(b * d, e * d) : data.subarray(b * d, e * d), kq, threads);
    for (let i = b; i < e; i++) {
      const r = i - b;
      const found = res.counts ? Number(res.counts[r]) : Math.min(kq, res.keys.length);
      cand.length = 0;
      for (let t = 0; t < found; t++) {
        const j = Number(res.keys[r * kq + t]);
        if (j !== i) cand.push({ idx: j, dist: rowDistance(m, i, j, metric) });
      }
      cand.sort((x, y) => x.dist - y.dist || x.idx - y.idx);
      const c = Math.min(k, cand.length);
      for (let t = 0; t < c; t++) { indices[i * k + t] = cand[t].idx; distances[i * k + t] = cand[t].dist; }
    }
  }
  return { n, k, indices, distances, engine, seconds: { build: (t1 - t0) / 1000, query: (performance.now() - t1) / 1000 } };
}

/**
 * k nearest neighbours by the chosen method (`auto`: exact up to {@link KNN_AUTO_APPROXIMATE_ABOVE} points, the inverted
 * file above: on 100,000 synthetic 512-d faces it finds 0.98 of each face's same-identity neighbours where usearch
 * finds 0.74, in half the time on two cores, and the same rows give the same graph; README "kNN engines").
 */
export function knn(m: Matrix, k: number, metric: Metric, method: KnnMethod = 'auto', hnsw: Partial<HnswParams> = {}): KnnGraph {
  if (method === 'ivf' || (method === 'auto' && m.n > KNN_AUTO_APPROXIMATE_ABOVE)) return knnIvf(m, k, metric);
  return method === 'hnsw' ? knnHnsw(m, k, metric, hnsw) : knnExact(m, k, metric);
}

/**
 * Approximate k nearest neighbours by an inverted file ({@link ivfCandidates}): the candidates of each row's nearest
 * cells, the k kept re-ranked by their exact distances. For cosine the rows must be unit vectors.
 */
export function knnIvf(m: Matrix, k: number, metric: Metric, params: Partial<IvfParams> = {}): KnnGraph {
  const kk = Math.max(0, Math.min(k, m.n - 1));
  if (kk === 0) return { n: m.n, k, indices: new Int32Array(m.n * k).fill(-1), distances: new Float32Array(m.n * k).fill(Infinity), engine: 'ivf' };
  const c = ivfCandidates(m, kk, params);
  const t = performance.now();
  const g = graphFromHeaps(m, c.heaps, k, kk, metric);
  return { ...g, engine: `ivf (${c.cells} cells, ${Math.round(c.candidatesPerRow)} candidates a row, largest cell ${c.largestCell})`, seconds: { build: c.seconds.train + c.seconds.assign, query: c.seconds.search + (performance.now() - t) / 1000 } };
}

/** Sparse symmetric neighbourhoods in CSR form: neighbours of i are `indices[offsets[i] .. offsets[i+1])`. */
export interface Neighborhoods {
  n: number;
  offsets: Int32Array;
  indices: Int32Array;
  distances: Float32Array;
}

/** Above this many pairs (about 2,000 rows), a euclidean radius search of 64 or more dimensions is prefiltered. */
const PREFILTER_MIN_PAIRS = 2_000_000;

/**
 * Every pair (i, j), i != j, at distance `<= radius` (or `< radius` with `strict`), exact, on the threads of
 * _threads.ts. Euclidean, d >= 64 and more than {@link PREFILTER_MIN_PAIRS} pairs: the pairs within the radius in a
 * 32-dimensional principal subspace (_subspace.ts: it never drops a true neighbour), each decided by its direct
 * float64 distance; measured on all of LFW (face-api 128-d, eps 0.44): 0.69% of the 77.2M pairs pass the prefilter
 * (529,097; 127,354 are within eps), and the search takes about 40% less CPU than on the rows. Otherwise on the
 * rows, and candidates within a small margin of the radius are re-decided with the direct float64 distance.
 */
export function radiusNeighbors(m: Matrix, radius: number, metric: Metric, strict = false): Neighborhoods {
  const n = m.n;
  const margin = 1e-4 * Math.max(1, radius) + 1e-5;
  const hi = radius + margin;
  const keyHi = metric === 'euclidean' ? hi * hi : hi;
  if (n < 2) return { n, offsets: new Int32Array(n + 1), indices: new Int32Array(0), distances: new Float32Array(0) };
  let args: RadiusArgs;
  const { d } = m;
  if (metric === 'euclidean' && d >= 64 && (n * (n - 1)) / 2 >= PREFILTER_MIN_PAIRS) {
    // the subspace prefilter: pairs within the radius in PREFILTER_DIMS dimensions (4x fewer multiply-adds at
    // 128-d), each then decided on the rows; 1e-4 covers the rounding of the float32 projection
    const rows = Array.from({ length: n }, (_, i) => m.data.subarray(i * d, i * d + d));
    const k = Math.min(PREFILTER_DIMS, d);
    const projected = project(rows, principalBasis(rows, k), k);
    const full = shared(Float32Array, n * d);
    full.set(m.data.subarray(0, n * d));
    args = { ...pairArgs({ data: projected, n, d: k }, metric), keyMax: keyHi + 1e-4, radius, margin, strict, full, fullD: d };
  } else {
    args = { ...pairArgs(m, metric), keyMax: keyHi, radius, margin, strict, full: null, fullD: d };
  }
  const lists = runTask(RADIUS_PAIRS, args, args.bounds.length - 1).chunks;
  let total = 0;
  for (const l of lists) total += l.i.length;
  const pi = new Int32Array(total);
  const pj = new Int32Array(total);
  const pd = new Float64Array(total);
  let at = 0;
  for (const l of lists) { pi.set(l.i, at); pj.set(l.j, at); pd.set(l.dist, at); at += l.i.length; }
  const count = new Int32Array(n + 1);
  for (let e = 0; e < pi.length; e++) { count[pi[e] + 1]++; count[pj[e] + 1]++; }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const offsets = Int32Array.from(count);
  const fill = Int32Array.from(count.subarray(0, n));
  const indices = new Int32Array(2 * pi.length);
  const distances = new Float32Array(2 * pi.length);
  for (let e = 0; e < pi.length; e++) {
    const a = pi[e], b = pj[e];
    indices[fill[a]] = b; distances[fill[a]++] = pd[e];
    indices[fill[b]] = a; distances[fill[b]++] = pd[e];
  }
  return { n, offsets, indices, distances };
}

/**
 * All pairwise distances in condensed form (pair i < j at `n*i - i*(i+1)/2 + j - i - 1`, as scipy's pdist), float64.
 * Below 3,000 points every distance is computed directly in float64 (bit-for-bit stable for reference
 * comparisons); above, by the SIMD dot-product kernel. `squared` gives squared euclidean distances.
 */
export function condensedDistances(m: Matrix, metric: Metric, squared = false): Float64Array {
  const n = m.n;
  const out = new Float64Array((n * (n - 1)) / 2);
  if (n < 3000) {
    let e = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const dist = rowDistance(m, i, j, metric);
      out[e++] = squared ? dist * dist : dist;
    }
    return out;
  }
  forEachPair(m, metric, (i, j, key) => {
    const dist = keyToDistance(key, metric);
    out[n * i - (i * (i + 1)) / 2 + j - i - 1] = squared ? (metric === 'euclidean' ? key : dist * dist) : dist;
  });
  return out;
}

/**
 * Query rows one radius search holds the hits of at most, as pairs (rows x points): 2^24, about 270 MB of hits
 * (16 bytes each) whatever n, where all rows at once held 3,000 x n / 2 of them at the radius clusterAuto uses
 * (4.8 GB at 200,000 faces, 24 GB at a million). Fewer rows per call cost one copy of the points into each thread's
 * kernel per call: at 100,000 x 512-d, 18 calls of 167 rows.
 */
export const ROWS_WITHIN_BATCH_PAIRS = 1 << 24;

/**
 * Calls `visit(r, j, distance)` for every row `rows[r]` against every point j != rows[r] whose euclidean distance
 * is `<= radius`, in order of r, then j. Dot products from the SIMD kernel, 4 query rows at a time: O(|rows| n d).
 * Measured side by side on all of LFW (3,000 rows, clusterAuto's use): half the time of radiusNeighborsBetween,
 * whose subspace prefilter pays off for few queries, not for thousands at a wide radius. The rows go in batches of
 * `batchPairs` / n (a multiple of 4, at least 16; default {@link ROWS_WITHIN_BATCH_PAIRS}), so memory stays bounded; the distances are the
 * same whatever the batches (each query's dot products are its own lane of the kernel).
 */
export function rowsWithinRadius(m: Matrix, rows: ArrayLike<number>, radius: number, visit: (r: number, j: number, distance: number) => void, batchPairs = ROWS_WITHIN_BATCH_PAIRS): void {
  const { n, d } = m;
  if (n === 0 || rows.length === 0) return;
  const data = onShared(m.data.subarray(0, n * d));
  const norms = shared(Float64Array, n);
  norms.set(squaredNorms(m));
  const batch = Math.max(16, 4 * Math.floor(batchPairs / n / 4));
  for (let b0 = 0; b0 < rows.length; b0 += batch) {
    const bn = Math.min(batch, rows.length - b0);
    const q = shared(Int32Array, bn);
    for (let r = 0; r < bn; r++) q[r] = rows[b0 + r];
    // chunks of at least 16 queries (a query costs n d multiply-adds)
    const bounds = splitRows(bn, Math.min(PAIR_CHUNKS, Math.ceil(bn / 16)));
    const hits = runTask(ROWS_WITHIN, { data, n, d, norms, rows: q, bounds, radius }, bounds.length - 1).chunks;
    for (const h of hits) for (let e = 0; e < h.r.length; e++) visit(b0 + h.r[e], h.j[e], h.dist[e]);
  }
}
