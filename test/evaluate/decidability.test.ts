import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidability } from '../../lib/evaluate/decidability.ts';

test("decidability: d' worked by hand on 4 points of a line", () => {
  // points 0, 1 (person a) and 10, 11 (person b): same distances 1, 1 (mean 1, variance 0);
  // different 10, 11, 9, 10 (mean 10, variance 0.5): d' = (10 - 1) / sqrt((0 + 0.5) / 2) = 18
  const x = [0, 1, 10, 11].map((v) => Float32Array.of(v));
  const r = decidability(x, ['a', 'a', 'b', 'b']);
  assert.equal(r.nSamePairs, 2);
  assert.equal(r.nDifferentPairs, 4);
  assert.ok(Math.abs(r.sameMean - 1) < 1e-12 && Math.abs(r.differentMean - 10) < 1e-12);
  assert.ok(Math.abs(r.dPrime - 18) < 1e-9, `d' ${r.dPrime}`);
  // cosine: a = (1, 0), (1, 0); b = (0, 1), (0, 2): same 0, 0; different 1 x 4 -> both variances 0 -> d' infinite
  const c = decidability([Float32Array.of(1, 0), Float32Array.of(2, 0), Float32Array.of(0, 1), Float32Array.of(0, 2)], [0, 0, 1, 1], { metric: 'cosine' });
  assert.deepEqual([c.sameMean, c.differentMean, c.dPrime], [0, 1, Infinity]);
  // one kind of pair missing: NaN
  assert.ok(Number.isNaN(decidability(x, ['a', 'b', 'c', 'd']).dPrime));
});

test('decidability: bad input names the parameter', () => {
  assert.throws(() => decidability([Float32Array.of(1)], [0, 1]), /decidability: labels must have one entry per embedding \(1\), got 2\./);
  assert.throws(() => decidability([Float32Array.of(1), Float32Array.of(1, 2)], [0, 1]), /decidability: embeddings\[1\] must have length 1, got 2\./);
  assert.throws(() => decidability([], [], { metric: 'manhattan' as never }), /decidability: metric must be one of "euclidean", "cosine"/);
});
