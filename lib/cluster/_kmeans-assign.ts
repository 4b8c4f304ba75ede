/**
 * The assignment step of k-means (every point to its nearest centre, ties to the lower centre index), exact, in
 * two forms that give the same labels:
 *
 * - {@link FullAssigner}: every point against every centre by the WebAssembly SIMD dot-product kernel
 *   (`|x - c|^2 = |x|^2 + |c|^2 - 2 x.c` in float32), the smallest and second smallest key of 4 points at a time by
 *   the SIMD kernel nearest4 (float64, the numbers the JS it replaced computed), the nearest decided exactly in
 *   float64 only when the second is within the rounding error of the first. O(n k d) per step.
 * - {@link ElkanAssigner}: Elkan's bounds (C. Elkan, "Using the Triangle Inequality to Accelerate k-Means",
 *   ICML 2003), as scikit-learn's `algorithm="elkan"`: an upper bound on each point's distance to its centre and a
 *   lower bound on its distance to every other centre, carried across iterations through the centres' moves
 *   (triangle inequality), plus half the distances between centres (while they exclude enough: HALF_MIN_SHARE). The
 *   bound checks run in the SIMD scan of _kmeans-simd.ts (the bounds live on a shared WebAssembly memory), a distance
 *   is computed only where the bounds cannot exclude a centre (float32 key, then float64 when it may win); late
 *   iterations, where the centres barely move, compute almost none.
 *   The first step is the full one (it fills the bounds, by the SIMD kernel bounds4), and so are the second and any
 *   step after one where the bounds left a quarter of the points to a full scan (FIRST_FULL, RESCAN_SHARE): the
 *   bounds renewed, while the centres still move far. Bounds are kept on the safe side of every rounding
 *   (float32 dot products, float32 storage, the scan's float32 tests), so the labels are those of the full step: the exact nearest centre.
 *   O(n k) bound checks per step plus the distances computed; n k float32 bounds of memory.
 *
 * Both run on the threads of _threads.ts: a step is split into fixed runs of points (chunks), each point's work reads
 * the centres and the shared bounds and writes only that point's label, distance and bounds, so the labels and bounds
 * are the same for any number of threads. The per-point work is in self-contained functions (their source is what
 * the worker threads run); the arrays they share live on SharedArrayBuffers and the bounds' WebAssembly memory.
 *
 * Private: inputs are assumed valid.
 */
import type { Matrix } from './_input.ts';
import type { DotKernel } from './_simd.ts';
import { kmeansSimdModule, releaseSharedMemory, sharedMemory, type KeysList, type ScanPoint, type SumRows } from './_kmeans-simd.ts';
import { releaseShared, runTask, shared, splitRows, threadCount, type ThreadTask } from './_threads.ts';

/** Squared euclidean distance, float64, between point i and centre c (k x d float64). */
export function exactDist2(data: Float32Array, i: number, d: number, centers: Float64Array, c: number): number {
  let s = 0;
  const oi = i * d;
  const oc = c * d;
  for (let t = 0; t < d; t++) {
    const v = data[oi + t] - centers[oc + t];
    s += v * v;
  }
  return s;
}

/**
 * Relative error bound of a squared distance computed as `|a|^2 + |b|^2 - 2 a.b` from float32 rows and a float32
 * dot product of d terms, as a fraction of `|a|^2 + |b|^2` (rounding of the dot, of the centres to float32, and a
 * factor of 4 to spare).
 */
function keyError(d: number): number {
  return 4 * (d * 2 ** -24 + 2 ** -22);
}

/** Float32 storage of a lower bound rounds to nearest (relative error <= 2^-24): bounds are stored this much low. */
const STORE_LOW = 1 - 2 ** -20;

/**
 * Where a full step leaves its lower bounds (see ElkanAssigner): `lower[i stride + c]` = a lower bound of d(x_i, c) plus
 * `moved[c]`; `groupLower[i nGroups + g]` = a lower bound of d(x_i, c) over the centres c of group g (`group`
 * consecutive centres) but i's own, plus `groupMoved[g]`.
 */
export interface Bounds {
  lower: Float32Array;
  moved: Float64Array;
  groupLower: Float32Array;
  groupMoved: Float64Array;
  group: number;
  nGroups: number;
}

/** Below this relative gap a bound is not trusted to exclude a centre (float64 rounding of the bound updates). */
const BOUND_SLACK = 1e-9;
/**
 * A point with more than k / SCAN_FRACTION centres left by the bounds is compared with every centre by the SIMD
 * kernel (which also renews all its bounds) rather than one float64 distance at a time: measured on all of LFW
 * (128-d, k 500), a kernel row costs about as much as k / 16 float64 distances.
 */
const SCAN_FRACTION = 16;

/**
 * Centres per group of the group bounds (16: the SIMD scan of _kmeans-simd.ts and the `c >> 4` of assignChunk assume
 * it) (Y. Ding, Y. Zhao, X. Shen, M. Musuvathi, T. Mytkowicz, "Yinyang K-Means: A
 * Drop-In Replacement of the Classic K-Means with Consistent Speedup", ICML 2015): one lower bound per point and
 * group of consecutive centres, loosened by the group's largest move, so that a point checks k / GROUP bounds
 * before any of Elkan's k.
 */
const GROUP = 16;

/**
 * The first FIRST_FULL steps after a run's first are full steps too, and so is a step after one that compared more
 * than RESCAN_SHARE of the points with every centre (the bounds left too many candidates): a full step renews every
 * bound, and while the centres move far the bounds rule out little. Measured on all of LFW (128-d, k 500 from the
 * centres of bench:sklearn, one thread, min CPU of 12 runs under load ~7): 1 and 0.25 took 0.91–0.95 s; bounds at
 * every step after the first, 1.13 s; 0 and 0.25, 1.02–1.09 s. Either way the labels are exact.
 */
