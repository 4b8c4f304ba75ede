/**
 * Barnes-Hut t-SNE: a 2-D map that keeps each point's nearest neighbours near.
 *
 * References:
 * - L. van der Maaten, G. Hinton, "Visualizing Data using t-SNE", Journal of Machine Learning Research 9, 2008
 *   (the method, early exaggeration, momentum, gains).
 * - L. van der Maaten, "Accelerating t-SNE using Tree-Based Algorithms", Journal of Machine Learning Research 15,
 *   2014 (sparse P over 3 * perplexity nearest neighbours, Barnes-Hut quadtree for the repulsive forces).
 * - D. Kobak, P. Berens, "The art of using t-SNE for single-cell transcriptomics", Nature Communications 10, 2019
 *   (PCA initialisation).
 * - A. C. Belkina et al., "Automated optimized parameters for t-distributed stochastic neighbor embedding improve
 *   visualization and analysis of large datasets", Nature Communications 10, 2019 (learning rate n / 12 / 4,
 *   as scikit-learn's `learning_rate='auto'`).
 *
 * Own implementation (the npm `tsne-js` is exact O(n^2) per iteration: ~40 min for 2,000 points here).
 * Steps: exact kNN (k = 3 * perplexity; the blocked SIMD brute force of lib/cluster, see `_knn.ts`; the paper's
 * vantage-point tree prunes little in 128 dimensions), per-point binary search of the Gaussian
 * bandwidth to match the perplexity, symmetrised sparse P, then gradient descent where attraction runs over the
 * sparse P and repulsion over a quadtree with the Barnes-Hut criterion `cell width / distance < theta`.
 *
 * Speed (`npm run bench:reduce`, one core of this 2-core machine, default options): 5,000 x 128 points in well
 * under a minute: 16.8 s on a quiet machine (load 0.2); all 12,424 LFW embeddings in 51 s; 1,000 in 2.4 s.
 * (scikit-learn 1.2's Barnes-Hut TSNE took 90 s for 2,000 points on the same machine under load, with the same
 * 10-NN preservation, 0.47, and trustworthiness, 0.95.) Memory O(n * perplexity).
 *
 * Deterministic: same input, options and seed give the same map (the kNN breaks ties by index; the seed only
 * drives `init: 'random'`). 2-D output only (the quadtree is 2-D).
 *
 * @example
 *   const xy = tsne(embeddings, { perplexity: 30, seed: 1 });  // number[][] of [x, y]
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import { invalidParameter } from '../errors.ts';
import type { ProgressCallback } from '../types.ts';
import { checkRows, toMatrix, toRows, type Rows } from './_input.ts';
import { exactKnn } from './_knn.ts';
import { pcaMatrix } from './pca.ts';
import { gaussian, mulberry32 } from './_random.ts';

export interface TsneOptions {
  /**
   * Effective number of neighbours each point's Gaussian covers. Clamped to (n - 1) / 3 for tiny inputs.
   * @default 30 (van der Maaten's and scikit-learn's default; 5-50 are typical)
   */
  perplexity: number;
  /**
   * Barnes-Hut accuracy: a cell is summarised by its centre of mass when `width / distance < theta`.
   * 0 would be exact (and slow).
   * @default 0.5 (van der Maaten 2014: little loss of quality, large speed-up)
   */
  theta: number;
  /**
   * Gradient-descent iterations in all, early exaggeration included.
   * @default 1000 (scikit-learn's default)
   */
  iterations: number;
  /**
   * Iterations with P multiplied by `earlyExaggeration` (and momentum 0.5); momentum is 0.8 after.
   * @default 250 (van der Maaten 2014, scikit-learn)
   */
  exaggerationIterations: number;
  /** @default 12 (van der Maaten 2014, scikit-learn) */
  earlyExaggeration: number;
  /**
   * Step size; 0 means automatic: max(n / earlyExaggeration / 4, 50).
   * @default 0 (automatic, Belkina et al. 2019 as scikit-learn's 'auto': scales with n, avoids poor convergence)
   */
  learningRate: number;
  /**
   * Starting map: `pca` (first two principal components scaled to standard deviation 1e-4) or `random`
   * (Gaussian, standard deviation 1e-4, from `seed`).
   * @default 'pca' (Kobak & Berens 2019: preserves global structure better; scikit-learn >= 1.2 default)
   */
  init: 'pca' | 'random';
  /** Seed of the random initialisation. @default 42 */
  seed: number;
  /** Called every 50 iterations with (iteration, iterations). @default undefined */
  onProgress: ProgressCallback | undefined;
}

