/** Test helpers for lib/cluster. */
import assert from 'node:assert/strict';

/** Float32Array rows from plain arrays. */
export function rows(a: number[][]): Float32Array[] {
  return a.map((r) => Float32Array.from(r));
}

/**
 * True when two labelings are the same partition up to renumbering (ARI = 1), noise (-1) matching noise exactly.
 */
export function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] < 0) !== (b[i] < 0)) return false;
    if (a[i] < 0) continue;
    const x = ab.get(a[i]);
    const y = ba.get(b[i]);
    if (x === undefined && y === undefined) { ab.set(a[i], b[i]); ba.set(b[i], a[i]); continue; }
    if (x !== b[i] || y !== a[i]) return false;
  }
  return true;
}

export function assertSamePartition(actual: ArrayLike<number>, expected: ArrayLike<number>, message?: string): void {
  assert.ok(samePartition(actual, expected), `${message ?? 'partitions differ'}\n  actual:   ${Array.from(actual).join(',')}\n  expected: ${Array.from(expected).join(',')}`);
}

/** Gaussian blobs with a tiny deterministic generator (for tests that need "realistic" data). */
export function blobs(nPerCentre: number, centres: number[][], spread: number, seed = 1): { x: Float32Array[]; truth: Int32Array } {
  let s = seed >>> 0;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const x: Float32Array[] = [];
  const truth: number[] = [];
  centres.forEach((c, ci) => {
    for (let i = 0; i < nPerCentre; i++) { x.push(Float32Array.from(c, (v) => v + spread * normal())); truth.push(ci); }
  });
  return { x, truth: Int32Array.from(truth) };
}