const FIRST_FULL = 1;
const RESCAN_SHARE = 0.25;

/**
 * The centres' half distances (Elkan's second test: a centre c is not nearer than e when d(x, e) <= d(e, c) / 2) cost
 * k^2 d / 2 per step and a second row of k values read per point; a run stops computing them after a step where they
 * excluded fewer than HALF_MIN_SHARE of the n k point-centre pairs that the bounds alone left. Measured on all of LFW
 * (128-d, k 500 from the centres of bench:sklearn): they excluded 0.01-0.25% at every step (in 128-d a point is about as
 * far from its centre as the centres are from each other), and leaving them out took a warm run from 0.42-0.43 s to
 * 0.38 s on two threads (the same labels: either way they are exact). In 2-d (5 overlapping blobs, k 8) they keep
 * excluding and stay; on blobs in 16-64 d the lower bounds exclude the far centres first and they go after one step.
 */
const HALF_MIN_SHARE = 0.01;

/** Chunks of an assignment step (fixed: the labels never depend on the threads). */
const ASSIGN_CHUNKS = 32;

/** What an assignment step shares with the threads (typed arrays on SharedArrayBuffers). */
interface AssignArgs {
  /** 0: full step; 1: full step that also fills the bounds; 2: Elkan's and the group bounds. */
  mode: number;
  data: Float32Array;
  n: number;
  d: number;
  k: number;
  pointNorms: Float64Array;
  centers: Float64Array;
  labels: Int32Array;
  dist2: Float64Array;
  /** Chunk c is the points `chunks[c] .. chunks[c+1]`. */
  chunks: Int32Array;
  lower: Float32Array;
  moved: Float64Array;
  groupLower: Float32Array;
  groupMoved: Float64Array;
  group: number;
  nGroups: number;
  tight: Uint8Array;
  /** Whether the centres' half distances are computed this step (`half` and `nearest` are zeros when not). */
  useHalf: boolean;
  half: Float32Array;
  nearest: Float64Array;
  /** [0]: points of the step compared with every centre because the bounds left too many (Atomics.add). */
  deferredCount: Int32Array;
  /**
   * [0]: point-centre pairs of the step that only the centres' half distances excluded (a point that passed the
   * nearest-centre test counts k; Atomics.add).
   */
  halfCount: Int32Array;
  /**
   * Row stride of `lower`: k rounded up to a multiple of GROUP, so that a group's 16 float32 bounds are one 64-byte
   * cache line (the bound checks wait on memory: a group across two lines was two misses).
   */
  stride: number;
  /**
   * The shared WebAssembly memory of the bound steps (ElkanAssigner lays it out) and the module of _kmeans-simd.ts that
   * each thread instantiates on it; null for the full steps alone. It holds `lower` and `groupLower` (rows of
   * gStride), the centres' moves and the groups' moves as float32 rounded up (-Infinity past k and past nGroups), the
   * points and the centres as float32 rows, and `slots` scratch areas of slotBytes from slotsByte: one per thread of a
   * step, claimed through slotCounter.
   */
  scanMemory: WebAssembly.Memory | null;
  scanModule: WebAssembly.Module | null;
  lowerByte: number;
  groupLowerByte: number;
  moved32Byte: number;
  groupMoved32Byte: number;
  /**
   * The points as float32 rows of dp (byte offset; -1 when they are not there: they are copied there when they take no
   * more memory than the bounds, else each point's row is copied to its thread's slot when needed).
   */
  pointsByte: number;
  /** The largest squared norm of a centre (float32 rows, as loadCentres computes it; set by the bound steps). */
  centresMax: number;
  /** The centres as float32 rows of dp (centres32Byte) and their squared norms (float64, centreNormsByte), for keysList. */
  centres32Byte: number;
  centreNormsByte: number;
  /** Row stride of groupLower: nGroups rounded up to a multiple of 4. */
  gStride: number;
  slotsByte: number;
  slotBytes: number;
  slots: number;
  slotCounter: Int32Array;
  /** keyError(d), STORE_LOW, BOUND_SLACK, SCAN_FRACTION (the workers see no module constants). */
  keyErr: number;
  storeLow: number;
  boundSlack: number;
  scanFraction: number;
}

/**
 * A thread's kernel: the centres (float32) with their norms (also float64 in the kernel's memory, for nearest4 and
 * bounds4), the centres' moves, a scratch of 4 point rows, the dots, nearest4's result, the rows' norms and slacks,
 * bounds4's rows of bounds and group minima.
 */
interface AssignState {
  kernel: DotKernel;
  /** Views of the kernel's memory (it does not grow after the setup). */
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  dp: number;
  centersByte: number;
  scratchByte: number;
  outByte: number;
  normsByte: number;
  movedByte: number;
  resByte: number;
  xsByte: number;
  lowByte: number;
  groupsByte: number;
  cNorms: Float64Array;
  /** The largest squared norm of a centre (from the args in a bound step, until the kernel's centres are loaded). */
  cMax: number;
  /** Whether the kernel holds the centres (loadCentres). */
  loaded: boolean;
  /** Most candidates a point may have before it is compared with every centre by the kernel instead (k / SCAN_FRACTION). */
  scanAbove: number;
  /**
   * The SIMD scan on the bounds' memory and this thread's slot of it: the candidates (scanned), the groups left and their
   * minima, the point's row, the candidates' keys; null outside a bound step.
   */
  scanPoint: ScanPoint | null;
  keysList: KeysList | null;
  candByte: number;
  gminByte: number;
  failedByte: number;
  xByte: number;
  keysByte: number;
  scanned: Int32Array;
  gmin: Float32Array;
  failedGroups: Int32Array;
  /** The point's row (float32) and its candidates' keys (float64), in the slot. */
  x: Float32Array;
  keys: Float64Array;
  /** The new bounds of the point's left groups while they are worked out (+Infinity between points). */
  groupMin: Float64Array;
  deferred: Int32Array;
}