export const TSNE_DEFAULTS: Readonly<TsneOptions> = Object.freeze({
  perplexity: 30,
  theta: 0.5,
  iterations: 1000,
  exaggerationIterations: 250,
  earlyExaggeration: 12,
  learningRate: 0,
  init: 'pca' as const,
  seed: 42,
  onProgress: undefined,
});

/** Barnes-Hut t-SNE of the rows of `x` to 2-D: one `[x, y]` per row. */
export function tsne(x: Rows, options?: Partial<TsneOptions>): number[][] {
  const fn = 'tsne';
  const o = resolveOptions(fn, TSNE_DEFAULTS, options);
  const d = checkRows(fn, x);
  checkNumber(fn, 'perplexity', o.perplexity, 1);
  checkNumber(fn, 'theta', o.theta, 0, 1);
  checkInteger(fn, 'iterations', o.iterations, 1);
  checkInteger(fn, 'exaggerationIterations', o.exaggerationIterations, 0);
  checkNumber(fn, 'earlyExaggeration', o.earlyExaggeration, 1);
  checkNumber(fn, 'learningRate', o.learningRate, 0);
  checkOneOf(fn, 'init', o.init, ['pca', 'random'] as const);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalidParameter(fn, 'onProgress', 'a function', o.onProgress);
  const n = x.length;
  if (n === 0) return [];
  if (n === 1) return [[0, 0]];
  const m = toMatrix(x, d);
  const perplexity = Math.min(o.perplexity, (n - 1) / 3);
  const k = Math.max(1, Math.min(n - 1, Math.floor(3 * perplexity)));
  const knn = exactKnn(m, n, d, k);
  const cond = conditionalP(knn.distances, n, k, Math.max(perplexity, 1e-3));
  const P = symmetrise(knn.indices, cond, n, k);

  // Initial map.
  let y: Float64Array;
  if (o.init === 'pca' && d >= 2) {
    y = pcaMatrix(x, 2);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[2 * i];
    mean /= n;
    let sd = 0;
    for (let i = 0; i < n; i++) sd += (y[2 * i] - mean) ** 2;
    sd = Math.sqrt(sd / n);
    const s = sd > 0 ? 1e-4 / sd : 0;
    for (let i = 0; i < 2 * n; i++) y[i] *= s;
    if (s === 0) y = randomInit(n, o.seed);
  } else {
    y = randomInit(n, o.seed);
  }
  const lr = o.learningRate > 0 ? o.learningRate : Math.max(n / o.earlyExaggeration / 4, 50);
  optimise(y, P, n, { ...o, learningRate: lr });
  return toRows(y, n, 2);
}

function randomInit(n: number, seed: number): Float64Array {
  const g = gaussian(mulberry32(seed));
  const y = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) y[i] = 1e-4 * g();
  return y;
}

/**
 * Row-wise conditional probabilities p(j|i) over the kNN, with the Gaussian precision found by binary search so
 * that the entropy is log(perplexity) (van der Maaten & Hinton 2008, section 2). Returns n x k values.
 */
export function conditionalP(dist: Float64Array, n: number, k: number, perplexity: number): Float64Array {
  const out = new Float64Array(n * k);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    const d0 = dist[base]; // nearest distance: subtracted for numerical stability (cancels in the normalisation)
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let iter = 0; iter < 200; iter++) {
      let sum = 0;
      let sumDP = 0;
      for (let m = 0; m < k; m++) {
        const dd = dist[base + m] - d0;
        const p = Math.exp(-beta * dd);
        out[base + m] = p;
        sum += p;
        sumDP += dd * p;
      }
      // Entropy H = log(sum) + beta * E[d].
      const h = Math.log(sum) + (beta * sumDP) / sum;
      for (let m = 0; m < k; m++) out[base + m] /= sum;
      const diff = h - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  return out;
}

/** Sparse symmetric P in CSR form: p_ij = (p(j|i) + p(i|j)) / (2n). */
export interface SparseP {
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

function symmetrise(indices: Int32Array, cond: Float64Array, n: number, k: number): SparseP {
  // Count entries per row of P + P^T (with duplicates), then merge.
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) {
      counts[i + 1]++;
      counts[indices[i * k + m] + 1]++;
    }
  }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const cols = new Int32Array(counts[n]);
  const vals = new Float64Array(counts[n]);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) {
      const j = indices[i * k + m];
      const p = cond[i * k + m];
      cols[fill[i]] = j;
      vals[fill[i]++] = p;
      cols[fill[j]] = i;
      vals[fill[j]++] = p;
    }
  }
  const rowStart = new Int32Array(n + 1);
  const outCols: number[] = [];
  const outVals: number[] = [];
  const scale = 1 / (2 * n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let t = counts[i]; t < counts[i + 1]; t++) order.push(t);
    order.sort((a, b) => cols[a] - cols[b]);
    let last = -1;
    for (const t of order) {
      if (cols[t] === last) outVals[outVals.length - 1] += vals[t] * scale;
      else {
        outCols.push(cols[t]);
        outVals.push(vals[t] * scale);
        last = cols[t];
      }
    }
    rowStart[i + 1] = outCols.length;
  }
  return { rowStart, cols: Int32Array.from(outCols), values: Float64Array.from(outVals) };
}

