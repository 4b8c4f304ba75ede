/**
 * The assignment step of k-means (every point to its nearest centre, ties to the lower centre index), exact, in
 * two forms that give the same labels:
 *
 * - {@link FullAssigner}: every point against every centre by the WebAssembly SIMD dot-product kernel
 *   (`|x - c|^2 = |x|^2 + |c|^2 - 2 x.c` in float32), the nearest decided in float64 when the best two are close.
 *   O(n k d) per step.
 * - {@link ElkanAssigner}: Elkan's bounds (C. Elkan, "Using the Triangle Inequality to Accelerate k-Means",
 *   ICML 2003), as scikit-learn's `algorithm="elkan"`: an upper bound on each point's distance to its centre and a
 *   lower bound on its distance to every other centre, carried across iterations through the centres' moves
 *   (triangle inequality), plus half the distances between centres. A distance is computed (in float64) only
 *   where the bounds cannot exclude a centre; late iterations, where the centres barely move, compute almost none.
 *   The first step is the full one (it fills the bounds). Bounds are kept on the safe side of every rounding
 *   (float32 dot products, float32 storage), so the labels are those of the full step: the exact nearest centre.
 *   O(n k) bound checks per step plus the distances computed; n k float32 bounds of memory.
 *
 * Private: inputs are assumed valid.
 */
import type { Matrix } from './_input.ts';
import { createDotKernel, type DotKernel } from './_simd.ts';

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
 * Where a full step leaves its lower bounds (see ElkanAssigner): `lower[i k + c]` = a lower bound of d(x_i, c) plus
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