function assignSetup(a: AssignArgs, newKernel: () => DotKernel): AssignState {
  const { d, k, centers } = a;
  const kernel = newKernel();
  const dp = (d + 3) & ~3;
  const kPad = (k + 3) & ~3;
  const centersByte = 0;
  const scratchByte = kPad * dp * 4;
  const outByte = scratchByte + 4 * dp * 4;
  const normsByte = outByte + 16 * kPad;
  const movedByte = normsByte + 8 * kPad;
  const resByte = movedByte + 8 * kPad;
  const xsByte = resByte + 96;
  const lowByte = xsByte + 64;
  const groupsByte = lowByte + 16 * kPad;
  kernel.ensure(groupsByte + 32 * (Math.ceil(k / a.group) + 1));
  const mem = kernel.f32();
  const scanAbove = Math.floor(k / a.scanFraction);
  const s: AssignState = {
    kernel, f32: mem, f64: new Float64Array(mem.buffer), i32: new Int32Array(mem.buffer), dp, centersByte, scratchByte, outByte, normsByte, movedByte, resByte, xsByte, lowByte, groupsByte,
    cNorms: new Float64Array(k), cMax: a.centresMax, loaded: false, scanAbove, deferred: new Int32Array(a.chunks[a.chunks.length - 1]),
    ...scanSlot(a),
  };
  // a bound step needs the kernel's centres only for the points it compares with every centre
  if (a.mode !== 2) loadCentres(a, s);
  return s;
}

/**
 * The centres (k x d float64) as float32 rows of dp in `out` and their squared norms (float64, of the float32 values)
 * in `norms`: every centre, or those with `only[c]` set (cleared here). Returns the largest norm of all.
 */
function centresFloat32(centers: Float64Array, k: number, d: number, dp: number, out: Float32Array, norms: Float64Array, only: Uint8Array | null): number {
  let most = 0;
  for (let c = 0; c < k; c++) {
    if (only === null || only[c]) {
      let sum = 0;
      for (let t = 0; t < d; t++) {
        const v = Math.fround(centers[c * d + t]);
        out[c * dp + t] = v;
        sum += v * v;
      }
      norms[c] = sum;
      if (only !== null) only[c] = 0;
    }
    if (norms[c] > most) most = norms[c];
  }
  return most;
}

/** The centres (float32, their norms also float64) and their moves into the thread's kernel. */
function loadCentres(a: AssignArgs, s: AssignState): void {
  const { d, k, centers } = a;
  const { f32: mem, f64, dp, cNorms } = s;
  mem.fill(0, 0, s.outByte >> 2);
  s.cMax = centresFloat32(centers, k, d, dp, mem, cNorms, null);
  const kPad = (k + 3) & ~3;
  f64.set(cNorms, s.normsByte >> 3);
  f64.fill(0, s.movedByte >> 3, (s.movedByte >> 3) + kPad);
  if (a.moved.length === k) f64.set(a.moved, s.movedByte >> 3);
  s.loaded = true;
}

/** This thread's instance of the SIMD scan and its slot of the bounds' memory (claimed once per step), in a bound step. */
function scanSlot(a: AssignArgs): Pick<AssignState, 'scanPoint' | 'keysList' | 'candByte' | 'gminByte' | 'failedByte' | 'xByte' | 'keysByte' | 'scanned' | 'gmin' | 'failedGroups' | 'x' | 'keys' | 'groupMin'> {
  if (a.mode !== 2 || a.scanMemory === null || a.scanModule === null) {
    return {
      scanPoint: null, keysList: null, candByte: 0, gminByte: 0, failedByte: 0, xByte: 0, keysByte: 0, scanned: new Int32Array(0), gmin: new Float32Array(0),
      failedGroups: new Int32Array(0), x: new Float32Array(0), keys: new Float64Array(0), groupMin: new Float64Array(0),
    };
  }
  const slot = Atomics.add(a.slotCounter, 0, 1);
  if (slot >= a.slots) throw new Error(`kmeansAssign: ${slot + 1} threads joined a step, the bounds' memory has ${a.slots} slots.`);
  const instance = new WebAssembly.Instance(a.scanModule, { env: { memory: a.scanMemory } });
  const candByte = a.slotsByte + slot * a.slotBytes + 16;
  const failedByte = candByte + 4 * a.stride;
  const gminByte = failedByte + 4 * a.gStride;
  const xByte = gminByte + 4 * a.gStride;
  const keysByte = xByte + 4 * ((a.d + 3) & ~3);
  const buffer = a.scanMemory.buffer;
  return {
    scanPoint: instance.exports.scanPoint as ScanPoint, keysList: instance.exports.keysList as KeysList, candByte, gminByte, failedByte, xByte, keysByte,
    scanned: new Int32Array(buffer, candByte, a.stride), gmin: new Float32Array(buffer, gminByte, a.gStride),
    failedGroups: new Int32Array(buffer, failedByte, a.gStride), x: new Float32Array(buffer, xByte, a.d), keys: new Float64Array(buffer, keysByte, a.stride),
    groupMin: new Float64Array(a.nGroups).fill(Infinity),
  };
}

/**
 * The nearest centre of point i (lane r of the last scanPoints block), exact: nearest4's smallest key, then exactly
 * (float64) every centre within twice the rounding error of it, which is needed only when the second smallest key
 * is that close. With `bounds`, its row of lower bounds and group bounds from bounds4 (the group of its own centre
 * recomputed without it).
 */
