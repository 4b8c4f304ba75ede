// Hand-worked cases for every metric, noise handling, degenerate inputs and bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bcubedScores, contingencyTable, countClusters, evaluateClustering, majorityPurity, pairwiseScores, singletonShare,
} from '../../lib/index.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12, `${a} != ${b}`);

// pred [0,0,1,1,1] vs truth [a,a,a,b,b]. Cells: (0,a)=2, (1,a)=1, (1,b)=2.
const P = [0, 0, 1, 1, 1];
const T = ['a', 'a', 'a', 'b', 'b'];

test('contingency table of the toy case', () => {
  const c = contingencyTable(P, T);
  assert.equal(c.n, 5);
  assert.deepEqual([...c.predSizes], [2, 3]);
  assert.deepEqual([...c.truthSizes], [3, 2]);
  assert.deepEqual([...c.cellPred], [0, 1, 1]);
  assert.deepEqual([...c.cellTruth], [0, 0, 1]);
  assert.deepEqual([...c.cellCount], [2, 1, 2]);
});

test('pairwise scores, hand-worked', () => {
  // Same-cluster pairs: C(2,2) + C(3,2) = 4; same-person pairs: C(3,2) + C(2,2) = 4.
  // Both: C(2,2) [the two a's in cluster 0] + C(2,2) [the two b's in cluster 1] = 2.
  const s = pairwiseScores(P, T);
  close(s.precision, 2 / 4);
  close(s.recall, 2 / 4);
  close(s.f1, 0.5);
});

test('BCubed scores, hand-worked', () => {
  // Precision per face: cluster 0 = {a,a}: 1, 1; cluster 1 = {a,b,b}: 1/3, 2/3, 2/3. Mean = (2 + 5/3)/5 = 11/15.
  // Recall per face: a's in cluster 0: 2/3, 2/3; a in cluster 1: 1/3; b's: 1, 1. Mean = (4/3 + 1/3 + 2)/5 = 11/15.
  const s = bcubedScores(P, T);
  close(s.precision, 11 / 15);
  close(s.recall, 11 / 15);
  close(s.f1, 11 / 15);
});

test('majority purity and singleton share, hand-worked', () => {
  // Cluster 0: majority a 2/2 = 1; cluster 1: majority b 2/3. Mean over the two clusters: 5/6.
  close(majorityPurity(P, T), 5 / 6);
  // Singletons (clusters of 1) are left out: adding a lone wrong face does not change it.
  close(majorityPurity([...P, 2], [...T, 'c']), 5 / 6);
  // One-face people: a and b. a is alone in cluster 0, b shares cluster 1 with c: 1/2.
  close(singletonShare([0, 1, 1, 2], ['a', 'b', 'c', 'c']), 0.5);
  // Noise leaves faces alone: both one-face people count as singletons.
  close(singletonShare([-1, -1, 0, 0], ['a', 'b', 'c', 'c']), 1);
  // Nobody has one face: undefined.
  assert.ok(Number.isNaN(singletonShare(P, T)));
});

test('noise (-1) is one cluster per point, not one cluster', () => {
  // pred [0,0,-1,-1] vs truth [a,a,b,b]: the two b's are noise, i.e. two singletons.
  // Pairwise: predicted pairs 1 (the a's, right), true pairs 2 -> precision 1, recall 1/2, F 2/3.
  // (If noise were one cluster, this would be a perfect clustering.)
  const m = evaluateClustering([0, 0, -1, -1], ['a', 'a', 'b', 'b']);
  close(m.pairwisePrecision, 1);
  close(m.pairwiseRecall, 0.5);
  close(m.pairwiseF1, 2 / 3);
  // BCubed recall: a's 1, 1; b's 1/2, 1/2 -> 3/4; precision 1; F = 2 * 3/4 / (7/4) = 6/7.
  close(m.bcubedPrecision, 1);
  close(m.bcubedRecall, 0.75);
  close(m.bcubedF1, 6 / 7);
  assert.equal(m.nClusters, 1);
  assert.equal(m.nNoise, 2);
  assert.equal(m.nIdentities, 2);
  // All noise: nothing merged (precision 1), no same-person pair found (recall 0).
  const all = evaluateClustering([-1, -1, -1], [1, 1, 1]);
  close(all.pairwisePrecision, 1);
  close(all.pairwiseRecall, 0);
  close(all.pairwiseF1, 0);
  assert.equal(all.nClusters, 0);
  assert.equal(all.nNoise, 3);
});

