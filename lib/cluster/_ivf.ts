/**
 * Approximate k nearest neighbours by an inverted file (IVF): the rows are split into cells by k-means centres
 * trained on a sample, and each row is compared only with the rows of the `probe` cells nearest it. Jégou, Douze,
 * Schmid, "Product quantization for nearest neighbor search", IEEE TPAMI 2011 (the inverted file, IVFADC); Sivic &
 * Zisserman, "Video Google", ICCV 2003 (inverted files of visual words). Here without the product quantisation: the
 * candidates are compared on int16 codes of the full rows (WebAssembly SIMD integer dot products, _ivf-tasks.ts), on
 * every thread, and the k kept are re-ranked by their exact distances.
 *
 * Deterministic: the sample, the centres, each row's cells and every candidate's key depend on the rows and the seed,
 * never on the threads (each thread's heaps are merged by (key, index)). Unlike an HNSW built on several threads,
 * the same rows give the same graph.
 *
 * Cost: the cells, C = sqrt(probe n) (about 5,700 at a million rows, 32 probes), balance the two passes: each row
 * against every centre (n C d) and against the rows of its cells (n probe (n / C) d), each about n^1.5 sqrt(probe) d.
 * Training: k-means on 16 C rows, a few iterations. Memory: the int16 codes (2 d bytes a row) and per thread a heap
 * of k candidates a row (12 k bytes). Private: inputs are assumed valid (for cosine, unit rows: euclidean order).
 */
import { Random, type Matrix } from './_input.ts';
import { IVF_CELLS, IVF_HEAPS } from './_ivf-tasks.ts';
import { mergeHeaps, type Heaps } from './_knn-tasks.ts';
import { kmeans } from './kmeans.ts';
import { releaseShared, runTask, shared, splitRows } from './_threads.ts';

export interface IvfParams {
  /**
   * Cells each row is compared with (its nearest centres). @default 32 — on 100,000 synthetic 512-d faces the share of
   * each face's exact 16 nearest neighbours of its own identity found (what the clustering needs; the strangers'
   * order is a coin toss) is 0.935 at 8 probes, 0.965 at 16, 0.984 at 32 (usearch int8: 0.739), about the same
   * candidates a row per probe count when the cells follow sqrt(probe n) (scratch sweep, README "kNN engines").
   */
  probe: number;
  /** Cells (0: sqrt(probe n), which balances the two passes' costs). @default 0 */
  cells: number;
  /** Training rows per cell (a seeded sample). @default 16 — 4 a cell lost 0.05 of that recall at 100,000 faces. */
  trainPerCell: number;
  /**
   * k-means iterations of the training. @default 2 — the centres only split the rows: 1 and 8 iterations found the same
   * share (0.974 at 894 cells, 32 probes), each iteration a pass of the sample against every centre.
   */
  trainIterations: number;
  /** Seed of the training sample and of the centres. @default 0 */
  seed: number;
}

export const IVF_DEFAULT_PARAMS: Readonly<IvfParams> = Object.freeze({ probe: 32, cells: 0, trainPerCell: 16, trainIterations: 2, seed: 0 });

/** The k candidates of each row, as heaps (`hIdx[i k ..]`, `size[i]`), and the seconds of the steps (for the benches). */
export interface IvfCandidates {
  heaps: Heaps;
  kk: number;
  cells: number;
  /** Rows compared with each row on average, and the largest cell's rows. */
  candidatesPerRow: number;
  largestCell: number;
  seconds: { train: number; assign: number; search: number };
}