function decideRow(a: AssignArgs, s: AssignState, r: number, i: number, bounds: boolean): void {
  const { data, d, k, centers, pointNorms } = a;
  const { cNorms, f32: mem, f64 } = s;
  const outF = s.outByte >> 2;
  const resD = s.resByte >> 3;
  const xNorm = pointNorms[i];
  // the nearest by the dot trick, then exactly (float64) among the centres within twice the rounding error of it
  const slack = a.keyErr * (xNorm + s.cMax);
  let best = s.i32[(s.resByte >> 2) + 16 + 2 * r];
  const keyHi = f64[resD + r] + 2 * slack;
  let bestExact = exactDist2(data, i, d, centers, best);
  if (f64[resD + 4 + r] <= keyHi) {
    const first = best;
    for (let c = 0; c < k; c++) {
      if (c === first || cNorms[c] - 2 * mem[outF + 4 * c + r] > keyHi) continue;
      const e = exactDist2(data, i, d, centers, c);
      if (e < bestExact || (e === bestExact && c < best)) { bestExact = e; best = c; }
    }
  }
  a.labels[i] = best;
  a.dist2[i] = bestExact;
  if (bounds) {
    const { lower, groupLower, groupMoved, group, nGroups, storeLow } = a;
    const lowF = (s.lowByte >> 2) + r * k;
    lower.set(mem.subarray(lowF, lowF + k), i * a.stride);
    const gD = s.groupsByte >> 3;
    const own = Math.floor(best / group);
    for (let g = 0; g < nGroups; g++) {
      let groupMin = f64[gD + 4 * g + r];
      if (g === own) {
        groupMin = Infinity;
        for (let c = g * group, end = Math.min(k, c + group); c < end; c++) {
          if (c === best) continue;
          const lo = Math.sqrt(Math.max(0, xNorm + cNorms[c] - 2 * mem[outF + 4 * c + r] - slack));
          if (lo < groupMin) groupMin = lo;
        }
      }
      groupLower[i * a.gStride + g] = (groupMin + groupMoved[g]) * storeLow;
    }
  }
}

/** Points `rows[from .. from + count)` against every centre by the kernel, 4 at a time (see decideRow). */
function scanPoints(a: AssignArgs, s: AssignState, rows: Int32Array | null, from: number, count: number, bounds: boolean): void {
  const { data, d, k, pointNorms } = a;
  const { kernel, dp, scratchByte, f32: mem, f64 } = s;
  const sf = scratchByte >> 2;
  const xsD = s.xsByte >> 3;
  for (let r0 = 0; r0 < count; r0 += 4) {
    const rEnd = Math.min(4, count - r0);
    for (let r = 0; r < rEnd; r++) {
      const i = rows ? rows[from + r0 + r] : from + r0 + r;
      mem.set(data.subarray(i * d, i * d + d), sf + r * dp);
    }
    kernel.dots4(scratchByte, s.centersByte, k, dp, s.outByte);
    kernel.nearest4(s.outByte, s.normsByte, k, s.resByte);
    if (bounds) {
      for (let r = 0; r < 4; r++) {
        const xNorm = r < rEnd ? pointNorms[rows ? rows[from + r0 + r] : from + r0 + r] : 0;
        f64[xsD + r] = xNorm;
        f64[xsD + 4 + r] = a.keyErr * (xNorm + s.cMax);
      }
      kernel.bounds4(s.outByte, s.normsByte, s.movedByte, k, s.xsByte, a.storeLow, a.group, s.lowByte, s.groupsByte);
    }
    for (let r = 0; r < rEnd; r++) decideRow(a, s, r, rows ? rows[from + r0 + r] : from + r0 + r, bounds);
  }
}

/** Renews the bound of point i (centre `own`) for group g from its Elkan bounds. */
function renewGroup(a: AssignArgs, i: number, g: number, own: number): void {
  const { lower, moved, k, group } = a;
  const row = i * a.stride;
  let lo = Infinity;
  for (let c = g * group, end = Math.min(k, c + group); c < end; c++) {
    if (c === own) continue;
    const l = lower[row + c] - moved[c];
    if (l < lo) lo = l;
  }
  // >= 0: groupMoved[g] >= moved[c] for every c of g
  a.groupLower[i * a.gStride + g] = (lo + a.groupMoved[g]) * a.storeLow;
}

