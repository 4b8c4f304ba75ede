/** pairDistances, clusterErrors (the display bundles are tested in display.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairDistances } from '../../lib/viz/pairs.ts';
import { clusterErrors } from '../../lib/viz/cluster-errors.ts';

test('pairDistances: hand-worked same and different pairs', () => {
  // Points on a line: a0 = 0, a1 = 1 (person 0), b0 = 10 (person 1), u = 5 unlabelled (-1, ignored).
  const e = [[0], [1], [10], [5]];
  const r = pairDistances(e, [0, 0, 1, -1], { maxPairs: 1000 });
  assert.deepEqual(r.same, [1]);
  // Different pairs are sampled (with repetition) from {a0-b0: 10, a1-b0: 9} only.
  assert.ok(r.different.length > 0 && r.different.every((d) => d === 10 || d === 9));
  // Cosine: orthogonal vectors are at distance 1, equal vectors at 0.
  const c = pairDistances([[1, 0], [2, 0], [0, 3]], [0, 0, 1], { metric: 'cosine' });
  assert.deepEqual(c.same, [0]);
  assert.ok(c.different.every((d) => Math.abs(d - 1) < 1e-12));
  // maxPairs caps both; same seed, same sample.
  const many = Array.from({ length: 40 }, (_, i) => [i]);
  const lab = many.map((_, i) => i % 2);
  const a = pairDistances(many, lab, { maxPairs: 7, seed: 3 });
  assert.equal(a.same.length, 7);
  assert.equal(a.different.length, 7);
  assert.deepEqual(pairDistances(many, lab, { maxPairs: 7, seed: 3 }), a);
  // One person only: no different pairs.
  assert.deepEqual(pairDistances([[0], [1]], [0, 0]).different, []);
  assert.throws(() => pairDistances([[0]], [0, 1]), { message: 'pairDistances: labels must have one entry per embedding (1), got 2.' });
});

test('clusterErrors: impure clusters and split people, worst first', () => {
  // truth:  A A A B B C C D
  // pred:   0 0 1 0 0 2 2 -1   -> cluster 0 = {A, A, B, B} (impure, 2 intruders), A split over 0 and 1,
  //                               D alone in noise: not split (one face); C intact.
  const truth = [0, 0, 0, 1, 1, 2, 2, 3];
  const pred = [0, 0, 1, 0, 0, 2, 2, -1];
  const { impure, split } = clusterErrors(pred, truth);
  assert.deepEqual(impure, [{ cluster: 0, size: 4, majority: 0, majorityCount: 2, members: [0, 1, 3, 4], intruders: 2 }]);
  assert.deepEqual(split, [{ identity: 0, size: 3, parts: [{ cluster: 0, members: [0, 1] }, { cluster: 1, members: [2] }] }]);
  // Two faces of a person both in noise: split (nothing holds them together).
  assert.deepEqual(clusterErrors([-1, -1], [5, 5]).split, [{ identity: 5, size: 2, parts: [{ cluster: -1, members: [0, 1] }] }]);
  // Perfect clustering: no errors; maxItems caps.
  assert.deepEqual(clusterErrors([1, 1, 0], [0, 0, 1]), { impure: [], split: [] });
  assert.equal(clusterErrors([0, 0, 0, 0], [0, 1, 2, 3], { maxItems: 0 }).impure.length, 0);
  assert.throws(() => clusterErrors([0], [0, 1]), { message: 'clusterErrors: truth must have one label per face (1), got 2.' });
});
