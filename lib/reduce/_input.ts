/**
 * Input checks shared by the reducers (private): a non-empty list of equal-length finite vectors.
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';

/** Rows of the data matrix as given to every reducer. */
export type Rows = readonly (Float32Array | Float64Array | readonly number[])[];

/** Checks `x` and returns its dimension. Throws `fn: x must be ...` otherwise. */
export function checkRows(fn: string, x: unknown): number {
  if (!Array.isArray(x)) throw invalidParameter(fn, 'x', 'an array of vectors', x);
  if (x.length === 0) return 0;
  const d = (x[0] as ArrayLike<number>)?.length;
  if (typeof d !== 'number' || d < 1) throw invalidParameter(fn, 'x[0]', 'a non-empty vector', x[0]);
  for (let i = 0; i < x.length; i++) {
    const row = x[i] as ArrayLike<number>;
    if (!row || row.length !== d) {
      throw new FaceclusterError(fn, `x[${i}] must have length ${d} like x[0], got ${row?.length}.`, 'x');
    }
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(row[j])) throw new FaceclusterError(fn, `x[${i}][${j}] must be a finite number, got ${row[j]}.`, 'x');
    }
  }
  return d;
}

/** Copies rows into one row-major Float64Array (n x d). */
export function toMatrix(x: Rows, d: number): Float64Array {
  const m = new Float64Array(x.length * d);
  for (let i = 0; i < x.length; i++) {
    const row = x[i];
    for (let j = 0; j < d; j++) m[i * d + j] = row[j];
  }
  return m;
}

/** Splits a row-major n x k matrix into plain `number[]` rows (JSON- and notebook-friendly). */
export function toRows(m: Float64Array, n: number, k: number): number[][] {
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Array.from(m.subarray(i * k, i * k + k));
  return out;
}