/** The points of chunk c: a full step (mode 0, 1) or from the bounds (mode 2). Returns the distances computed. */
function assignChunk(a: AssignArgs, s: AssignState, c: number): number {
  const i0 = a.chunks[c];
  const i1 = a.chunks[c + 1];
  if (a.mode !== 2) {
    scanPoints(a, s, null, i0, i1 - i0, a.mode === 1);
    return (i1 - i0) * a.k;
  }
  const { data, d, k, lower, moved, groupLower, groupMoved, tight, half, nearest, centers, labels, dist2, pointNorms, storeLow } = a;
  const { dp, scanAbove, deferred, scanned, gmin, groupMin, failedGroups, keys } = s;
  const useHalf = a.useHalf;
  const slackOf = a.keyErr;
  let computed = 0;
  let nDeferred = 0;
  let byHalf = 0;
  for (let i = i0; i < i1; i++) {
    let e = labels[i];
    // the exact distance to the own centre: needed for the inertia anyway
    let e2 = dist2[i];
    if (tight[i] === 0) {
      e2 = exactDist2(data, i, d, centers, e);
      computed++;
      tight[i] = 1;
      dist2[i] = e2;
    }
    const u = Math.sqrt(e2);
    const uHi = u * (1 + a.boundSlack);
    // every other centre is at least 2 nearest[e] - u away: e is the nearest, strictly
    if (uHi < nearest[e]) {
      byHalf += k;
      continue;
    }
    // the group bounds, then the bounds of each group left, by the SIMD scan (the groups left, the candidates)
    const row = i * a.stride;
    const gRow = i * a.gStride;
    const hRow = e * k;
    const found = s.scanPoint!(a.lowerByte + 4 * row, a.groupLowerByte + 4 * gRow, a.moved32Byte, a.groupMoved32Byte, a.gStride >> 2, Math.fround(uHi * (1 + 2 ** -19)), s.failedByte, s.gminByte, s.candByte);
    if (found === 0) continue;
    const kept = found & 0xffff;
    const nFailed = found >>> 16;
    // the left groups' new bounds: the smallest of the centres the scan excluded, then of the candidates' new ones
    for (let f = 0; f < nFailed; f++) groupMin[failedGroups[f]] = gmin[f];
    let left = 0;
    for (let t = 0; t < kept && left <= scanAbove; t++) {
      const cc = scanned[t];
      if (cc === e) continue;
      if (useHalf) {
        const hc = half[hRow + cc];
        if (uHi < hc) {
          // excluded by the centres' half distance: d(x, c) >= d(e, c) - d(x, e) >= 2 hc - u, which is > u; kept
          // as c's bound, so that the group's bound excludes the group next time
          const lo = 2 * hc - uHi;
          lower[row + cc] = (lo + moved[cc]) * storeLow;
          if (lo < groupMin[cc >> 4]) groupMin[cc >> 4] = lo;
          byHalf++;
          continue;
        }
      }
      if (left === scanAbove) { left++; break; }
      scanned[left++] = cc;
    }
    if (left > scanAbove) {
      for (let f = 0; f < nFailed; f++) groupMin[failedGroups[f]] = Infinity;
      deferred[nDeferred++] = i;
      continue;
    }
    // the candidates' keys by the scan module (float32 dot products), then exactly (float64) the few that may win
    const from = e;
    const xNorm = pointNorms[i];
    const slack = slackOf * (xNorm + s.cMax);
    let bestKey = e2 - xNorm;
    if (left > 0) {
      let xByte = a.pointsByte + 4 * dp * i;
      if (a.pointsByte < 0) {
        const x = s.x;
        for (let t = 0, o = i * d; t < d; t++) x[t] = data[o + t];
        xByte = s.xByte;
      }
      s.keysList!(xByte, a.centres32Byte, dp, a.centreNormsByte, s.candByte, left, s.keysByte);
    }
    for (let t = 0; t < left; t++) {
      const cc = scanned[t];
      const key = keys[t];
      if (key < bestKey) bestKey = key;
      const lo = Math.sqrt(Math.max(0, xNorm + key - slack));
      lower[row + cc] = (lo + moved[cc]) * storeLow;
      if (lo < groupMin[cc >> 4]) groupMin[cc >> 4] = lo;
    }
    computed += left;
    const keyHi = bestKey + 2 * slack;
    for (let t = 0; t < left; t++) {
      const cc = scanned[t];
      if (keys[t] > keyHi) continue;
      const ec = exactDist2(data, i, d, centers, cc);
      lower[row + cc] = (Math.sqrt(ec) + moved[cc]) * storeLow;
      if (ec < e2 || (ec === e2 && cc < e)) {
        e = cc;
        e2 = ec;
      }
    }
    labels[i] = e;
    dist2[i] = e2;
    // float32 minima at most 2^-24 high, which storeLow covers
    for (let f = 0; f < nFailed; f++) {
      const g = failedGroups[f];
      groupLower[gRow + g] = (groupMin[g] + groupMoved[g]) * storeLow;
      groupMin[g] = Infinity;
    }
    if (e !== from) {
      // the old centre is a rival now, the new one is not: their groups' bounds from the row
      lower[row + from] = (u + moved[from]) * storeLow;
      renewGroup(a, i, from >> 4, e);
      renewGroup(a, i, e >> 4, e);
    }
  }
  if (nDeferred > 0 && !s.loaded) loadCentres(a, s);
  scanPoints(a, s, deferred, 0, nDeferred, true);
  for (let r = 0; r < nDeferred; r++) tight[deferred[r]] = 1;
  if (nDeferred > 0) Atomics.add(a.deferredCount, 0, nDeferred);
  if (byHalf > 0) Atomics.add(a.halfCount, 0, byHalf);
  return computed + nDeferred * k;
}

const ASSIGN: ThreadTask<AssignArgs, AssignState, number> = {
  name: 'kmeansAssign',
  helpers: [exactDist2, decideRow, scanPoints, renewGroup, scanSlot, centresFloat32, loadCentres],
  setup: assignSetup,
  chunk: assignChunk,
};

/** Chunks of the centres' half distances (rows of centres; fixed). */
const HALF_CHUNKS = 8;

/** What the half distances share with the threads. */
interface HalfArgs {
  d: number;
  k: number;
  centers: Float64Array;
  half: Float32Array;
  /** Chunk c is the centres `rows[c] .. rows[c+1]` (multiples of 4), each against itself and every later centre. */
  rows: Int32Array;
  keyErr: number;
}

interface HalfState {
  kernel: DotKernel;
  f32: Float32Array;
  dp: number;
  outByte: number;
  cNorms: Float64Array;
}

function halfSetup(a: HalfArgs, newKernel: () => DotKernel): HalfState {
  const { d, k, centers } = a;
  const kernel = newKernel();
  const dp = (d + 3) & ~3;
  const kPad = (k + 3) & ~3;
  const outByte = kPad * dp * 4;
  kernel.ensure(outByte + 16 * kPad);
  const mem = kernel.f32();
  mem.fill(0, 0, outByte >> 2);
  const cNorms = new Float64Array(k);
  centresFloat32(centers, k, d, dp, mem, cNorms, null);
  return { kernel, f32: mem, dp, outByte, cNorms };
}

