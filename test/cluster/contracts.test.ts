/**
 * Contracts every clustering function keeps: degenerate inputs (n = 0, 1, all duplicates), bad options with
 * their exact messages, input never modified, same seed same output; plus the registry, pruneSmallClusters,
 * cutTree and kmeansSteps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans, kmeansSteps } from '../../lib/cluster/kmeans.ts';
import { dbscan } from '../../lib/cluster/dbscan.ts';
import { chineseWhispers } from '../../lib/cluster/chinese-whispers.ts';
import { rankOrder } from '../../lib/cluster/rank-order.ts';
import { approximateRankOrder } from '../../lib/cluster/approximate-rank-order.ts';
import { agglomerative, cutTree, linkageTree } from '../../lib/cluster/agglomerative.ts';
import { affinityPropagation } from '../../lib/cluster/affinity-propagation.ts';
import { pruneSmallClusters } from '../../lib/cluster/prune.ts';
import { clusterAuto } from '../../lib/cluster/auto.ts';
import { CLUSTER_METHODS, CLUSTER_METHOD_NAMES, clusterBy } from '../../lib/cluster/registry.ts';
import type { ClusterResult } from '../../lib/types.ts';
import { assertSamePartition, blobs, rows } from './_helpers.ts';

type Fn = (x: Float32Array[], o?: Record<string, unknown>) => ClusterResult;
const METHODS: Record<string, Fn> = {
  kmeans: kmeans as Fn, dbscan: dbscan as Fn, chineseWhispers: chineseWhispers as Fn, rankOrder: rankOrder as Fn,
  approximateRankOrder: approximateRankOrder as Fn, agglomerative: agglomerative as Fn, affinityPropagation: affinityPropagation as Fn,
  clusterAuto: clusterAuto as Fn,
};

test('n = 0: every method returns no labels and no clusters', () => {
  for (const [name, f] of Object.entries(METHODS)) {
    const r = f([]);
    assert.equal(r.labels.length, 0, name);
    assert.equal(r.nClusters, 0, name);
  }
});

test('n = 1: one cluster (DBSCAN with minSamples 2: noise)', () => {
  const x = rows([[0.5, 0.5]]);
  for (const [name, f] of Object.entries(METHODS)) {
    const r = f(x, name === 'kmeans' ? { nClusters: 1 } : undefined);
    if (name === 'dbscan') {
      assert.deepEqual(Array.from(r.labels), [-1]); // its neighbourhood holds 1 point < minSamples 2
      assert.match(r.warnings.join(), /every point is noise/);
    } else {
      assert.deepEqual(Array.from(r.labels), [0], name);
      assert.equal(r.nClusters, 1, name);
    }
  }
  assert.deepEqual(Array.from(dbscan(x, { minSamples: 1 }).labels), [0]); // min_samples counts the point itself
});

test('all duplicates: one cluster (affinity propagation with the median preference: every point its own, as scikit-learn)', () => {
  const x = rows(Array.from({ length: 6 }, () => [0.1, -0.2, 0.3]));
  for (const [name, f] of Object.entries(METHODS)) {
    const r = f(x, name === 'kmeans' ? { nClusters: 1 } : undefined);
    if (name === 'affinityPropagation') {
      // all similarities 0 > preference -0.3 -> scikit-learn's degenerate case: one cluster, with a warning
      assert.deepEqual(Array.from(r.labels), [0, 0, 0, 0, 0, 0]);
      assert.match(r.warnings.join(), /equal similarities/);
      // preference 'median' = 0 = every similarity -> each point its own cluster
      assert.equal(affinityPropagation(x, { preference: 'median' }).nClusters, 6);
    } else {
      assert.deepEqual(Array.from(r.labels), [0, 0, 0, 0, 0, 0], name);
    }
  }
});

test('well-separated blobs: every method finds them', () => {
  const { x, truth } = blobs(15, [[0, 0, 0], [3, 0, 0], [0, 3, 0]], 0.05, 7);
  const opts: Record<string, Record<string, unknown>> = {
    kmeans: { nClusters: 3 }, dbscan: { eps: 0.5 }, chineseWhispers: { threshold: 0.5 }, rankOrder: { k: 10, normalizedThreshold: 2 },
    approximateRankOrder: { k: 5, maxDistance: 0.5 }, agglomerative: { distanceThreshold: 1 }, affinityPropagation: { preference: -5 },
    clusterAuto: {},
  };
  for (const [name, f] of Object.entries(METHODS)) assertSamePartition(f(x, opts[name]).labels, truth, name);
});

const x2 = rows([[0, 0], [1, 1]]);
const BAD: [string, Fn, unknown, string][] = [
  ['kmeans', METHODS.kmeans, { nClusters: 0 }, 'kmeans: nClusters must be an integer >= 1, got 0.'],
  ['kmeans', METHODS.kmeans, { nClusters: 3 }, 'kmeans: nClusters must be <= the number of points (2), got 3.'],
  ['kmeans', METHODS.kmeans, { nInit: 1.5 }, 'kmeans: nInit must be an integer >= 1, got 1.5.'],
  ['kmeans', METHODS.kmeans, { tol: -1 }, 'kmeans: tol must be a finite number >= 0, got -1.'],
  ['kmeans', METHODS.kmeans, { nClusters: 1, init: 'best' }, 'kmeans: init must be "k-means++", "random" or an array of nClusters Float32Array rows, got "best".'],
  ['kmeans', METHODS.kmeans, { nClusters: 1, init: [new Float32Array(3)] }, 'kmeans: init[0] must be a Float32Array of 2 finite numbers, got Float32Array of length 3.'],
  ['kmeans', METHODS.kmeans, { seed: -1 }, 'kmeans: seed must be an integer >= 0 and <= 4294967295, got -1.'],
  ['dbscan', METHODS.dbscan, { eps: 0 }, 'dbscan: eps must be a finite number > 0, got 0.'],
  ['dbscan', METHODS.dbscan, { minSamples: 0 }, 'dbscan: minSamples must be an integer >= 1, got 0.'],
  ['dbscan', METHODS.dbscan, { metric: 'manhattan' }, 'dbscan: metric must be one of "euclidean", "cosine", got "manhattan".'],
  ['dbscan', METHODS.dbscan, { epsilon: 1 }, 'dbscan: unknown option "epsilon"; valid options are eps, minSamples, metric.'],
  ['chineseWhispers', METHODS.chineseWhispers, { threshold: -0.1 }, 'chineseWhispers: threshold must be a finite number > 0, got -0.1.'],
  ['chineseWhispers', METHODS.chineseWhispers, { iterations: 0 }, 'chineseWhispers: iterations must be an integer >= 1, got 0.'],
  ['chineseWhispers', METHODS.chineseWhispers, { weighting: 'log' }, 'chineseWhispers: weighting must be one of "unit", "similarity", got "log".'],
  ['rankOrder', METHODS.rankOrder, { k: 0 }, 'rankOrder: k must be an integer >= 1, got 0.'],
  ['rankOrder', METHODS.rankOrder, { rankThreshold: NaN }, 'rankOrder: rankThreshold must be a finite number > 0, got NaN.'],
  ['rankOrder', METHODS.rankOrder, { normalizedThreshold: 0 }, 'rankOrder: normalizedThreshold must be a finite number > 0, got 0.'],
  ['rankOrder', METHODS.rankOrder, { knnMethod: 'faiss' }, 'rankOrder: knnMethod must be one of "auto", "exact", "hnsw", "ivf", got "faiss".'],
  ['approximateRankOrder', METHODS.approximateRankOrder, { k: 2.5 }, 'approximateRankOrder: k must be an integer >= 1, got 2.5.'],
  ['approximateRankOrder', METHODS.approximateRankOrder, { threshold: 0 }, 'approximateRankOrder: threshold must be a finite number > 0, got 0.'],
  ['approximateRankOrder', METHODS.approximateRankOrder, { maxDistance: -1 }, 'approximateRankOrder: maxDistance must be a finite number > 0, got -1.'],
  ['agglomerative', METHODS.agglomerative, { linkage: 'median' }, 'agglomerative: linkage must be one of "single", "complete", "average", "ward", got "median".'],
  ['agglomerative', METHODS.agglomerative, { linkage: 'ward', metric: 'cosine' }, 'agglomerative: metric must be "euclidean" for linkage "ward", got "cosine".'],
  ['agglomerative', METHODS.agglomerative, { nClusters: 2, distanceThreshold: 0.5 }, 'agglomerative: set exactly one of nClusters and distanceThreshold, got nClusters=2 and distanceThreshold=0.5.'],
  ['agglomerative', METHODS.agglomerative, { distanceThreshold: null }, 'agglomerative: set exactly one of nClusters and distanceThreshold, got neither.'],
  ['agglomerative', METHODS.agglomerative, { nClusters: 3 }, 'agglomerative: nClusters must be <= the number of points (2), got 3.'],
  ['agglomerative', METHODS.agglomerative, { distanceThreshold: -1 }, 'agglomerative: distanceThreshold must be a finite number >= 0, got -1.'],
  ['affinityPropagation', METHODS.affinityPropagation, { damping: 0.3 }, 'affinityPropagation: damping must be a finite number >= 0.5 and <= 0.999999, got 0.3.'],
  ['affinityPropagation', METHODS.affinityPropagation, { preference: 'mean' }, 'affinityPropagation: preference must be a finite number, got "mean".'],
  ['affinityPropagation', METHODS.affinityPropagation, { convergenceIter: 0 }, 'affinityPropagation: convergenceIter must be an integer >= 1, got 0.'],
  ['clusterAuto', METHODS.clusterAuto, { criterion: 'nmi' }, 'clusterAuto: criterion must be one of "bcubed", "pairwise", got "nmi".'],
  ['clusterAuto', METHODS.clusterAuto, { neighbors: 0 }, 'clusterAuto: neighbors must be an integer >= 1, got 0.'],
  ['clusterAuto', METHODS.clusterAuto, { cuts: 1 }, 'clusterAuto: cuts must be an integer >= 2 and <= 100000, got 1.'],
  ['clusterAuto', METHODS.clusterAuto, { sampleFaces: 5 }, 'clusterAuto: sampleFaces must be an integer >= 10, got 5.'],
  ['clusterAuto', METHODS.clusterAuto, { knn: 'faiss' }, 'clusterAuto: knn must be one of "auto", "exact", "hnsw", "ivf", got "faiss".'],
  ['clusterAuto', METHODS.clusterAuto, { differentDf: 0 }, 'clusterAuto: differentDf must be a number > 0 (Infinity: a normal), got 0.'],
  ['clusterAuto', METHODS.clusterAuto, { threshold: 0.5 }, 'clusterAuto: unknown option "threshold"; valid options are criterion, neighbors, cuts, maxPairs, sampleFaces, knn, seed, sameSpreadCap, space, sameReference, beta, weakBeta, differentDf.'],
  ['clusterAuto', METHODS.clusterAuto, { sameSpreadCap: 0 }, 'clusterAuto: sameSpreadCap must be a finite number > 0, got 0.'],
];
for (const [name, f, options, message] of BAD) {
  test(`${name} rejects ${JSON.stringify(options)}`, () => {
    assert.throws(() => f(x2, options as Record<string, unknown>), (e: Error) => { assert.equal(e.message, message); return true; });
  });
}

const BAD_X: [unknown, string][] = [
  [5, 'x must be an array of Float32Array rows, got 5.'],
  [[[1, 2]], 'x[0] must be a Float32Array, got [1,2].'],
  [[new Float32Array(0)], 'x[0].length must be >= 1, got 0.'],
  [[new Float32Array(2), new Float32Array(3)], 'x[1].length must be 2 (the length of x[0]), got 3.'],
  [[Float32Array.of(0, NaN)], 'x[0][1] must be a finite number, got NaN.'],
];
for (const [name, f] of Object.entries(METHODS)) {
  test(`${name} rejects malformed input with the parameter named`, () => {
    for (const [x, msg] of BAD_X) assert.throws(() => f(x as Float32Array[], name === 'kmeans' ? { nClusters: 1 } : undefined), (e: Error) => e.message === `${name}: ${msg}`);
  });
}

test('cosine metric rejects a zero vector', () => {
  assert.throws(() => dbscan([Float32Array.of(0, 0), Float32Array.of(1, 0)], { metric: 'cosine' }), /dbscan: x\[0\] must be a non-zero vector for metric "cosine"/);
});

test('input is never modified, and the same seed gives the same output', () => {
  const { x } = blobs(20, [[0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]], 0.3, 3);
  const before = x.map((r) => Float32Array.from(r));
  for (const name of CLUSTER_METHOD_NAMES) {
    const o: Record<string, unknown> = name === 'kmeans' ? { nClusters: 3, seed: 5 } : name === 'chinese-whispers' ? { seed: 5 } : {};
    const a = clusterBy(name, x, o);
    const b = clusterBy(name, x, o);
    assert.deepEqual(a.labels, b.labels, name);
    x.forEach((r, i) => assert.deepEqual(r, before[i], `${name} modified x[${i}]`));
  }
  // approximate rank-order through HNSW: seeded too
  const h1 = approximateRankOrder(x, { knnMethod: 'hnsw', seed: 3, maxDistance: 1 });
  const h2 = approximateRankOrder(x, { knnMethod: 'hnsw', seed: 3, maxDistance: 1 });
  assert.deepEqual(h1.labels, h2.labels);
  // an explicit kmeans init is copied, not kept or modified
  const init = [x[0], x[20], x[40]].map((r) => Float32Array.from(r));
  const initCopy = init.map((r) => Float32Array.from(r));
  kmeans(x, { nClusters: 3, init });
  assert.deepEqual(init, initCopy);
});

test('kmeans: different seeds may differ, restarts keep the lowest inertia', () => {
  const { x } = blobs(10, [[0, 0], [2, 0], [0, 2], [2, 2], [1, 1]], 0.4, 9);
  const one = kmeans(x, { nClusters: 5, nInit: 1, seed: 1 });
  const many = kmeans(x, { nClusters: 5, nInit: 8, seed: 1 });
  assert.ok(many.inertia <= one.inertia + 1e-9); // run 0 of nInit 8 is the nInit 1 run
});

test('kmeansSteps yields every Lloyd iteration and ends where kmeans ends', () => {
  const { x } = blobs(10, [[0, 0], [3, 0]], 0.5, 2);
  const init = [x[0], x[1]];
  const steps = [...kmeansSteps(x, { nClusters: 2, init })];
  assert.ok(steps.length >= 2);
  steps.forEach((s, i) => assert.equal(s.iteration, i + 1));
  assert.equal(steps.at(-1)!.converged, true);
  assert.ok(steps.slice(0, -1).every((s) => !s.converged));
  const r = kmeans(x, { nClusters: 2, init });
  assert.deepEqual(steps.at(-1)!.labels, r.labels);
  assert.equal(r.nIter, steps.length);
});

test('pruneSmallClusters: hand-worked', () => {
  // clusters 0 (3 faces), 1 (1 face), 2 (2 faces), noise: minSize 2 -> cluster 1 becomes noise, 2 becomes 1
  const r = pruneSmallClusters({ labels: Int32Array.from([0, 1, 0, 2, -1, 2, 0]), nClusters: 3, warnings: [] }, 2);
  assert.deepEqual(Array.from(r.labels), [0, -1, 0, 1, -1, 1, 0]);
  assert.equal(r.nClusters, 2);
  // minSize 4: everything is noise, with a warning
  const all = pruneSmallClusters({ labels: Int32Array.from([0, 0, 1]), nClusters: 2, warnings: [] }, 4);
  assert.deepEqual(Array.from(all.labels), [-1, -1, -1]);
  assert.match(all.warnings.join(), /every point is noise/);
  assert.throws(() => pruneSmallClusters({ labels: new Int32Array(0), nClusters: 0, warnings: [] }, 0), /pruneSmallClusters: minSize must be an integer >= 1, got 0\./);
});

test('linkageTree / cutTree: hand-worked single linkage on a line', () => {
  // 0, 1, 3, 7: single-linkage merges at heights 1 ({0,1}), 2 ({0,1} + 3), 4 (+ 7)
  const tree = linkageTree(rows([[0], [1], [3], [7]]), { linkage: 'single' });
  assert.deepEqual(Array.from(tree.height), [1, 2, 4]);
  assert.deepEqual(Array.from(tree.size), [2, 3, 4]);
  // scipy layout: merge 0 joins leaves 0 and 1 into node 4; merge 1 joins leaf 2 and node 4
  assert.deepEqual([tree.left[0], tree.right[0], tree.left[1], tree.right[1]], [0, 1, 2, 4]);
  // cut strictly below the threshold (scikit-learn): 2 -> {0,1} {3} {7}; 2.0001 -> {0,1,3} {7}
  assertSamePartition(cutTree(tree, { distanceThreshold: 2 }).labels, [0, 0, 1, 2]);
  assertSamePartition(cutTree(tree, { distanceThreshold: 2.0001 }).labels, [0, 0, 0, 1]);
  assertSamePartition(cutTree(tree, { nClusters: 2 }).labels, [0, 0, 0, 1]);
  assert.throws(() => cutTree(tree, {}), /cutTree: set exactly one of nClusters and distanceThreshold, got neither\./);
  assert.throws(() => cutTree(tree, { nClusters: 5 }), /cutTree: nClusters must be an integer >= 1 and <= 4, got 5\./);
});

test('registry: every CLI name maps to its function, defaults and a sweep over one of its options', () => {
  assert.deepEqual([...CLUSTER_METHOD_NAMES], ['auto', 'kmeans', 'dbscan', 'chinese-whispers', 'rank-order', 'approximate-rank-order', 'agglomerative', 'affinity-propagation']);
  for (const name of CLUSTER_METHOD_NAMES) {
    const m = CLUSTER_METHODS[name];
    assert.equal(m.name, name);
    assert.ok(Object.isFrozen(m.defaults), `${name} defaults frozen`);
    assert.ok(m.sweep.parameter in m.defaults, `${name}: sweep parameter ${m.sweep.parameter} is an option`);
    const v = m.sweep.values;
    assert.ok(v.length >= 5 && v.every((a, i) => i === 0 || a > v[i - 1]), `${name}: ascending sweep values`);
    const d = (m.defaults as Record<string, unknown>)[m.sweep.parameter];
    if (typeof d === 'number' && name !== 'kmeans') assert.ok(d >= v[0] && d <= v[v.length - 1], `${name}: default ${d} inside the sweep range`);
  }
  assert.throws(() => clusterBy('hdbscan', []), (e: Error) => e.message === 'clusterBy: method must be one of "auto", "kmeans", "dbscan", "chinese-whispers", "rank-order", "approximate-rank-order", "agglomerative", "affinity-propagation", got "hdbscan".');
});
