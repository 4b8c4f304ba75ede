/**
 * The two passes of the inverted-file neighbour search (_ivf.ts) as tasks of the thread pool (_threads.ts), on int16
 * codes of the rows (one scale for all rows; rows padded with zeros to dp, a multiple of 8) and the WebAssembly SIMD
 * kernel's integer dot products (`dots4i16`, 4 rows per call):
 *
 * - {@link IVF_CELLS}: each chunk a run of rows, each row's `probe` nearest cell centres, nearest first.
 * - {@link IVF_HEAPS}: each chunk a run of cells; each cell's rows are compared with every row that probes the cell,
 *   each pair offered to the probing row's bounded heap ({@link heapOffer}, by (key, index)). Each thread keeps its
 *   own heaps over the chunks it did and the caller merges them: the k smallest are the same whichever thread saw
 *   which pair.
 *
 * Keys are squared euclidean distances from the integer dot products, `|a|^2 + |b|^2 - 2 unit (qa . qb)` with the
 * float rows' squared norms: a pair's key does not depend on the thread or the chunk that computes it.
 *
 * Every function here is self-contained (no imports, no closures; helpers by name): the worker threads run their
 * source. Private: inputs are assumed valid.
 */
import { heapOffer, type Heaps } from './_knn-tasks.ts';
import type { DotKernel } from './_simd.ts';
import type { ThreadTask } from './_threads.ts';

export interface IvfCellsArgs {
  /** The rows' int16 codes (n x dp), flat, on a SharedArrayBuffer. */
  codes: Int16Array;
  n: number;
  dp: number;
  /** The cell centres' int16 codes (cells x dp) and their keys' constant part, `|c|^2 / (2 unit)` (float64). */
  centres: Int16Array;
  cells: number;
  half: Float64Array;
  /** Nearest cells kept per row. */
  probe: number;
  /** Chunk c is the rows `bounds[c] .. bounds[c+1]` (multiples of 4). */
  bounds: Int32Array;
}

interface CellsState {
  kernel: DotKernel;
  /** Views of the kernel's memory (it does not grow after setup). */
  mem16: Int16Array;
  dots: Int32Array;
  /** Byte offsets: the 4 rows, the dot products. */
  rowByte: number;
  outByte: number;
}

function cellsSetup(a: IvfCellsArgs, newKernel: () => DotKernel): CellsState {
  const kernel = newKernel();
  const rowByte = a.cells * a.dp * 2;
  const outByte = rowByte + 4 * a.dp * 2;
  kernel.ensure(outByte + 16 * a.cells);
  const mem16 = new Int16Array(kernel.f32().buffer);
  mem16.set(a.centres.subarray(0, a.cells * a.dp));
  return { kernel, mem16, dots: new Int32Array(mem16.buffer), rowByte, outByte };
}

/** The chunk's rows' `probe` nearest cells (`probe` per row, nearest first; ties: the lower cell). */
function cellsChunk(a: IvfCellsArgs, s: CellsState, c: number): Int32Array {
  const { codes, dp, cells, half, probe } = a;
  const { kernel, mem16, dots, rowByte, outByte } = s;
  const r0s = a.bounds[c], count = a.bounds[c + 1] - r0s;
  const out = new Int32Array(count * probe);
  const bestKey = new Float64Array(probe);
  const bestCell = new Int32Array(probe);
  for (let r0 = r0s; r0 < a.bounds[c + 1]; r0 += 4) {
    const rEnd = Math.min(4, a.bounds[c + 1] - r0);
    mem16.fill(0, rowByte >> 1, (rowByte >> 1) + 4 * dp);
    mem16.set(codes.subarray(r0 * dp, (r0 + rEnd) * dp), rowByte >> 1);
    kernel.dots4i16(rowByte, 0, cells, dp, outByte);
    const o0 = outByte >> 2;
    for (let r = 0; r < rEnd; r++) {
      // key of cell j (up to the row's own norm and a factor 2 unit): half[j] - dot; the `probe` smallest, sorted
      let kept = 0;
      for (let j = 0; j < cells; j++) {
        const key = half[j] - dots[o0 + 4 * j + r];
        if (kept === probe && key >= bestKey[probe - 1]) continue;
        let p = kept < probe ? kept++ : probe - 1;
        while (p > 0 && bestKey[p - 1] > key) { bestKey[p] = bestKey[p - 1]; bestCell[p] = bestCell[p - 1]; p--; }
        bestKey[p] = key; bestCell[p] = j;
      }
      // kept = probe: probe <= cells
      out.set(bestCell, (r0 + r - r0s) * probe);
    }
  }
  return out;
}