test('the trivial clusterings: one cluster for all, and all singletons', () => {
  // 4 faces, people {a,a,b,b}.
  const one = evaluateClustering([0, 0, 0, 0], ['a', 'a', 'b', 'b']);
  close(one.pairwisePrecision, 2 / 6); // 6 predicted pairs, 2 right
  close(one.pairwiseRecall, 1);
  close(one.bcubedPrecision, 0.5); // every face: half its cluster is its person
  close(one.bcubedRecall, 1);
  close(one.homogeneity, 0);
  close(one.completeness, 1);
  close(one.nmi, 0); // no information
  close(one.ari, 0); // chance level
  const singles = evaluateClustering([0, 1, 2, 3], ['a', 'a', 'b', 'b']);
  close(singles.pairwisePrecision, 1); // no predicted pair: nothing wrongly merged
  close(singles.pairwiseRecall, 0);
  close(singles.bcubedPrecision, 1);
  close(singles.bcubedRecall, 0.5);
  close(singles.homogeneity, 1);
});

test('degenerate n = 0 and n = 1', () => {
  for (const m of [evaluateClustering([], []), evaluateClustering([3], ['x']), evaluateClustering([-1], ['x'])]) {
    // Nothing can be wrong: every score is 1 (as scikit-learn does for NMI, ARI and V-measure).
    for (const k of ['pairwiseF1', 'bcubedF1', 'nmi', 'ari', 'vMeasure', 'homogeneity', 'completeness'] as const) assert.equal(m[k], 1, k);
    assert.ok(Number.isNaN(m.majorityPurity)); // no cluster of two faces
  }
  assert.equal(evaluateClustering([], []).n, 0);
  assert.equal(evaluateClustering([], []).nClusters, 0);
  assert.ok(Number.isNaN(evaluateClustering([], []).singletonShare));
  assert.equal(evaluateClustering([3], ['x']).singletonShare, 1); // one one-face person, alone
});

test('inputs are not modified; typed arrays and strings are accepted', () => {
  const p = Int32Array.from([0, 0, -1, 1]);
  const t = ['a', 'a', 'b', 'b'];
  evaluateClustering(p, t);
  assert.deepEqual([...p], [0, 0, -1, 1]);
  assert.deepEqual(t, ['a', 'a', 'b', 'b']);
  assert.deepEqual(evaluateClustering(p, t), evaluateClustering([5, 5, -1, 9], Int32Array.from([2, 2, 7, 7])));
});

test('countClusters counts clusters and noise without a truth', () => {
  assert.deepEqual(countClusters(Int32Array.from([0, 2, 2, -1, 5, -1])), { nClusters: 3, nNoise: 2 });
  assert.deepEqual(countClusters([]), { nClusters: 0, nNoise: 0 });
});

test('bad arguments name the function, the parameter and the value', () => {
  const cases: [() => unknown, string][] = [
    [() => evaluateClustering([0, 1], [0]), 'evaluateClustering: truth must have one label per predicted label (2), got length 1.'],
    [() => evaluateClustering([0, 1.5], [0, 0]), 'evaluateClustering: pred[1] must be an integer >= -1 (-1 is noise) or a string, got 1.5.'],
    [() => evaluateClustering([0, -2], [0, 0]), 'evaluateClustering: pred[1] must be an integer >= -1 (-1 is noise) or a string, got -2.'],
    [() => evaluateClustering([0, 0], [0, null as never]), 'evaluateClustering: truth[1] must be an integer >= -1 (-1 is noise) or a string, got null.'],
    [() => evaluateClustering(undefined as never, [0]), 'evaluateClustering: pred must be an array of labels, got undefined.'],
    [() => pairwiseScores([0], [0, 1]), 'pairwiseScores: truth must have one label per predicted label (1), got length 2.'],
    [() => bcubedScores([NaN], [0]), 'bcubedScores: pred[0] must be an integer >= -1 (-1 is noise) or a string, got NaN.'],
  ];
  for (const [call, message] of cases) assert.throws(call, { name: 'FaceclusterError', message });
});