/** Half distances of the centres of chunk ch to themselves and every later centre, written both ways. */
function halfChunk(a: HalfArgs, s: HalfState, ch: number): number {
  const { k, half, keyErr } = a;
  const { kernel, f32: mem, dp, outByte, cNorms } = s;
  const outF = outByte >> 2;
  for (let a0 = a.rows[ch]; a0 < a.rows[ch + 1]; a0 += 4) {
    kernel.dots4(a0 * dp * 4, a0 * dp * 4, k - a0, dp, outByte);
    const rEnd = Math.min(4, k - a0);
    for (let r = 0; r < rEnd; r++) {
      const i = a0 + r;
      for (let c = i; c < k; c++) {
        const sum = cNorms[i] + cNorms[c];
        const h = c === i ? 0 : 0.5 * Math.sqrt(Math.max(0, sum - 2 * mem[outF + 4 * (c - a0) + r] - keyErr * sum)) * (1 - 1e-9);
        // float32, rounded down (a relative 2^-20 below, more than float32's rounding): half the memory to wait on
        const h32 = Math.fround(h * (1 - 2 ** -20));
        half[i * k + c] = h32;
        half[c * k + i] = h32;
      }
    }
  }
  return 0;
}

const HALF: ThreadTask<HalfArgs, HalfState, number> = {
  name: 'kmeansHalf',
  helpers: [centresFloat32],
  setup: halfSetup,
  chunk: halfChunk,
};

/** Squared distances point -> nearest centre, with the assignment, every pair by the SIMD kernel (on the threads). */
export class FullAssigner {
  readonly pointNorms: Float64Array;
  /** The step's arrays, shared with the threads (the callers' are copied in and out). */
  readonly args: AssignArgs;
  private halfRows: Int32Array | null = null;
  constructor(m: Matrix, k: number) {
    const { n, d } = m;
    // the rows themselves when they are on a SharedArrayBuffer already (kmeans puts them there), else a copy
    let data = m.data;
    if (!(data.buffer instanceof SharedArrayBuffer)) {
      data = shared(Float32Array, n * d);
      data.set(m.data.subarray(0, n * d));
    }
    this.pointNorms = shared(Float64Array, n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += data[i * d + t] * data[i * d + t];
      this.pointNorms[i] = s;
    }
    const none32 = new Float32Array(0);
    const none64 = new Float64Array(0);
    this.args = {
      mode: 0, data, n, d, k, pointNorms: this.pointNorms, centers: shared(Float64Array, k * d),
      labels: shared(Int32Array, n), dist2: shared(Float64Array, n), chunks: splitRows(n, ASSIGN_CHUNKS),
      lower: none32, moved: none64, groupLower: none32, groupMoved: none64, group: GROUP, nGroups: 0,
      tight: new Uint8Array(0), useHalf: false, half: none32, nearest: none64, deferredCount: shared(Int32Array, 1), halfCount: shared(Int32Array, 1), stride: Math.ceil(k / GROUP) * GROUP,
      scanMemory: null, scanModule: null, lowerByte: 0, groupLowerByte: 0, moved32Byte: 0, groupMoved32Byte: 0, pointsByte: -1, centresMax: 0, centres32Byte: 0, centreNormsByte: 0, gStride: 0, slotsByte: 0, slotBytes: 0, slots: 0, slotCounter: shared(Int32Array, 1),
      keyErr: keyError(d), storeLow: STORE_LOW, boundSlack: BOUND_SLACK, scanFraction: SCAN_FRACTION,
    };
  }

  /** Runs a step in `mode` (see AssignArgs) from the caller's arrays; returns the distances computed. */
  run(mode: number, centers: Float64Array, labels: Int32Array, dist2: Float64Array, extra: Partial<AssignArgs> = {}): number {
    const a = this.args;
    a.centers.set(centers);
    a.labels.set(labels);
    a.dist2.set(dist2);
    const args = { ...a, ...extra, mode };
    const run = runTask(ASSIGN, args, a.chunks.length - 1);
    labels.set(a.labels);
    dist2.set(a.dist2);
    let computed = 0;
    for (const c of run.chunks) computed += c;
    return computed;
  }

  /** Gives the shared arrays back for later calls (_threads.ts releaseShared); the assigner is not used afterwards. */
  release(): void {
    const a = this.args;
    releaseShared(a.data, a.pointNorms, a.centers, a.labels, a.dist2);
  }

  /**
   * Fills labels and squared distances (float64, exact) for the given centres (k x d, float64). Ties go to the
   * lower centre.
   */
  assign(centers: Float64Array, labels: Int32Array, dist2: Float64Array): void {
    this.run(0, centers, labels, dist2);
  }

  /**
   * Half the distance between every two centres (k x k float32, a lower bound: float32 dot products, rounded down), and
   * for each centre half the distance to its nearest other centre. Each pair once (the dot products are symmetric,
   * bit for bit), on the threads.
   */
  halfDistances(centers: Float64Array, half: Float32Array, nearest: Float64Array): void {
    const { d, k } = this.args;
    this.args.centers.set(centers);
    this.halfRows ??= splitRows(k, HALF_CHUNKS, (i) => k - i);
    runTask(HALF, { d, k, centers: this.args.centers, half, rows: this.halfRows, keyErr: keyError(d) }, this.halfRows.length - 1);
    for (let a = 0; a < k; a++) {
      let m = Infinity;
      const row = a * k;
      for (let c = 0; c < k; c++) if (c !== a && half[row + c] < m) m = half[row + c];
      nearest[a] = m;
    }
  }
}