/** Each row's nearest cells. */
export const IVF_CELLS: ThreadTask<IvfCellsArgs, CellsState, Int32Array> = { name: 'ivfCells', setup: cellsSetup, chunk: cellsChunk };

export interface IvfHeapsArgs {
  /** The rows' int16 codes (n x dp), flat, on a SharedArrayBuffer, and their float rows' squared norms. */
  codes: Int16Array;
  n: number;
  dp: number;
  norms: Float64Array;
  /** The product of the codes' two scales (here one scale, squared): a code dot product times it is a dot product. */
  unit: number;
  /** The rows of cell c: `members[memberStart[c] .. memberStart[c+1])`. */
  memberStart: Int32Array;
  members: Int32Array;
  /** The rows that probe cell c: `probers[proberStart[c] .. proberStart[c+1])`. */
  proberStart: Int32Array;
  probers: Int32Array;
  /** The largest cell (rows). */
  maxMembers: number;
  /** Neighbours kept per row. */
  kk: number;
  /** Chunk c is the cells `bounds[c] .. bounds[c+1]`. */
  bounds: Int32Array;
}

interface HeapsState {
  kernel: DotKernel;
  /** Views of the kernel's memory (it does not grow after setup). */
  mem16: Int16Array;
  dots: Int32Array;
  heaps: Heaps;
  /** Byte offsets: the cell's rows (after 4 query rows), the dot products. */
  baseByte: number;
  outByte: number;
}

function heapsSetup(a: IvfHeapsArgs, newKernel: () => DotKernel): HeapsState {
  const kernel = newKernel();
  const rowBytes = a.dp * 2;
  const baseByte = 4 * rowBytes;
  const outByte = baseByte + a.maxMembers * rowBytes;
  kernel.ensure(outByte + 16 * a.maxMembers);
  const heaps: Heaps = { hKey: new Float64Array(a.n * a.kk), hIdx: new Int32Array(a.n * a.kk), size: new Int32Array(a.n) };
  const mem16 = new Int16Array(kernel.f32().buffer);
  return { kernel, mem16, dots: new Int32Array(mem16.buffer), heaps, baseByte, outByte };
}

/** Each cell of the chunk against the rows that probe it: every pair offered to the probing row's heap. */
function heapsChunk(a: IvfHeapsArgs, s: HeapsState, c: number): null {
  const { codes, dp, norms, unit, memberStart, members, proberStart, probers, kk } = a;
  const { kernel, mem16, dots, heaps, baseByte, outByte } = s;
  const hKey = heaps.hKey, size = heaps.size;
  const two = 2 * unit;
  for (let cell = a.bounds[c]; cell < a.bounds[c + 1]; cell++) {
    const m0 = memberStart[cell], nm = memberStart[cell + 1] - m0;
    const p0 = proberStart[cell], np = proberStart[cell + 1] - p0;
    if (nm === 0 || np === 0) continue;
    const b16 = baseByte >> 1;
    for (let e = 0; e < nm; e++) mem16.set(codes.subarray(members[m0 + e] * dp, members[m0 + e] * dp + dp), b16 + e * dp);
    const o0 = outByte >> 2;
    for (let q0 = 0; q0 < np; q0 += 4) {
      const rEnd = Math.min(4, np - q0);
      if (rEnd < 4) mem16.fill(0, 0, 4 * dp);
      for (let r = 0; r < rEnd; r++) { const q = probers[p0 + q0 + r]; mem16.set(codes.subarray(q * dp, q * dp + dp), r * dp); }
      kernel.dots4i16(0, baseByte, nm, dp, outByte);
      for (let r = 0; r < rEnd; r++) {
        const q = probers[p0 + q0 + r];
        const nq = norms[q];
        const base = q * kk;
        for (let e = 0, o = o0 + r; e < nm; e++, o += 4) {
          const j = members[m0 + e];
          if (j === q) continue;
          let key = nq + norms[j] - two * dots[o];
          if (key < 0) key = 0;
          if (size[q] < kk || key <= hKey[base]) heapOffer(heaps, kk, q, j, key);
        }
      }
    }
  }
  return null;
}

function heapsFinish(_a: IvfHeapsArgs, s: HeapsState): Heaps {
  return s.heaps;
}

/** Every row's nearest candidates among the rows of the cells it probes, as per-thread heaps. */
export const IVF_HEAPS: ThreadTask<IvfHeapsArgs, HeapsState, null, Heaps> = { name: 'ivfHeaps', helpers: [heapOffer], setup: heapsSetup, chunk: heapsChunk, finish: heapsFinish };