/** Gradient descent with momentum and gains (van der Maaten & Hinton 2008; Jacobs 1988 delta-bar-delta gains). */
function optimise(y: Float64Array, P: SparseP, n: number, o: TsneOptions): void {
  const grad = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const tree = new QuadTree(n);
  for (let iter = 0; iter < o.iterations; iter++) {
    const exaggerating = iter < o.exaggerationIterations;
    const exag = exaggerating ? o.earlyExaggeration : 1;
    const momentum = exaggerating ? 0.5 : 0.8;
    gradient(y, P, n, exag, o.theta, tree, grad);
    for (let t = 0; t < 2 * n; t++) {
      const g = grad[t];
      const u = update[t];
      let gain = gains[t];
      gain = (g > 0) !== (u > 0) ? gain + 0.2 : gain * 0.8;
      if (gain < 0.01) gain = 0.01;
      gains[t] = gain;
      update[t] = momentum * u - o.learningRate * gain * g;
      y[t] += update[t];
    }
    // Keep the map centred (as bhtsne does).
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    mx /= n;
    my /= n;
    for (let i = 0; i < n; i++) {
      y[2 * i] -= mx;
      y[2 * i + 1] -= my;
    }
    if (o.onProgress && (iter + 1) % 50 === 0) o.onProgress(iter + 1, o.iterations);
  }
}

/** 4 * (exag * attraction - repulsion / Z) for every point, into `grad`. */
function gradient(y: Float64Array, P: SparseP, n: number, exag: number, theta: number, tree: QuadTree, grad: Float64Array): void {
  tree.build(y, n);
  let sumQ = 0;
  const rep = tree.rep;
  for (let i = 0; i < n; i++) sumQ += tree.repulsion(i, y[2 * i], y[2 * i + 1], theta, rep, 2 * i);
  const { rowStart, cols, values } = P;
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i];
    const yi = y[2 * i + 1];
    let ax = 0;
    let ay = 0;
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) {
      const j = cols[t];
      const dx = xi - y[2 * j];
      const dy = yi - y[2 * j + 1];
      const q = values[t] / (1 + dx * dx + dy * dy);
      ax += q * dx;
      ay += q * dy;
    }
    grad[2 * i] = 4 * (exag * ax - rep[2 * i] / sumQ);
    grad[2 * i + 1] = 4 * (exag * ay - rep[2 * i + 1] / sumQ);
  }
}

/**
 * A point-region quadtree in flat typed arrays, rebuilt every iteration. Leaves hold one point, or several
 * points at the same position (duplicates), counted in `cnt`.
 */
class QuadTree {
  private cap = 0;
  private size = 0;
  private cx = new Float64Array(0); // cell centre
  private cy = new Float64Array(0);
  private hw = new Float64Array(0); // half width
  private mx = new Float64Array(0); // centre of mass (sum while building, mean after)
  private my = new Float64Array(0);
  private cnt = new Int32Array(0);
  private child = new Int32Array(0); // first of 4 children, -1 for a leaf
  private pt = new Int32Array(0); // a point of a non-empty leaf
  private leafOf: Int32Array;
  private stack: Int32Array;
  readonly rep: Float64Array;

  constructor(n: number) {
    this.leafOf = new Int32Array(n);
    this.stack = new Int32Array(1024);
    this.rep = new Float64Array(2 * n);
    this.grow(Math.max(16, 4 * n));
  }