/** Elkan's bounds carried across the Lloyd iterations of one run; see the file header. */
export class ElkanAssigner {
  /** Lower bound of d(x_i, c) plus the centre's total move when stored: the bound now is `lower - moved[c]`. */
  private lower: Float32Array;
  /** Total distance each centre has moved in this run. */
  private moved: Float64Array;
  /** Lower bound of d(x_i, c) over the centres c of each group but i's own, plus `groupMoved` when stored. */
  private groupLower: Float32Array;
  /** Sum over the steps of the largest move in each group. */
  private groupMoved: Float64Array;
  private nGroups: number;
  /** Whether `dist2[i]` is still the exact squared distance to i's centre (it has not moved since). */
  private tight: Uint8Array;
  private half: Float32Array;
  private nearest: Float64Array;
  /** Distances computed by the last step, as a count of point-centre pairs (for the tests and the benchmark). */
  computed = 0;
  /** Points the last step compared with every centre (all of them for a full step). */
  deferred = 0;
  /** Steps of this run that computed the centres' half distances (for the tests). */
  halfSteps = 0;
  private useHalf = true;
  private steps = 0;
  /** The shared WebAssembly memory of the bound steps (its layout: AssignArgs.scanMemory). */
  private memory: WebAssembly.Memory;
  private moved32: Float32Array;
  private groupMoved32: Float32Array;
  private centres32: Float32Array;
  /**
   * The centre sums of the run (k x d float64) on the memory, where sumChanged adds the points (the points are there);
   * null when they are not.
   */
  sums: Float64Array | null = null;
  private sumLabels = new Int32Array(0);
  private changed = new Uint8Array(0);
  private sumArgs: number[] = [];
  private sumRows: SumRows | null = null;
  private centreNorms: Float64Array;
  /** Centres whose float32 row and norm on the memory are out of date (moved since they were written). */
  private stale: Uint8Array;
  private gStride: number;
  private scan: Partial<AssignArgs>;
  constructor(private m: Matrix, private k: number, private full: FullAssigner) {
    const stride = full.args.stride;
    this.nGroups = Math.ceil(k / GROUP);
    this.gStride = Math.ceil(this.nGroups / 4) * 4;
    const gStride = this.gStride;
    const groupLowerByte = m.n * stride * 4;
    const moved32Byte = groupLowerByte + m.n * gStride * 4;
    const groupMoved32Byte = moved32Byte + 4 * stride;
    const dp = (m.d + 3) & ~3;
    const centres32Byte = groupMoved32Byte + 4 * gStride;
    const centreNormsByte = centres32Byte + 4 * dp * Math.ceil(k / 4) * 4;
    const pointsBytes = m.n * dp * 4 <= m.n * stride * 4 ? m.n * dp * 4 : 0;
    const pointsByte = centreNormsByte + 8 * Math.ceil(k / 2) * 2;
    // the centre sums (k x d float64), the labels (n int32) and the changed clusters (k bytes) of sumChanged
    const sumsByte = Math.ceil((pointsByte + pointsBytes) / 16) * 16;
    const labelsByte = sumsByte + (pointsBytes > 0 ? 8 * k * m.d : 0);
    const changedByte = labelsByte + (pointsBytes > 0 ? 4 * m.n : 0);
    const slotsByte = Math.ceil((changedByte + (pointsBytes > 0 ? k : 0)) / 16) * 16;
    // per thread: 16 bytes the scan stores to, the candidates, the left groups and their minima, the row, the keys
    const slotBytes = 16 + 4 * (stride + 2 * gStride) + 4 * dp + 8 * stride;
    const slots = threadCount() + 1;
    this.memory = sharedMemory(slotsByte + slots * slotBytes);
    this.lower = new Float32Array(this.memory.buffer, 0, m.n * stride);
    this.groupLower = new Float32Array(this.memory.buffer, groupLowerByte, m.n * gStride);
    // a reused memory is not zeroed: the columns past k (and past nGroups, d) that the scans read but nothing writes
    if (stride > k) for (let i = 0; i < m.n; i++) this.lower.fill(0, i * stride + k, (i + 1) * stride);
    if (gStride > this.nGroups) for (let i = 0; i < m.n; i++) this.groupLower.fill(0, i * gStride + this.nGroups, (i + 1) * gStride);
    this.moved32 = new Float32Array(this.memory.buffer, moved32Byte, stride);
    this.moved32.fill(-Infinity, k);
    this.groupMoved32 = new Float32Array(this.memory.buffer, groupMoved32Byte, gStride);
    this.groupMoved32.fill(-Infinity, this.nGroups);
    this.centres32 = new Float32Array(this.memory.buffer, centres32Byte, k * dp);
    this.centres32.fill(0);
    this.centreNorms = new Float64Array(this.memory.buffer, centreNormsByte, k);
    this.stale = new Uint8Array(k).fill(1);
    if (pointsBytes > 0) {
      const buffer = this.memory.buffer;
      this.sums = new Float64Array(buffer, sumsByte, k * m.d);
      this.sumLabels = new Int32Array(buffer, labelsByte, m.n);
      this.changed = new Uint8Array(buffer, changedByte, k);
      this.sumArgs = [pointsByte, dp, m.d, labelsByte, m.n, changedByte, sumsByte];
      const points = new Float32Array(buffer, pointsByte, m.n * dp);
      if (dp === m.d) points.set(m.data.subarray(0, m.n * m.d));
      else {
        points.fill(0);
        for (let i = 0; i < m.n; i++) points.set(m.data.subarray(i * m.d, (i + 1) * m.d), i * dp);
      }
    }
    this.scan = {
      scanMemory: this.memory, scanModule: kmeansSimdModule(), lowerByte: 0, groupLowerByte, moved32Byte, groupMoved32Byte, pointsByte: pointsBytes > 0 ? pointsByte : -1, centres32Byte, centreNormsByte, gStride,
      slotsByte, slotBytes, slots,
    };
    this.moved = shared(Float64Array, k);
    this.groupMoved = shared(Float64Array, this.nGroups);
    this.tight = shared(Uint8Array, m.n);
    this.half = shared(Float32Array, k * k);
    this.nearest = shared(Float64Array, k);
  }