/** Each row's k nearest candidates among the rows of its `probe` nearest cells (approximate keys: int16 codes). */
export function ivfCandidates(m: Matrix, kk: number, params: Partial<IvfParams> = {}): IvfCandidates {
  const p = { ...IVF_DEFAULT_PARAMS, ...params };
  const { data, n, d } = m;
  const t0 = performance.now();
  const cells = Math.max(1, Math.min(Math.floor(n / 4), p.cells > 0 ? p.cells : Math.round(Math.sqrt(p.probe * n))));
  const probe = Math.min(p.probe, cells);
  // the centres: k-means on a seeded sample
  const sampleSize = Math.min(n, p.trainPerCell * cells);
  const perm = new Random(p.seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const sample = Array.from(perm.subarray(0, sampleSize)).sort((a, b) => a - b).map((i) => data.subarray(i * d, i * d + d));
  const centres = kmeans(sample, { nClusters: cells, init: 'random', nInit: 1, maxIter: p.trainIterations, seed: p.seed }).centers;
  const t1 = performance.now();
  // int16 codes of the rows and the centres, one scale (the centres are means of rows: within their range)
  const dp = (d + 7) & ~7;
  const Q = Math.min(32767, Math.floor(Math.sqrt((2 ** 31 - 1) / dp)));
  let most = 0;
  for (let i = 0; i < n * d; i++) { const v = data[i]; if (v > most) most = v; else if (-v > most) most = -v; }
  const scale = most > 0 ? most / Q : 1;
  const inv = 1 / scale;
  const unit = scale * scale;
  const codes = shared(Int16Array, n * dp);
  const norms = shared(Float64Array, n);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let t = 0; t < d; t++) {
      const v = data[i * d + t];
      const u = v * inv;
      codes[i * dp + t] = u < 0 ? u - 0.5 : u + 0.5;
      q += v * v;
    }
    norms[i] = q;
  }
  // unit rows: the centres as directions (spherical k-means' cells, Dhillon & Modha, Machine Learning 2001): on the
  // sphere a short centre (the mean of rows far apart) is the nearest of every row near no other centre, and its
  // cell swallows them (on 100,000 synthetic faces one cell of 16% of the rows: 35,000 candidates a row, not 3,000)
  let unitRows = true;
  for (let i = 0; i < n && unitRows; i++) if (Math.abs(norms[i] - 1) > 2e-3) unitRows = false;
  const centreCodes = shared(Int16Array, cells * dp);
  const half = shared(Float64Array, cells);
  centres.forEach((c, j) => {
    let q = 0;
    for (let t = 0; t < d; t++) q += c[t] * c[t];
    const r = unitRows && q > 0 ? 1 / Math.sqrt(q) : 1;
    for (let t = 0; t < d; t++) {
      const u = Math.max(-Q, Math.min(Q, c[t] * r * inv));
      centreCodes[j * dp + t] = u < 0 ? u - 0.5 : u + 0.5;
    }
    half[j] = (q * r * r) / (2 * unit);
  });
  // each row's nearest cells
  const rowBounds = splitRows(n, Math.min(256, Math.max(1, Math.ceil(n / 256))));
  const near = runTask(IVF_CELLS, { codes, n, dp, centres: centreCodes, cells, half, probe, bounds: rowBounds }, rowBounds.length - 1).chunks;
  const probeOf = new Int32Array(n * probe);
  near.forEach((chunk, ch) => probeOf.set(chunk, rowBounds[ch] * probe));
  releaseShared(centreCodes, half);
  // the rows of each cell (each row in its nearest), the rows probing each cell (CSR, rows ascending)
  const memberStart = shared(Int32Array, cells + 1);
  const proberStart = shared(Int32Array, cells + 1);
  for (let i = 0; i < n; i++) {
    memberStart[probeOf[i * probe] + 1]++;
    for (let e = 0; e < probe; e++) proberStart[probeOf[i * probe + e] + 1]++;
  }
  for (let c = 0; c < cells; c++) { memberStart[c + 1] += memberStart[c]; proberStart[c + 1] += proberStart[c]; }
  const members = shared(Int32Array, n);
  const probers = shared(Int32Array, proberStart[cells]);
  const mFill = memberStart.slice(0, cells), pFill = proberStart.slice(0, cells);
  let maxMembers = 0;
  for (let i = 0; i < n; i++) {
    members[mFill[probeOf[i * probe]]++] = i;
    for (let e = 0; e < probe; e++) probers[pFill[probeOf[i * probe + e]]++] = i;
  }
  for (let c = 0; c < cells; c++) maxMembers = Math.max(maxMembers, memberStart[c + 1] - memberStart[c]);
  const t2 = performance.now();
  // runs of cells of about equal work (members x probers)
  const work = (c: number) => (memberStart[c + 1] - memberStart[c]) * (proberStart[c + 1] - proberStart[c]);
  let total = 0;
  for (let c = 0; c < cells; c++) total += work(c);
  const parts = Math.min(cells, 64);
  const cellBounds = [0];
  for (let c = 0, acc = 0; c < cells; c++) {
    acc += work(c);
    if (acc >= (total * cellBounds.length) / parts && c + 1 < cells) cellBounds.push(c + 1);
  }
  cellBounds.push(cells);
  const run = runTask(IVF_HEAPS, { codes, n, dp, norms, unit, memberStart, members, proberStart, probers, maxMembers, kk, bounds: Int32Array.from(cellBounds) }, cellBounds.length - 1);
  releaseShared(codes, norms, memberStart, members, proberStart, probers);
  const heaps = mergeHeaps(run.finals, n, kk);
  const t3 = performance.now();
  return { heaps, kk, cells, candidatesPerRow: total / n, largestCell: maxMembers, seconds: { train: (t1 - t0) / 1000, assign: (t2 - t1) / 1000, search: (t3 - t2) / 1000 } };
}