  private grow(cap: number): void {
    const g = <T extends Float64Array | Int32Array>(a: T, make: (c: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    const f = (c: number) => new Float64Array(c);
    const i32 = (c: number) => new Int32Array(c);
    this.cx = g(this.cx, f);
    this.cy = g(this.cy, f);
    this.hw = g(this.hw, f);
    this.mx = g(this.mx, f);
    this.my = g(this.my, f);
    this.cnt = g(this.cnt, i32);
    this.child = g(this.child, i32);
    this.pt = g(this.pt, i32);
    this.cap = cap;
  }

  private newNode(cx: number, cy: number, hw: number): number {
    if (this.size >= this.cap) this.grow(this.cap * 2);
    const s = this.size++;
    this.cx[s] = cx;
    this.cy[s] = cy;
    this.hw[s] = hw;
    this.mx[s] = 0;
    this.my[s] = 0;
    this.cnt[s] = 0;
    this.child[s] = -1;
    this.pt[s] = -1;
    return s;
  }

  build(y: Float64Array, n: number): void {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = y[2 * i];
      const b = y[2 * i + 1];
      if (a < minX) minX = a;
      if (a > maxX) maxX = a;
      if (b < minY) minY = b;
      if (b > maxY) maxY = b;
    }
    this.size = 0;
    const half = Math.max(maxX - minX, maxY - minY, 1e-12) / 2 + 1e-9;
    this.newNode((minX + maxX) / 2, (minY + maxY) / 2, half);
    for (let i = 0; i < n; i++) this.insert(i, y[2 * i], y[2 * i + 1], y);
    for (let s = 0; s < this.size; s++) {
      if (this.cnt[s] > 0) {
        this.mx[s] /= this.cnt[s];
        this.my[s] /= this.cnt[s];
      }
    }
  }

  private insert(i: number, px: number, py: number, y: Float64Array): void {
    let node = 0;
    for (let depth = 0; ; depth++) {
      if (this.child[node] === -1) {
        if (this.cnt[node] === 0) {
          this.pt[node] = i;
          this.cnt[node] = 1;
          this.mx[node] = px;
          this.my[node] = py;
          this.leafOf[i] = node;
          return;
        }
        const q = this.pt[node];
        if ((y[2 * q] === px && y[2 * q + 1] === py) || depth > 60) {
          this.cnt[node]++;
          this.mx[node] += px;
          this.my[node] += py;
          this.leafOf[i] = node;
          return;
        }
        // Subdivide and move the resident point(s) down.
        const h = this.hw[node] / 2;
        const cx = this.cx[node];
        const cy = this.cy[node];
        const first = this.newNode(cx - h, cy - h, h);
        this.newNode(cx + h, cy - h, h);
        this.newNode(cx - h, cy + h, h);
        this.newNode(cx + h, cy + h, h);
        this.child[node] = first;
        const qx = y[2 * q];
        const qy = y[2 * q + 1];
        const c = first + (qx >= cx ? 1 : 0) + (qy >= cy ? 2 : 0);
        this.pt[c] = q;
        this.cnt[c] = this.cnt[node];
        this.mx[c] = this.mx[node];
        this.my[c] = this.my[node];
        // Every point of that leaf moved to c (they share q's position).
        if (this.cnt[c] === 1) this.leafOf[q] = c;
        else for (let t = 0; t < this.leafOf.length; t++) if (this.leafOf[t] === node) this.leafOf[t] = c;
      }
      this.cnt[node]++;
      this.mx[node] += px;
      this.my[node] += py;
      node = this.child[node] + (px >= this.cx[node] ? 1 : 0) + (py >= this.cy[node] ? 2 : 0);
    }
  }

  /** Adds the unnormalised repulsion on point i into out[at], out[at+1]; returns its share of Z = sum q. */
  repulsion(i: number, px: number, py: number, theta: number, out: Float64Array, at: number): number {
    // Locals: V8 keeps them in registers; `this.x[...]` reloads the field on every access.
    const cnt = this.cnt;
    const child = this.child;
    const mx = this.mx;
    const my = this.my;
    const hw = this.hw;
    let stack = this.stack;
    let sp = 0;
    stack[sp++] = 0;
    let z = 0;
    let fx = 0;
    let fy = 0;
    const theta2 = theta * theta;
    const own = this.leafOf[i];
    while (sp > 0) {
      const node = stack[--sp];
      let c = cnt[node];
      if (c === 0) continue;
      const first = child[node];
      if (first === -1 && node === own) c -= 1;
      if (c === 0) continue;
      const dx = px - mx[node];
      const dy = py - my[node];
      const d2 = dx * dx + dy * dy;
      const w = 2 * hw[node];
      if (first === -1 || w * w < theta2 * d2) {
        const q = 1 / (1 + d2);
        const cq = c * q;
        z += cq;
        fx += cq * q * dx;
        fy += cq * q * dy;
      } else {
        if (sp + 4 > stack.length) {
          const bigger = new Int32Array(stack.length * 2);
          bigger.set(stack);
          this.stack = stack = bigger;
        }
        stack[sp++] = first;
        stack[sp++] = first + 1;
        stack[sp++] = first + 2;
        stack[sp++] = first + 3;
      }
    }
    out[at] = fx;
    out[at + 1] = fy;
    return z;
  }
}