  private get bounds(): Partial<AssignArgs> {
    const { lower, moved, groupLower, groupMoved, nGroups, tight, useHalf, half, nearest } = this;
    return { lower, moved, groupLower, groupMoved, nGroups, tight, useHalf, half, nearest, ...this.scan };
  }

  /** Gives the shared arrays back for later calls (see FullAssigner.release). */
  release(): void {
    releaseShared(this.half);
    releaseSharedMemory(this.memory);
  }

  /**
   * Zeroes the sums of the clusters with `changed[c]` and adds their points to them (float64, in the order of the
   * points, as the plain loop of kmeans.ts: the same numbers), by the SIMD kernel on this thread. Only when
   * {@link sums} is not null.
   */
  sumChanged(labels: Int32Array, changed: Uint8Array): void {
    const sums = this.sums!;
    const d = this.m.d;
    for (let c = 0; c < this.k; c++) if (changed[c]) sums.fill(0, c * d, c * d + d);
    this.sumLabels.set(labels);
    this.changed.set(changed);
    this.sumRows ??= new WebAssembly.Instance(kmeansSimdModule(), { env: { memory: this.memory } }).exports.sumRows as SumRows;
    const [points, dp, dd, labelsByte, n, changedByte, sumsByte] = this.sumArgs;
    this.sumRows(points, dp, dd, labelsByte, n, changedByte, sumsByte);
  }

  /** The first step of a run: the full assignment, which fills the bounds. */
  start(centers: Float64Array, labels: Int32Array, dist2: Float64Array, renew = false): void {
    this.deferred = 0;
    if (!renew) {
      this.steps = 0;
      this.halfSteps = 0;
      this.useHalf = true;
    }
    this.stale.fill(1);
    this.moved.fill(0);
    this.moved32.fill(0, 0, this.k);
    this.groupMoved32.fill(0, 0, this.nGroups);
    this.groupMoved.fill(0);
    this.tight.fill(1);
    this.computed = this.full.run(1, centers, labels, dist2, this.bounds);
  }

  /** After the centres moved by `shift2[c]` (squared distance, float64): loosens the bounds. */
  centersMoved(shift2: Float64Array, labels: Int32Array): void {
    const shift = shift2.map((s) => Math.sqrt(s) * (1 + BOUND_SLACK));
    for (let c = 0; c < this.k; c++) {
      this.moved[c] += shift[c];
      if (shift[c] > 0) this.stale[c] = 1;
      // rounded up far enough for the scan's float32 test to keep every centre the float64 one keeps (_kmeans-simd.ts)
      this.moved32[c] = Math.fround(this.moved[c] * (1 + 2 ** -19));
    }
    for (let g = 0; g < this.nGroups; g++) {
      let most = 0;
      for (let c = g * GROUP, end = Math.min(this.k, c + GROUP); c < end; c++) if (shift[c] > most) most = shift[c];
      this.groupMoved[g] += most;
      this.groupMoved32[g] = Math.fround(this.groupMoved[g] * (1 + 2 ** -19));
    }
    for (let i = 0; i < this.m.n; i++) if (shift[labels[i]] > 0) this.tight[i] = 0;
  }

  /** Point i was moved to another centre outside the assignment (an empty cluster took it): no bound holds for it. */
  relocated(i: number, from: number): void {
    this.tight[i] = 0;
    this.lower[i * this.full.args.stride + from] = this.moved[from] * STORE_LOW; // bound 0, stored as the move so far
    const g = Math.floor(from / GROUP);
    this.groupLower[i * this.gStride + g] = this.groupMoved[g] * STORE_LOW;
  }

  /**
   * The assignment for the current centres, from the bounds; `dist2` gets every point's exact squared distance.
   * When the last step compared more than a share of the points with every centre anyway (RESCAN_SHARE; the first
   * steps, while the centres move far), this one is the full step, which renews every bound.
   */
  assign(centers: Float64Array, labels: Int32Array, dist2: Float64Array): void {
    if (this.deferred > RESCAN_SHARE * this.m.n || this.steps++ < FIRST_FULL) {
      this.start(centers, labels, dist2, true);
      return;
    }
    const { deferredCount, halfCount } = this.full.args;
    if (this.useHalf) {
      this.full.halfDistances(centers, this.half, this.nearest);
      this.halfSteps++;
    }
    deferredCount[0] = 0;
    halfCount[0] = 0;
    this.full.args.slotCounter[0] = 0;
    // the centres for keysList: float32 rows and their norms, as each thread's kernel holds them (loadCentres); only
    // those that moved are rewritten
    const { d } = this.m;
    const centresMax = centresFloat32(centers, this.k, d, (d + 3) & ~3, this.centres32, this.centreNorms, this.stale);
    this.computed = this.full.run(2, centers, labels, dist2, { ...this.bounds, centresMax });
    this.deferred = deferredCount[0];
    if (this.useHalf && halfCount[0] < HALF_MIN_SHARE * this.m.n * this.k) {
      // the half distances excluded too little to pay for themselves: zero, they exclude nothing from now on
      this.useHalf = false;
      this.half.fill(0);
      this.nearest.fill(0);
    }
  }
}