/** Squared distances point -> nearest centre, with the assignment, every pair by the SIMD kernel. */
export class FullAssigner {
  private kernel: DotKernel = createDotKernel();
  private dp: number;
  private centersByte: number;
  /** Four point rows copied together for {@link scanRows}. */
  private scratchByte: number;
  private outByte: number;
  readonly pointNorms: Float64Array;
  constructor(private m: Matrix, private k: number) {
    const { n, d, data } = m;
    this.dp = (d + 3) & ~3;
    const nPad = (n + 3) & ~3;
    this.centersByte = nPad * this.dp * 4;
    this.scratchByte = this.centersByte + ((k + 3) & ~3) * this.dp * 4;
    this.outByte = this.scratchByte + 4 * this.dp * 4;
    this.kernel.ensure(this.outByte + 16 * ((k + 3) & ~3));
    const mem = this.kernel.f32();
    this.pointNorms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      mem.set(data.subarray(i * d, i * d + d), i * this.dp);
      let s = 0;
      for (let t = 0; t < d; t++) s += data[i * d + t] * data[i * d + t];
      this.pointNorms[i] = s;
    }
  }

  /** Squared norms of the centres as loaded (float32 rows), and the largest. */
  private cNorms = new Float64Array(0);
  private cMax = 0;

  /** Copies the centres into the kernel's memory (as float32) for {@link scanRows} and {@link halfDistances}. */
  loadCenters(centers: Float64Array): void {
    const { d } = this.m;
    const { dp, centersByte, k } = this;
    const mem = this.kernel.f32();
    const cf = centersByte >> 2;
    const norms = new Float64Array(k);
    mem.fill(0, cf, cf + ((k + 3) & ~3) * dp);
    let cMax = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const v = Math.fround(centers[c * d + t]);
        mem[cf + c * dp + t] = v;
        s += v * v;
      }
      norms[c] = s;
      cMax = Math.max(cMax, s);
    }
    this.cNorms = norms;
    this.cMax = cMax;
  }

  /**
   * Fills labels and squared distances (float64, exact) for the given centres (k x d, float64). Ties go to the
   * lower centre. With `bounds`, also stores lower bounds of every point's distances (see {@link Bounds}).
   */
  assign(centers: Float64Array, labels: Int32Array, dist2: Float64Array, bounds: Bounds | null = null): void {
    this.loadCenters(centers);
    const n = this.m.n;
    for (let i0 = 0; i0 < n; i0 += 4) {
      this.kernel.dots4(i0 * this.dp * 4, this.centersByte, this.k, this.dp, this.outByte);
      const mem = this.kernel.f32();
      const rEnd = Math.min(4, n - i0);
      for (let r = 0; r < rEnd; r++) this.decide(mem, r, i0 + r, centers, labels, dist2, bounds);
    }
  }

  /**
   * {@link assign} for the points `rows[0 .. count)` only, against the centres of the last {@link loadCenters}.
   */
  scanRows(rows: Int32Array, count: number, centers: Float64Array, labels: Int32Array, dist2: Float64Array, bounds: Bounds): void {
    const { d, data } = this.m;
    const { dp, scratchByte } = this;
    for (let r0 = 0; r0 < count; r0 += 4) {
      const rEnd = Math.min(4, count - r0);
      let mem = this.kernel.f32();
      const sf = scratchByte >> 2;
      for (let r = 0; r < rEnd; r++) mem.set(data.subarray(rows[r0 + r] * d, rows[r0 + r] * d + d), sf + r * dp);
      this.kernel.dots4(scratchByte, this.centersByte, this.k, dp, this.outByte);
      mem = this.kernel.f32();
      for (let r = 0; r < rEnd; r++) this.decide(mem, r, rows[r0 + r], centers, labels, dist2, bounds);
    }
  }

  /**
   * Approximate keys `|c|^2 - 2 x_i.c` (float32 dot products; error within {@link slackOf}) of point i with the
   * centres `c0 .. c0 + 3` (c0 a multiple of 4) of the last {@link loadCenters}, into `keys[c0 .. c0 + 3]`.
   */
  keysOfBlock(i: number, c0: number, keys: Float64Array): void {
    const { dp, centersByte, outByte, cNorms } = this;
    this.kernel.dots4(centersByte + c0 * dp * 4, i * dp * 4, 1, dp, outByte);
    const mem = this.kernel.f32();
    const o = outByte >> 2;
    const end = Math.min(4, this.k - c0);
    for (let r = 0; r < end; r++) keys[c0 + r] = cNorms[c0 + r] - 2 * mem[o + r];
  }

  /** The bound on the error of a key of point i (see {@link keysOfBlock}). */
  slackOf(i: number): number {
    return keyError(this.m.d) * (this.pointNorms[i] + this.cMax);
  }

  /** The nearest centre of point i from the kernel's dots (lane r), exact; optionally its row of lower bounds. */
  private decide(mem: Float32Array, r: number, i: number, centers: Float64Array, labels: Int32Array, dist2: Float64Array, bounds: Bounds | null): void {
    const { d, data } = this.m;
    const { k, cNorms } = this;
    const outF = this.outByte >> 2;
    const xNorm = this.pointNorms[i];
    // the nearest by the dot trick, then exactly (float64) among the centres within twice the rounding error of it
    const slack = keyError(d) * (xNorm + this.cMax);
    let best = -1, bestKey = Infinity;
    for (let c = 0; c < k; c++) {
      const key = cNorms[c] - 2 * mem[outF + 4 * c + r];
      if (key < bestKey) { bestKey = key; best = c; }
    }
    let bestExact = exactDist2(data, i, d, centers, best);
    const keyHi = bestKey + 2 * slack;
    for (let c = 0; c < k; c++) {
      if (c === best || cNorms[c] - 2 * mem[outF + 4 * c + r] > keyHi) continue;
      const e = exactDist2(data, i, d, centers, c);
      if (e < bestExact || (e === bestExact && c < best)) { bestExact = e; best = c; }
    }
    labels[i] = best;
    dist2[i] = bestExact;
    if (bounds) {
      const { lower, moved, groupLower, groupMoved, group, nGroups } = bounds;
      const row = i * k;
      let g = 0;
      let groupMin = Infinity;
      for (let c = 0; c < k; c++) {
        const lo = Math.sqrt(Math.max(0, xNorm + cNorms[c] - 2 * mem[outF + 4 * c + r] - slack));
        lower[row + c] = (lo + moved[c]) * STORE_LOW;
        if (lo < groupMin && c !== best) groupMin = lo;
        if (c - g * group === group - 1 || c === k - 1) {
          groupLower[i * nGroups + g] = (groupMin + groupMoved[g]) * STORE_LOW;
          g++;
          groupMin = Infinity;
        }
      }
    }
  }

  /**
   * Half the distance between every two centres (k x k, a lower bound: float32 dot products, rounded down), and
   * for each centre half the distance to its nearest other centre.
   */
  halfDistances(centers: Float64Array, half: Float64Array, nearest: Float64Array): void {
    const { d } = this.m;
    const k = this.k;
    const { dp, centersByte, outByte } = this;
    this.loadCenters(centers);
    const cNorms = this.cNorms;
    const err = keyError(d);
    const outF = outByte >> 2;
    nearest.fill(Infinity);
    for (let a0 = 0; a0 < k; a0 += 4) {
      this.kernel.dots4(centersByte + a0 * dp * 4, centersByte, k, dp, outByte);
      const mem = this.kernel.f32();
      const rEnd = Math.min(4, k - a0);
      for (let r = 0; r < rEnd; r++) {
        const a = a0 + r;
        const row = a * k;
        for (let c = 0; c < k; c++) {
          const sum = cNorms[a] + cNorms[c];
          const h = c === a ? 0 : 0.5 * Math.sqrt(Math.max(0, sum - 2 * mem[outF + 4 * c + r] - err * sum)) * (1 - 1e-9);
          half[row + c] = h;
          if (c !== a && h < nearest[a]) nearest[a] = h;
        }
      }
    }
  }
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
 * Centres per group of the group bounds (Y. Ding, Y. Zhao, X. Shen, M. Musuvathi, T. Mytkowicz, "Yinyang K-Means: A
 * Drop-In Replacement of the Classic K-Means with Consistent Speedup", ICML 2015): one lower bound per point and
 * group of consecutive centres, loosened by the group's largest move, so that a point checks k / GROUP bounds
 * before any of Elkan's k.
 */
const GROUP = 16;

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
  private half: Float64Array;
  private nearest: Float64Array;
  private deferred: Int32Array;
  /** Distances computed by the last step, as a count of point-centre pairs (for the tests and the benchmark). */
  computed = 0;
  constructor(private m: Matrix, private k: number, private full: FullAssigner) {
    this.lower = new Float32Array(m.n * k);
    this.moved = new Float64Array(k);
    this.nGroups = Math.ceil(k / GROUP);
    this.groupLower = new Float32Array(m.n * this.nGroups);
    this.groupMoved = new Float64Array(this.nGroups);
    this.tight = new Uint8Array(m.n);
    this.half = new Float64Array(k * k);
    this.nearest = new Float64Array(k);
    this.deferred = new Int32Array(m.n);
  }

  /** Renews the bound of point i (centre a) for group g from its Elkan bounds. */
  private renewGroup(i: number, g: number, a: number): void {
    const { lower, moved, k } = this;
    const row = i * k;
    let lo = Infinity;
    for (let c = g * GROUP, end = Math.min(k, c + GROUP); c < end; c++) {
      if (c === a) continue;
      const l = lower[row + c] - moved[c];
      if (l < lo) lo = l;
    }
    // >= 0: groupMoved[g] >= moved[c] for every c of g
    this.groupLower[i * this.nGroups + g] = (lo + this.groupMoved[g]) * STORE_LOW;
  }

  private get bounds(): Bounds {
    return { lower: this.lower, moved: this.moved, groupLower: this.groupLower, groupMoved: this.groupMoved, group: GROUP, nGroups: this.nGroups };
  }

  /** The first step of a run: the full assignment, which fills the bounds. */
  start(centers: Float64Array, labels: Int32Array, dist2: Float64Array): void {
    this.moved.fill(0);
    this.groupMoved.fill(0);
    this.tight.fill(1);
    this.full.assign(centers, labels, dist2, this.bounds);
    this.computed = this.m.n * this.k;
  }

  /** After the centres moved by `shift2[c]` (squared distance, float64): loosens the bounds. */
  centersMoved(shift2: Float64Array, labels: Int32Array): void {
    const shift = shift2.map((s) => Math.sqrt(s) * (1 + BOUND_SLACK));
    for (let c = 0; c < this.k; c++) this.moved[c] += shift[c];
    for (let g = 0; g < this.nGroups; g++) {
      let most = 0;
      for (let c = g * GROUP, end = Math.min(this.k, c + GROUP); c < end; c++) if (shift[c] > most) most = shift[c];
      this.groupMoved[g] += most;
    }
    for (let i = 0; i < this.m.n; i++) if (shift[labels[i]] > 0) this.tight[i] = 0;
  }

  /** Point i was moved to another centre outside the assignment (an empty cluster took it): no bound holds for it. */
  relocated(i: number, from: number): void {
    this.tight[i] = 0;
    this.lower[i * this.k + from] = this.moved[from] * STORE_LOW; // bound 0, stored as the move so far
    const g = Math.floor(from / GROUP);
    this.groupLower[i * this.nGroups + g] = this.groupMoved[g] * STORE_LOW;
  }

  /** The assignment for the current centres, from the bounds; `dist2` gets every point's exact squared distance. */
  assign(centers: Float64Array, labels: Int32Array, dist2: Float64Array): void {
    const { n, d, data } = this.m;
    const { k, nGroups, lower, moved, groupLower, groupMoved, tight, half, nearest, deferred } = this;
    this.full.halfDistances(centers, half, nearest);
    const scanAbove = Math.floor(k / SCAN_FRACTION);
    const candidates = new Int32Array(scanAbove + 1);
    const failed = new Int32Array(nGroups);
    const keys = new Float64Array(k + 4);
    const full = this.full;
    let computed = 0;
    let nDeferred = 0;
    for (let i = 0; i < n; i++) {
      let a = labels[i];
      // the exact distance to the own centre: needed for the inertia anyway
      let e2 = dist2[i];
      if (tight[i] === 0) {
        e2 = exactDist2(data, i, d, centers, a);
        computed++;
        tight[i] = 1;
        dist2[i] = e2;
      }
      let u = Math.sqrt(e2);
      const uHi = u * (1 + BOUND_SLACK);
      // every other centre is at least 2 nearest[a] - u away: a is the nearest, strictly
      if (uHi < nearest[a]) continue;
      // the centres the bounds leave: groups first, then Elkan's bound of each centre of a group that is left
      const row = i * k;
      const gRow = i * nGroups;
      const hRow = a * k;
      let left = 0;
      let nFailed = 0;
      for (let g = 0; g < nGroups && left <= scanAbove; g++) {
        if (uHi < groupLower[gRow + g] - groupMoved[g]) continue;
        failed[nFailed++] = g;
        for (let c = g * GROUP, end = Math.min(k, c + GROUP); c < end; c++) {
          const lc = lower[row + c] - moved[c];
          const hc = half[hRow + c];
          if (uHi >= (lc > hc ? lc : hc) && c !== a) {
            if (left === scanAbove) { left++; break; }
            candidates[left++] = c;
          }
        }
      }
      if (left > scanAbove) {
        deferred[nDeferred++] = i;
        continue;
      }
      // the candidates' keys by the kernel (4 centres a call), then exactly (float64) the few that may win
      const from = a;
      const xNorm = full.pointNorms[i];
      const slack = full.slackOf(i);
      let block = -1;
      let bestKey = e2 - xNorm;
      for (let e = 0; e < left; e++) {
        const c = candidates[e];
        if (c >> 2 !== block) {
          block = c >> 2;
          full.keysOfBlock(i, block << 2, keys);
        }
        if (keys[c] < bestKey) bestKey = keys[c];
        lower[row + c] = (Math.sqrt(Math.max(0, xNorm + keys[c] - slack)) + moved[c]) * STORE_LOW;
      }
      computed += left;
      const keyHi = bestKey + 2 * slack;
      for (let e = 0; e < left; e++) {
        const c = candidates[e];
        if (keys[c] > keyHi) continue;
        const ec = exactDist2(data, i, d, centers, c);
        lower[row + c] = (Math.sqrt(ec) + moved[c]) * STORE_LOW;
        if (ec < e2 || (ec === e2 && c < a)) {
          a = c;
          e2 = ec;
        }
      }
      if (a !== from) lower[row + from] = (u + moved[from]) * STORE_LOW;
      labels[i] = a;
      dist2[i] = e2;
      for (let f = 0; f < nFailed; f++) this.renewGroup(i, failed[f], a);
      if (a !== from) {
        // the old centre is a rival now: its group's bound must cover it
        this.renewGroup(i, Math.floor(from / GROUP), a);
        this.renewGroup(i, Math.floor(a / GROUP), a);
      }
    }
    this.full.scanRows(deferred, nDeferred, centers, labels, dist2, this.bounds);
    for (let r = 0; r < nDeferred; r++) tight[deferred[r]] = 1;
    this.computed = computed + nDeferred * k;
  }
}
