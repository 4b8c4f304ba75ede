/**
 * Principal component analysis: project the centred data on the top eigenvectors of its covariance.
 *
 * Reference: K. Pearson, "On lines and planes of closest fit to systems of points in space",
 * Philosophical Magazine 2(11), 1901; H. Hotelling, "Analysis of a complex of statistical variables into
 * principal components", Journal of Educational Psychology 24, 1933.
 *
 * Method: the d x d covariance is diagonalised with the cyclic Jacobi eigenvalue algorithm (exact to
 * rounding, deterministic; O(n d^2 + sweeps * d^3), about 0.1 s for 13k x 128). Signs follow scikit-learn's
 * `svd_flip` idea: each component is flipped so that its largest-magnitude coefficient is positive, so the
 * output does not depend on the order of the input rows.
 *
 * @example
 *   pca([[0, 0], [1, 1], [2, 2]], { nComponents: 1 })  // [[-1.414...], [0], [1.414...]]
 */
import { checkInteger, resolveOptions } from '../options.ts';
import { invalidParameter } from '../errors.ts';
import { checkRows, toMatrix, toRows, type Rows } from './_input.ts';

export interface PcaOptions {
  /**
   * Output dimension.
   * @default 2 (a map for a scatter plot)
   */
  nComponents: number;
}

export const PCA_DEFAULTS: Readonly<PcaOptions> = Object.freeze({ nComponents: 2 });

/** A fitted PCA: `transform` projects new rows the same way. */
export interface PcaModel {
  /** Column means of the fitted data (length d). */
  mean: Float64Array;
  /** `components[k]` is the k-th unit eigenvector (length d), by decreasing variance. */
  components: Float64Array[];
  /** Variance along each component (eigenvalues of the covariance, denominator n - 1). */
  explainedVariance: number[];
  /** `explainedVariance` divided by the total variance (0 when the data has none). */
  explainedVarianceRatio: number[];
  /** Projects rows of dimension d onto the components. */
  transform(x: Rows): number[][];
}

/** Fits PCA to `x` (n rows of dimension d). Deterministic; needs no seed. */
export function pcaFit(x: Rows, options?: Partial<PcaOptions>): PcaModel {
  const fn = 'pcaFit';
  const o = resolveOptions(fn, PCA_DEFAULTS, options);
  const d = checkRows(fn, x);
  const n = x.length;
  if (n === 0) throw invalidParameter(fn, 'x', 'a non-empty array of vectors', x);
  checkInteger(fn, 'nComponents', o.nComponents, 1, d);
  const m = toMatrix(x, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[i * d + j] -= mean[j];
  // Covariance (upper triangle, mirrored).
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let a = 0; a < d; a++) {
      const va = m[off + a];
      if (va === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) cov[row + b] += va * m[off + b];
    }
  }
  const denom = Math.max(1, n - 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= denom;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  const { values, vectors } = jacobiEigen(cov, d);
  const order = Array.from(values.keys()).sort((p, q) => values[q] - values[p] || p - q);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const components: Float64Array[] = [];
  const explainedVariance: number[] = [];
  for (let k = 0; k < o.nComponents; k++) {
    const col = order[k];
    const v = new Float64Array(d);
    let big = 0;
    for (let j = 0; j < d; j++) {
      v[j] = vectors[j * d + col];
      if (Math.abs(v[j]) > Math.abs(big) + 1e-12) big = v[j];
    }
    if (big < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    components.push(v);
    explainedVariance.push(Math.max(0, values[col]));
  }
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  const transform = (rows: Rows): number[][] => {
    const dd = checkRows('PcaModel.transform', rows);
    if (rows.length > 0 && dd !== d) throw invalidParameter('PcaModel.transform', 'x', `vectors of length ${d}`, `length ${dd}`);
    const out: number[][] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const p = new Array<number>(components.length);
      for (let k = 0; k < components.length; k++) {
        const c = components[k];
        let s = 0;
        for (let j = 0; j < d; j++) s += (r[j] - mean[j]) * c[j];
        p[k] = s;
      }
      out[i] = p;
    }
    return out;
  };
  return { mean, components, explainedVariance, explainedVarianceRatio, transform };
}

/**
 * Projects `x` on its first `nComponents` principal components: `number[][]`, one row per input row.
 * An empty input gives an empty output.
 */
export function pca(x: Rows, options?: Partial<PcaOptions>): number[][] {
  const fn = 'pca';
  const o = resolveOptions(fn, PCA_DEFAULTS, options);
  const d = checkRows(fn, x);
  if (x.length === 0) return [];
  checkInteger(fn, 'nComponents', o.nComponents, 1, d);
  return pcaFit(x, o).transform(x);
}

/** PCA as a flat row-major n x k Float64Array (used by t-SNE's initialisation). */
export function pcaMatrix(x: Rows, nComponents: number): Float64Array {
  const rows = pcaFit(x, { nComponents }).transform(x);
  const out = new Float64Array(rows.length * nComponents);
  rows.forEach((r, i) => out.set(r, i * nComponents));
  return out;
}

/**
 * Cyclic Jacobi eigenvalue algorithm for a symmetric d x d matrix (row-major; destroyed).
 * Returns eigenvalues and eigenvectors as columns of `vectors` (row-major d x d).
 * Reference: G. H. Golub, C. F. Van Loan, "Matrix Computations", 4th ed., Johns Hopkins, 2013, section 8.5.
 */
function jacobiEigen(a: Float64Array, d: number): { values: number[]; vectors: Float64Array } {
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  const tol = 1e-22 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= tol) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * d + p];
        const aqq = a[q * d + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values: number[] = [];
  for (let i = 0; i < d; i++) values.push(a[i * d + i]);
  return { values, vectors: v };
}
