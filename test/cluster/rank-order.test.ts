/** Hand-worked rank-order (Zhu et al., CVPR 2011) and approximate rank-order (Otto et al., TPAMI 2018) cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankOrder, rankOrderDistance } from '../../lib/cluster/rank-order.ts';
import { approximateRankOrder, approximateRankOrderDistances } from '../../lib/cluster/approximate-rank-order.ts';
import type { KnnGraph } from '../../lib/cluster/_knn.ts';
import { assertSamePartition, rows } from './_helpers.ts';

const A = 0, B = 1, C = 2, X = 7, Y = 8, Z = 9;

test('rankOrderDistance: Zhu et al. d(a,b) = sum_{i<=O_a(b)} O_b(f_a(i)), D = (d(a,b)+d(b,a)) / min(O_a(b), O_b(a))', () => {
  // L_a = [a, b, c], L_b = [b, c, a]: O_a(b) = 1, O_b(a) = 2.
  // d(a,b) = O_b(a) + O_b(b) = 2 + 0 = 2; d(b,a) = O_a(b) + O_a(c) + O_a(a) = 1 + 2 + 0 = 3; D = 5 / min(1, 2) = 5
  assert.equal(rankOrderDistance([A, B, C], [B, C, A]), 5);
  // mutual first neighbours with different others: L_a = [a, b, x], L_b = [b, a, y]:
  // d(a,b) = O_b(a) + O_b(b) = 1; d(b,a) = O_a(b) + O_a(a) = 1; D = 2 / 1 = 2
  assert.equal(rankOrderDistance([A, B, X], [B, A, Y]), 2);
  // a absent from b's list counts as rank K = 3: L_a = [a, x, b], L_b = [b, y, z]
  // d(a,b) = O_b(a) + O_b(x) + O_b(b) = 3 + 3 + 0 = 6; d(b,a) over all of L_b = O_a(b) + O_a(y) + O_a(z) = 2 + 3 + 3 = 8
  // D = 14 / min(O_a(b) = 2, O_b(a) = 3) = 7
  assert.equal(rankOrderDistance([A, X, B], [B, Y, Z]), 7);
  // symmetric
  assert.equal(rankOrderDistance([B, C, A], [A, B, C]), 5);
});

// 1-D faces: group A at 0, 0.1, 0.25 and group B at 5, 5.1, 5.25; k = 2 (each face's neighbours are its group).
const toy = rows([[0], [0.1], [0.25], [5], [5.1], [5.25]]);

test('rankOrder: hand-worked two rounds of cluster-level merging', () => {
  // Round 1, lists L0 = [0,1,2], L1 = [1,0,2], L2 = [2,1,0]:
  //   D^R(0,1) = (O_1(0) + O_1(1) + O_0(1) + O_0(0)) / 1 = (1 + 0 + 1 + 0) / 1 = 2
  //   D^R(0,2) = ((2+1+0) + (2+1+0)) / 2 = 3;  D^R(1,2) = ((1+2+0) + (2+0)) / min(2, 1) = 5
  //   densities (mean distance to 2 NN): f0 = 0.175, f1 = 0.125, f2 = 0.2
  //   D^N(0,1) = 0.1 / 0.15 = 0.67;  D^N(0,2) = 0.25 / 0.1875 = 1.33;  D^N(1,2) = 0.15 / 0.1625 = 0.92
  //   with rankThreshold 4: only (0,1) passes both (D^R < 4, D^N < 1) -> {0,1} {2}; same for B -> {3,4} {5}
  // Round 2: {0,1} and {2} are each other's only listed cluster: D^R = (1 + 0 + 1 + 0) / 1 = 2,
  //   D^N = 0.15 (closest pair 1-2) / mean(0.175, 0.125, 0.2) = 0.9 -> merge; same for B.
  // Round 3: no kNN edge joins A and B -> nothing to merge, stop.
  const r = rankOrder(toy, { k: 2, rankThreshold: 4 });
  assertSamePartition(r.labels, [0, 0, 0, 1, 1, 1]);
  assert.equal(r.nClusters, 2);
});

test('rankOrder: each threshold can stop the merging', () => {
  // rankThreshold 1.5 < D^R(0,1) = 2: no pair merges
  assertSamePartition(rankOrder(toy, { k: 2, rankThreshold: 1.5 }).labels, [0, 1, 2, 3, 4, 5]);
  // normalizedThreshold 0.5 < D^N(0,1) = 0.67: no pair merges
  assertSamePartition(rankOrder(toy, { k: 2, rankThreshold: 4, normalizedThreshold: 0.5 }).labels, [0, 1, 2, 3, 4, 5]);
  // normalizedThreshold 0.8: round 1 merges {0,1} (0.67) and {3,4}; round 2 D^N = 0.9 >= 0.8 stops
  assertSamePartition(rankOrder(toy, { k: 2, rankThreshold: 4, normalizedThreshold: 0.8 }).labels, [0, 0, 1, 2, 2, 3]);
});

test('approximateRankOrderDistances: Otto et al. presence-only distance on hand-made lists (k = 2)', () => {
  // lists (self first): L0 = [0,1,2], L1 = [1,0,2], L2 = [2,1,0], L3 = [3,4,2], L4 = [4,3,2]
  const g: KnnGraph = {
    n: 5, k: 2,
    indices: Int32Array.from([1, 2, 0, 2, 1, 0, 4, 2, 3, 2]),
    distances: Float32Array.from([0.1, 0.25, 0.1, 0.15, 0.15, 0.25, 0.12, 0.75, 0.12, 0.87]),
  };
  const got = new Map<string, number>();
  const pairs = approximateRankOrderDistances(g);
  for (let e = 0; e < pairs.a.length; e++) got.set(`${pairs.a[e]}-${pairs.b[e]}`, pairs.distance[e]);
  // within {0,1,2} and {3,4}: every listed face is in the other's list -> d_m = 0 both ways -> D = 0
  for (const p of ['0-1', '0-2', '1-2', '3-4']) assert.equal(got.get(p), 0, p);
  // 2-3 (from 3's list, O_3(2) = 2; 3 absent from L2 so O_2(3) = K = 3):
  //   d(3,2) = [3 not in L2] + [4 not in L2] + [2 not in L2] = 1 + 1 + 0 = 2
  //   d(2,3) over all of L2 = [2 not in L3] + [1 not in L3] + [0 not in L3] = 0 + 1 + 1 = 2;  D = 4 / min(2, 3) = 2
  assert.equal(got.get('2-3'), 2);
  // 2-4 likewise: d(4,2) = 1 + 1 + 0 = 2, d(2,4) = 0 + 1 + 1 = 2, D = 2
  assert.equal(got.get('2-4'), 2);
  // every unordered listed pair exactly once
  assert.equal(pairs.a.length, 6);
});

test('approximateRankOrder: threshold and maxDistance decide the transitive merge', () => {
  // 1-D faces 0, 0.1, 0.25 | 1.0, 1.12 give exactly the lists above (k = 2)
  const x = rows([[0], [0.1], [0.25], [1.0], [1.12]]);
  // D < 1 only inside the groups -> {0,1,2} {3,4}
  assertSamePartition(approximateRankOrder(x, { k: 2, threshold: 1, maxDistance: Infinity }).labels, [0, 0, 0, 1, 1]);
  // D(2,3) = D(2,4) = 2 < 3 -> everything merges transitively
  assertSamePartition(approximateRankOrder(x, { k: 2, threshold: 3, maxDistance: Infinity }).labels, [0, 0, 0, 0, 0]);
  // ... unless the pairs are too far apart in the embedding: |0.25 - 1.0| = 0.75 > 0.5
  assertSamePartition(approximateRankOrder(x, { k: 2, threshold: 3, maxDistance: 0.5 }).labels, [0, 0, 0, 1, 1]);
  // D = 0 is not < threshold 0+: threshold must be > 0, and the strict "<" keeps D = 2 out at threshold 2
  assertSamePartition(approximateRankOrder(x, { k: 2, threshold: 2, maxDistance: Infinity }).labels, [0, 0, 0, 1, 1]);
});
