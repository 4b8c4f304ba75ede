/**
 * The pair pass of {@link expectedScoreCurves} as a task of the thread pool (_threads.ts): each chunk is a run of the
 * points (at most `chunkRows`, copied into the thread's kernel), their distances to every sampled row from the
 * WebAssembly SIMD kernel (as ROWS_WITHIN of _knn-tasks.ts: the same distances, bit for bit), and for each pair within
 * reach, on the thread that computed it, its same-person probabilities (tabulated: {@link probabilityTables}) added to the
 * row's total and to the row's sum at the first cut that joins the pair. A chunk returns rows x functions x (1 + cuts)
 * numbers, never its pairs: the pass holds no pair lists (1.5 billion pairs within reach at a million faces), and a
 * thread holds the sampled rows and one chunk of points, not every point (2 GB a thread at a million 512-d faces).
 * The caller adds the chunks' sums in chunk order: the same numbers whichever thread did which chunk.
 *
 * Every function here is self-contained (no imports, no closures; helpers by name): the worker threads run their
 * source. Private: inputs are assumed valid.
 */
import type { SameProbabilityConstants } from './distance-mixture.ts';
import { sameProbabilityWith } from './distance-mixture.ts';
import type { DotKernel } from './_simd.ts';
import type { ThreadTask } from './_threads.ts';

export interface ScoreRowsArgs {
  data: Float32Array;
  n: number;
  d: number;
  norms: Float64Array;
  /** The sampled rows (indices into data), each scored against every point. */
  rows: Int32Array;
  /** Chunk c is the points `bounds[c] .. bounds[c+1]` (at most `chunkRows`), against every sampled row. */
  bounds: Int32Array;
  chunkRows: number;
  radius: number;
  /**
   * The same-person probability functions, tabulated: function k at squared distance `g * step` is
   * `tables[k * (size + 2) + g]` (g <= size + 1, `size * step` >= radius^2), read by linear interpolation.
   */
  tables: Float64Array;
  nk: number;
  size: number;
  step: number;
  /** Tree leaf of each point (null: point i is leaf i). */
  leaves: Int32Array | null;
  /** Each leaf's position in the tree's left-to-right order. */
  leafStart: Int32Array;
  /** The sparse table of range maxima of the first cut joining adjacent positions (levels x gaps). */
  table: Int32Array;
  gaps: number;
  cuts: number;
}

/**
 * A chunk's sums over its points, for every sampled row r and function k: `totals[r * nk + k]`, the probabilities of
 * the row's pairs; `atCut[(r * nk + k) * cuts + c]`, those of its pairs that cut c joins first (not cumulative).
 */
export interface ScoredRows {
  totals: Float64Array;
  atCut: Float64Array;
}

interface ScoreState {
  kernel: DotKernel;
  dp: number;
  /** Byte offsets: the chunk's points (after the sampled rows), the dot products. */
  baseByte: number;
  outByte: number;
}

function scoreSetup(a: ScoreRowsArgs, newKernel: () => DotKernel): ScoreState {
  const kernel = newKernel();
  const dp = (a.d + 3) & ~3;
  const s = a.rows.length;
  const baseByte = ((s + 3) & ~3) * dp * 4;
  const outByte = baseByte + a.chunkRows * dp * 4;
  kernel.ensure(outByte + 16 * a.chunkRows);
  const mem = kernel.f32();
  for (let r = 0; r < s; r++) mem.set(a.data.subarray(a.rows[r] * a.d, a.rows[r] * a.d + a.d), r * dp);
  return { kernel, dp, baseByte, outByte };
}

function scoreChunk(a: ScoreRowsArgs, st: ScoreState, c: number): ScoredRows {
  const { data, d, norms, rows, radius, tables, nk, leaves, leafStart, table, gaps, cuts } = a;
  const { kernel, dp, baseByte, outByte } = st;
  const width = a.size + 2;
  const inv = 1 / a.step;
  const s = rows.length;
  const b0 = a.bounds[c], nb = a.bounds[c + 1] - b0;
  const key2 = radius * radius;
  const totals = new Float64Array(s * nk);
  const atCut = new Float64Array(s * nk * cuts);
  let mem = kernel.f32();
  if (dp === d) mem.set(data.subarray(b0 * d, (b0 + nb) * d), baseByte >> 2);
  else for (let e = 0; e < nb; e++) mem.set(data.subarray((b0 + e) * d, (b0 + e + 1) * d), (baseByte >> 2) + e * dp);
  const outF = outByte >> 2;
  const p = new Float64Array(nk);
  for (let r0 = 0; r0 < s; r0 += 4) {
    kernel.dots4(r0 * dp * 4, baseByte, nb, dp, outByte);
    mem = kernel.f32();
    const rEnd = Math.min(4, s - r0);
    for (let r = 0; r < rEnd; r++) {
      const i = rows[r0 + r];
      const ni = norms[i];
      const posI = leafStart[leaves === null ? i : leaves[i]];
      const at = (r0 + r) * nk;
      for (let e = 0; e < nb; e++) {
        const j = b0 + e;
        if (j === i) continue;
        const key = ni + norms[j] - 2 * mem[outF + 4 * e + r];
        if (key > key2) continue;
        // the probabilities by linear interpolation in the tables (their cells: 1/262,144 of radius^2)
        const u = (key > 0 ? key : 0) * inv;
        const g = u | 0;
        const fr = u - g;
        let any = false;
        for (let k = 0; k < nk; k++) {
          const t0 = tables[k * width + g];
          const v = t0 + fr * (tables[k * width + g + 1] - t0);
          // pairs under 1e-6 are left out
          if (v < 1e-6) { p[k] = 0; continue; }
          p[k] = v; totals[at + k] += v; any = true;
        }
        if (!any) continue;
        // the first cut that joins the two leaves: the latest merge between their positions (cuts: none)
        let lo = posI, hi = leafStart[leaves === null ? j : leaves[j]];
        if (lo > hi) { const x = lo; lo = hi; hi = x; }
        const l = 31 - Math.clz32(hi - lo);
        const x = table[l * gaps + lo], y = table[l * gaps + hi - (1 << l)];
        const cut = x > y ? x : y;
        if (cut >= cuts) continue;
        // in float32, as pairProbabilities stores them
        for (let k = 0; k < nk; k++) atCut[(at + k) * cuts + cut] += Math.fround(p[k]);
      }
    }
  }
  return { totals, atCut };
}

export const SCORE_ROWS: ThreadTask<ScoreRowsArgs, ScoreState, ScoredRows> = { name: 'scoreRows', setup: scoreSetup, chunk: scoreChunk };

/** Entries of the probability tables of the pair pass (over squared distances up to the radius's square). */
export const PROBABILITY_TABLE_SIZE = 1 << 18;

/**
 * The tables of {@link ScoreRowsArgs}: each function at `size + 2` squared distances `g * step`, `step` = radius^2 /
 * size. Linear interpolation between them is within 1e-9 of the function (measured: 8e-10 at most over 6 million
 * random squared distances under three mixtures, among them the synthetic million's), at a lookup's cost instead of
 * a square root, three exponentials and a logarithm (151 ns a pair for two mixtures, half the pass at a million faces).
 */
export function probabilityTables(functions: readonly SameProbabilityConstants[], radius: number, size: number, out: Float64Array): { step: number } {
  const step = (radius * radius) / size || 1;
  const width = size + 2;
  functions.forEach((f, k) => {
    for (let g = 0; g < width; g++) out[k * width + g] = sameProbabilityWith(f, Math.sqrt(g * step));
  });
  return { step };
}
