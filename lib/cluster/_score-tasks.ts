/**
 * The pair pass of {@link expectedScoreCurves} as a task of the thread pool (_threads.ts): each chunk is a run of the
 * sampled rows (a multiple of 4), their distances to every point from the WebAssembly SIMD kernel (as
 * ROWS_WITHIN of _knn-tasks.ts: the same distances, bit for bit), and for each row, on the thread that computed
 * them, its pairs' same-person probabilities ({@link sameProbabilityWith}) summed into the row's total and, cut by
 * cut, into the row's sum within its cluster ({@link cutSums}). A chunk returns rows x (functions + functions x
 * cuts) numbers, never its pairs: the pass holds no pair lists (1.5 billion pairs within reach at a million faces)
 * and its per-pair work runs on every core.
 *
 * Every function here is self-contained (no imports, no closures; helpers by name): the worker threads run their
 * source. Private: inputs are assumed valid.
 */
import type { SameProbabilityConstants } from './distance-mixture.ts';
import { sameProbabilityWith } from './distance-mixture.ts';
import { rowsInKernel, type RowsInKernel } from './_knn-tasks.ts';
import type { DotKernel } from './_simd.ts';
import type { ThreadTask } from './_threads.ts';

/**
 * One row's sums within its cluster at every cut: `out[outAt + k * stride + c]` = 1 + the probabilities (under
 * function k) of the row's pairs that cut c or an earlier one joins, added in order of cut, then in the pairs' own
 * order (`pairCut[e]`, `pairProb[e * nk + k]`, e < count). `firstOfCut` (cuts + 1) and `order` (>= count) are
 * scratch.
 */
export function cutSums(pairCut: Int32Array, pairProb: Float32Array, count: number, nk: number, cuts: number, firstOfCut: Int32Array, order: Int32Array, out: Float64Array, outAt: number, stride: number): void {
  // the pairs by cut (a stable counting sort)
  firstOfCut.fill(0);
  for (let e = 0; e < count; e++) firstOfCut[pairCut[e] + 1]++;
  for (let c = 0; c < cuts; c++) firstOfCut[c + 1] += firstOfCut[c];
  const fill = firstOfCut.slice(0, cuts);
  for (let e = 0; e < count; e++) order[fill[pairCut[e]]++] = e;
  for (let k = 0; k < nk; k++) {
    let v = 1;
    const at = outAt + k * stride;
    for (let c = 0, q = 0; c < cuts; c++) {
      for (; q < firstOfCut[c + 1]; q++) v += pairProb[order[q] * nk + k];
      out[at + c] = v;
    }
  }
}

export interface ScoreRowsArgs {
  data: Float32Array;
  n: number;
  d: number;
  norms: Float64Array;
  /** The query rows (indices into data); chunk c is queries `bounds[c] .. bounds[c+1]` (multiples of 4). */
  rows: Int32Array;
  bounds: Int32Array;
  radius: number;
  /** The same-person probability functions' constants. */
  functions: SameProbabilityConstants[];
  /** Tree leaf of each point (null: point i is leaf i). */
  leaves: Int32Array | null;
  /** Each leaf's position in the tree's left-to-right order. */
  leafStart: Int32Array;
  /** The sparse table of range maxima of the first cut joining adjacent positions (levels x gaps). */
  table: Int32Array;
  gaps: number;
  cuts: number;
}

/** A chunk's rows: `totals[r * nk + k]` (1 + sum of probabilities) and `atCut[(r * nk + k) * cuts + c]`. */
export interface ScoredRows {
  totals: Float64Array;
  atCut: Float64Array;
}

interface ScoreState extends RowsInKernel {
  pairCut: Int32Array;
  pairProb: Float32Array;
  order: Int32Array;
  firstOfCut: Int32Array;
}

function scoreSetup(a: ScoreRowsArgs, newKernel: () => DotKernel): ScoreState {
  const dp = (a.d + 3) & ~3;
  const s = rowsInKernel(a.data, a.n, a.d, newKernel, 4 * dp * 4 + 16 * a.n);
  const nk = a.functions.length;
  return { ...s, pairCut: new Int32Array(a.n), pairProb: new Float32Array(a.n * nk), order: new Int32Array(a.n), firstOfCut: new Int32Array(a.cuts + 1) };
}

function scoreChunk(a: ScoreRowsArgs, s: ScoreState, c: number): ScoredRows {
  const { data, n, d, norms, rows, radius, functions, leaves, leafStart, table, gaps, cuts } = a;
  const { kernel, dp, end, pairCut, pairProb } = s;
  const nk = functions.length;
  const queryByte = end;
  const outByte = queryByte + 4 * dp * 4;
  const outF = outByte >> 2;
  const key2 = radius * radius;
  const r0s = a.bounds[c], count = a.bounds[c + 1] - r0s;
  const totals = new Float64Array(count * nk).fill(1);
  const atCut = new Float64Array(count * nk * cuts).fill(1);
  const p = new Float64Array(nk);
  for (let r0 = r0s; r0 < a.bounds[c + 1]; r0 += 4) {
    const rEnd = Math.min(4, rows.length - r0);
    let mem = kernel.f32();
    mem.fill(0, queryByte >> 2, outF);
    for (let r = 0; r < rEnd; r++) mem.set(data.subarray(rows[r0 + r] * d, rows[r0 + r] * d + d), (queryByte >> 2) + r * dp);
    kernel.dots4(queryByte, 0, n, dp, outByte);
    mem = kernel.f32();
    for (let r = 0; r < rEnd; r++) {
      const i = rows[r0 + r];
      const ni = norms[i];
      const local = r0 + r - r0s;
      const posI = leafStart[leaves === null ? i : leaves[i]];
      let joined = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const key = ni + norms[j] - 2 * mem[outF + 4 * j + r];
        if (key > key2) continue;
        const dist = Math.sqrt(Math.max(0, key));
        let any = false;
        for (let k = 0; k < nk; k++) {
          const v = sameProbabilityWith(functions[k], dist);
          // pairs under 1e-6 are left out
          if (v < 1e-6) { p[k] = 0; continue; }
          p[k] = v; totals[local * nk + k] += v; any = true;
        }
        if (!any) continue;
        // the first cut that joins the two leaves: the latest merge between their positions (cuts: none)
        let lo = posI, hi = leafStart[leaves === null ? j : leaves[j]];
        if (lo > hi) { const x = lo; lo = hi; hi = x; }
        const l = 31 - Math.clz32(hi - lo);
        const x = table[l * gaps + lo], y = table[l * gaps + hi - (1 << l)];
        const cut = x > y ? x : y;
        if (cut >= cuts) continue;
        pairCut[joined] = cut;
        for (let k = 0; k < nk; k++) pairProb[joined * nk + k] = p[k];
        joined++;
      }
      if (joined > 0) cutSums(pairCut, pairProb, joined, nk, cuts, s.firstOfCut, s.order, atCut, local * nk * cuts, cuts);
    }
  }
  return { totals, atCut };
}

export const SCORE_ROWS: ThreadTask<ScoreRowsArgs, ScoreState, ScoredRows> = { name: 'scoreRows', helpers: [rowsInKernel, sameProbabilityWith, cutSums], setup: scoreSetup, chunk: scoreChunk };
