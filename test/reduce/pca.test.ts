import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pca, pcaFit, PCA_DEFAULTS } from '../../lib/reduce/pca.ts';

test('pca: points on a line in 3-D are recovered as that line', () => {
  // x = t * (1, 2, 2) / 3 + (5, 5, 5), t = -2..2: one direction, unit vector (1/3, 2/3, 2/3).
  const ts = [-2, -1, 0, 1, 2];
  const x = ts.map((t) => [5 + t / 3, 5 + (2 * t) / 3, 5 + (2 * t) / 3]);
  const m = pcaFit(x, { nComponents: 1 });
  // The component is the line's direction (sign: largest coefficient positive).
  assert.deepEqual(Array.from(m.components[0], (v) => Math.round(v * 1e6) / 1e6), [0.333333, 0.666667, 0.666667]);
  // All the variance is along it: var(t) with denominator n - 1 = 10 / 4 = 2.5.
  assert.ok(Math.abs(m.explainedVariance[0] - 2.5) < 1e-9);
  assert.ok(Math.abs(m.explainedVarianceRatio[0] - 1) < 1e-9);
  // The projection is the position t along the line.
  assert.deepEqual(m.transform(x).map((r) => Math.round(r[0] * 1e9) / 1e9), ts);
  assert.deepEqual(Array.from(m.mean), [5, 5, 5]);
});

test('pca: hand-worked 2-D case (variances 4 along x, 1 along y)', () => {
  // Points (+-2, 0) and (0, +-1): covariance diag(8/3, 2/3); first component x, second y.
  const x = [[2, 0], [-2, 0], [0, 1], [0, -1]];
  const m = pcaFit(x);
  assert.deepEqual(m.components.map((c) => Array.from(c, (v) => Math.round(v * 1e9) / 1e9 + 0)), [[1, 0], [0, 1]]);
  assert.deepEqual(m.explainedVariance.map((v) => Math.round(v * 1e9) / 1e9), [8 / 3, 2 / 3].map((v) => Math.round(v * 1e9) / 1e9));
  assert.deepEqual(m.explainedVarianceRatio.map((v) => Math.round(v * 1e9) / 1e9), [0.8, 0.2]);
  assert.deepEqual(pca(x).map((r) => r.map((v) => Math.round(v * 1e9) / 1e9 + 0)), [[2, 0], [-2, 0], [0, 1], [0, -1]]);
});

test('pca: deterministic, independent of row order, input not modified', () => {
  const x = Array.from({ length: 50 }, (_, i) => Float32Array.from({ length: 8 }, (_, j) => Math.sin(i * 1.7 + j * 0.3) + (j === 2 ? i * 0.1 : 0)));
  const copy = x.map((r) => Float32Array.from(r));
  const a = pca(x);
  const b = pca(x);
  assert.deepEqual(a, b);
  assert.deepEqual(x, copy);
  const reversed = pca([...x].reverse()).reverse();
  a.forEach((r, i) => r.forEach((v, c) => assert.ok(Math.abs(v - reversed[i][c]) < 1e-6, `row ${i}`)));
});

test('pca: degenerate inputs', () => {
  assert.deepEqual(pca([]), []);
  // One point: projected to the origin; constant data: zero variance, ratio 0 (not NaN).
  assert.deepEqual(pca([[1, 2, 3]]), [[0, 0]]);
  const m = pcaFit([[1, 1], [1, 1], [1, 1]]);
  assert.deepEqual(m.explainedVarianceRatio, [0, 0]);
  assert.deepEqual(m.transform([[1, 1]]), [[0, 0]]);
});

test('pca: bad arguments are rejected with the parameter named', () => {
  const table: [unknown, unknown, string][] = [
    [[[1, 2]], { nComponents: 3 }, 'pca: nComponents must be an integer >= 1 and <= 2, got 3.'],
    [[[1, 2]], { nComponents: 0 }, 'pca: nComponents must be an integer >= 1 and <= 2, got 0.'],
    [[[1, 2]], { nComponents: 1.5 }, 'pca: nComponents must be an integer >= 1 and <= 2, got 1.5.'],
    [[[1, 2]], { k: 2 }, 'pca: unknown option "k"; valid options are nComponents.'],
    [[[1, 2], [1]], {}, 'pca: x[1] must have length 2 like x[0], got 1.'],
    [[[1, NaN]], {}, 'pca: x[0][1] must be a finite number, got NaN.'],
    ['abc', {}, 'pca: x must be an array of vectors, got "abc".'],
  ];
  for (const [x, o, msg] of table) assert.throws(() => pca(x as number[][], o as never), { message: msg });
  assert.throws(() => pcaFit([]), { message: 'pcaFit: x must be a non-empty array of vectors, got [].' });
  assert.equal(PCA_DEFAULTS.nComponents, 2);
});
