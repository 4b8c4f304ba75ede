/**
 * The fast paths of clusterAuto against the plain computations they replace: every cut's expected scores in one
 * pass (expectedScoreCurves) against cutTree + expectedScores per cut, the mixture's probability with its
 * constants worked out once against sameProbability, the sampled pair distances against rowDistance, and the
 * sparse mean-linkage tree against a plain reference implementation (sets of neighbours, a copy of every sum in
 * doubles), which must give the same tree bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cutTree, type MergeTree } from '../../lib/cluster/agglomerative.ts';
import { expectedScoreCurves, expectedScores, pairProbabilities, type ExpectedScores } from '../../lib/cluster/expected-scores.ts';
import { fitMixtureToDistances, sameProbability, sameProbabilityConstants, sameProbabilityFunction, samplePairDistances } from '../../lib/cluster/distance-mixture.ts';
import { meanLinkageTree } from '../../lib/cluster/_mean-linkage.ts';
import { Random, rowDistance, toMatrix, type Matrix } from '../../lib/cluster/_input.ts';
import { knnExact, type KnnGraph } from '../../lib/cluster/_knn.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import { blobs, rows } from './_helpers.ts';

/** The plain computation: cut the tree at each threshold, score the scored faces' labels from scratch. */
function fromScratch(m: Matrix, sample: Int32Array, reach: number, probability: (d: number) => number, tree: MergeTree, leaves: Int32Array | null, thresholds: number[]): ExpectedScores[] {
  const pp = pairProbabilities(m, sample, reach, probability);
  return thresholds.map((t) => {
    const labels = cutTree(tree, { distanceThreshold: t }).labels;
    return expectedScores(leaves ? Int32Array.from(leaves, (i) => labels[i]) : labels, pp);
  });
}

function assertSameScores(fast: ExpectedScores[], slow: ExpectedScores[], what: string, within = 1e-12): void {
  assert.equal(fast.length, slow.length);
  fast.forEach((e, c) => {
    for (const key of Object.keys(e) as (keyof ExpectedScores)[]) {
      assert.ok(Math.abs(e[key] - slow[c][key]) <= within, `${what}, cut ${c}, ${key}: ${e[key]} vs ${slow[c][key]}`);
    }
  });
}

test('expectedScoreCurves: hand-worked cuts of two pairs, with certain probabilities', () => {
  // two pairs 0.1 apart (p = 1), 5 apart from each other (p = 0); the tree joins each pair at 0.1, then both at ~5
  const x = rows([[0], [0.1], [5], [5.1]]);
  const m = toMatrix('t', x);
  const tree = meanLinkageTree(m, knnExact(m, 3, 'euclidean'), Infinity);
  const certain = (d: number) => (d < 1 ? 1 : 0);
  const curves = expectedScoreCurves(m, Int32Array.of(0, 1, 2, 3), 10, [certain], tree, null, [0.05, 1, 10]);
  assert.deepEqual(Array.from(curves.nClusters), [4, 2, 1]);
  const [alone, right, one] = curves.scores[0];
  // all singletons: pairwise precision 1, recall 0; BCubed precision 1, recall 1/2 (each face finds itself of its 2)
  assert.equal(alone.pairwisePrecision, 1); assert.equal(alone.pairwiseRecall, 0);
  assert.equal(alone.bcubedPrecision, 1); assert.equal(alone.bcubedRecall, 0.5);
  // the two pairs: everything right
  assert.deepEqual([right.pairwiseF1, right.bcubedF1], [1, 1]);
  // one cluster: 2 true pairs of 6 -> pairwise P 1/3, R 1; BCubed P 2/4 for every face, R 1
  assert.ok(Math.abs(one.pairwisePrecision - 1 / 3) < 1e-12 && one.pairwiseRecall === 1);
  assert.ok(one.bcubedPrecision === 0.5 && one.bcubedRecall === 1);
});

test('expectedScoreCurves: every cut under two mixtures equals cutTree + expectedScores from scratch (toy people, a sample, steering faces)', () => {
  const { x } = blobs(12, [[0, 0, 0], [1, 0, 0], [0, 1.2, 0], [0, 0, 0.9], [1, 1, 1]], 0.25, 5);
  const m = toMatrix('t', x);
  const { distances, exhaustive } = samplePairDistances(m, 100_000, 0);
  const own = fitMixtureToDistances(distances, exhaustive, 200, 2, 'distance');
  const ref = fitMixtureToDistances(distances, exhaustive, 200, 2, 'distance', { mean: 0.4, sd: 0.2 });
  // a sparse graph (3 neighbours): the tree stops below the top, some pairs are never joined
  const tree = meanLinkageTree(m, knnExact(m, 3, 'euclidean'), 1.2);
  // cuts between merges, and exactly at some merges' heights (a cut joins the merges below it, not at it)
  const thresholds = [...Array.from({ length: 40 }, (_, c) => 0.05 + (1.3 * c) / 39), ...[5, 20, 40].map((t) => tree.height[t])].sort((a, b) => a - b);
  const probabilities = [own, ref].map(sameProbabilityFunction);
  // every face scored, and a sample of them
  for (const sample of [Int32Array.from(x.keys()), Int32Array.from({ length: 20 }, (_, i) => 3 * i)]) {
    const fast = expectedScoreCurves(m, sample, 1.5, probabilities, tree, null, thresholds);
    probabilities.forEach((p, k) => assertSameScores(fast.scores[k], fromScratch(m, sample, 1.5, p, tree, null, thresholds), `mixture ${k}, ${sample.length} rows`));
    thresholds.forEach((t, c) => assert.equal(fast.nClusters[c], cutTree(tree, { distanceThreshold: t }).nClusters));
  }
  // steering: only every other face is scored (its own matrix), the tree holds them all
  const steer = Int32Array.from({ length: 30 }, (_, i) => 2 * i);
  const ms = toMatrix('t', Array.from(steer, (i) => x[i]));
  const sample = Int32Array.from(ms.n > 0 ? Array.from({ length: ms.n }, (_, i) => i) : []);
  const fast = expectedScoreCurves(ms, sample, 1.5, probabilities, tree, steer, thresholds);
  probabilities.forEach((p, k) => assertSameScores(fast.scores[k], fromScratch(ms, sample, 1.5, p, tree, steer, thresholds), `steering, mixture ${k}`));
});

test('sameProbabilityFunction: the same value as sameProbability, bit for bit, in both spaces, normal or Student t strangers, with or without a fixed same-person mode', () => {
  const d = Float64Array.from({ length: 5000 }, (_, i) => (i * 2.2) / 4999);
  for (const space of ['distance', 'squared'] as const) {
    for (const df of [Infinity, 22, 3]) {
      for (const fixedSame of [null, { mean: 0.5, sd: 0.3 }]) {
        const mx = fitMixtureToDistances(Float64Array.from(d, (v, i) => (i % 7 === 0 ? v / 3 : v)), true, 200, 2, space, fixedSame, df);
        assert.equal(mx.differentDf, df);
        const f = sameProbabilityFunction(mx);
        for (const v of d) assert.equal(f(v), sameProbability(mx, v), `${space}, df ${df}, at ${v}`);
      }
    }
  }
});

test('samplePairDistances: the seeded sample of pairs, each distance as rowDistance gives it, bit for bit', () => {
  const { x } = blobs(40, [[0, 0, 0, 0, 0], [1, 0, 2, 0, 1]], 0.5, 3);
  const m = toMatrix('t', x);
  // 80 faces, 3,160 pairs: 1,001 sampled (not a multiple of four: the last ones alone)
  const { distances, exhaustive } = samplePairDistances(m, 1001, 9);
  assert.equal(exhaustive, false);
  const rng = new Random(9);
  for (let t = 0; t < 1001; t++) {
    const i = rng.nextInt(m.n);
    let j = rng.nextInt(m.n - 1);
    if (j >= i) j++;
    assert.equal(distances[t], rowDistance(m, i, j, 'euclidean'), `pair ${t}`);
  }
});

/** The sparse mean-linkage tree as first written: neighbour sets, every cluster's sum a copy in doubles. */
function referenceTree(m: Matrix, graph: KnnGraph, maxHeight: number): MergeTree {
  const { n, d, data } = m;
  const maxKey = maxHeight * maxHeight;
  const size: number[] = [], sq: number[] = [], sums: Float64Array[] = [], nbrs: Set<number>[] = [], alive: boolean[] = [];
  for (let i = 0; i < n; i++) {
    sums[i] = Float64Array.from(data.subarray(i * d, (i + 1) * d));
    let q = 0;
    for (let t = 0; t < d; t++) q += data[i * d + t] * data[i * d + t];
    sq[i] = q; size[i] = 1; alive[i] = true; nbrs[i] = new Set();
  }
  const linkage = (a: number, b: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += sums[a][t] * sums[b][t];
    const v = sq[a] / size[a] + sq[b] / size[b] - (2 * dot) / (size[a] * size[b]);
    return v > 0 ? v : 0;
  };
  // a plain list as the queue: the least (key, a, b) taken by a scan
  const queue: [number, number, number][] = [];
  const push = (key: number, a: number, b: number) => { if (key <= maxKey) queue.push([key, Math.min(a, b), Math.max(a, b)]); };
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < graph.k; t++) {
      const j = graph.indices[i * graph.k + t];
      if (j < 0 || j === i || nbrs[i].has(j)) continue;
      nbrs[i].add(j); nbrs[j].add(i);
      push(linkage(i, j), i, j);
    }
  }
  const tree = { left: [] as number[], right: [] as number[], height: [] as number[], size: [] as number[] };
  let last = 0;
  for (;;) {
    if (queue.length === 0) break;
    let least = 0;
    for (let e = 1; e < queue.length; e++) {
      const p = queue[e], q = queue[least];
      if (p[0] < q[0] || (p[0] === q[0] && (p[1] < q[1] || (p[1] === q[1] && p[2] < q[2])))) least = e;
    }
    const top = queue[least];
    queue[least] = queue[queue.length - 1]; queue.pop();
    const [key, a, b] = top;
    if (!alive[a] || !alive[b]) continue;
    const c = size.length;
    alive[a] = alive[b] = false; alive[c] = true;
    size[c] = size[a] + size[b]; sq[c] = sq[a] + sq[b];
    sums[c] = Float64Array.from(sums[a], (v, t) => v + sums[b][t]);
    nbrs[c] = new Set([...nbrs[a], ...nbrs[b]].filter((v) => v !== a && v !== b));
    for (const v of nbrs[c]) { nbrs[v].delete(a); nbrs[v].delete(b); nbrs[v].add(c); push(linkage(c, v), c, v); }
    last = Math.max(last, Math.sqrt(key));
    tree.left.push(a); tree.right.push(b); tree.height.push(last); tree.size.push(size[c]);
  }
  return { nLeaves: n, left: Int32Array.from(tree.left), right: Int32Array.from(tree.right), height: Float64Array.from(tree.height), size: Int32Array.from(tree.size) };
}

function assertSameTree(fast: MergeTree, slow: MergeTree, what: string): void {
  assert.equal(fast.height.length, slow.height.length, `${what}: merges`);
  for (let t = 0; t < slow.height.length; t++) {
    assert.ok(fast.left[t] === slow.left[t] && fast.right[t] === slow.right[t] && fast.size[t] === slow.size[t] && fast.height[t] === slow.height[t],
      `${what}, merge ${t}: (${fast.left[t]}, ${fast.right[t]}, ${fast.height[t]}) vs (${slow.left[t]}, ${slow.right[t]}, ${slow.height[t]})`);
  }
}

test('meanLinkageTree: the same tree, bit for bit, as the plain reference (toy people, sparse and complete graphs)', () => {
  const { x } = blobs(10, [[0, 0, 0], [1, 0, 0], [0, 1.2, 0], [0, 0, 0.9]], 0.3, 7);
  const m = toMatrix('t', x);
  for (const k of [2, 5, x.length - 1]) {
    const graph = knnExact(m, k, 'euclidean');
    for (const maxHeight of [0.6, Infinity]) assertSameTree(meanLinkageTree(m, graph, maxHeight), referenceTree(m, graph, maxHeight), `k ${k}, up to ${maxHeight}`);
  }
});

const lfw = precomputedEmbeddingsPath();
const skip = existsSync(lfw) ? false : `LFW embeddings not found at ${lfw} (set FACECLUSTER_DATA)`;

test('on LFW (the faces of the first 600 photos): the tree matches the reference bit for bit, and every cut scores as from scratch', { skip }, async () => {
  const ds = await loadPrecomputedEmbeddings({ limit: 600 });
  const m = toMatrix('t', ds.embeddings);
  const graph = knnExact(m, 16, 'euclidean');
  const tree = meanLinkageTree(m, graph, 0.8);
  assertSameTree(tree, referenceTree(m, graph, 0.8), 'LFW');
  const { distances, exhaustive } = samplePairDistances(m, 100_000, 0);
  const mixtures = [fitMixtureToDistances(distances, exhaustive, 400, 1, 'distance'), fitMixtureToDistances(distances, exhaustive, 400, 1, 'distance', { mean: 0.45, sd: 0.08 })];
  const thresholds = Array.from({ length: 60 }, (_, c) => 0.3 + (0.5 * c) / 59);
  const sample = Int32Array.from({ length: Math.floor(m.n / 3) }, (_, i) => 3 * i);
  const fast = expectedScoreCurves(m, sample, 0.8, mixtures.map(sameProbabilityFunction), tree, null, thresholds);
  mixtures.forEach((mx, k) => assertSameScores(fast.scores[k], fromScratch(m, sample, 0.8, (d) => sameProbability(mx, d), tree, null, thresholds), `LFW, mixture ${k}`));
  // the mixtures' constants (the pair pass on the threads, the probabilities from tables): the same scores within the
  // tables' 1e-9 as the functions on the calling thread, with every face a tree leaf and with the scored faces a
  // subset of the tree's leaves
  const threaded = expectedScoreCurves(m, sample, 0.8, mixtures.map(sameProbabilityConstants), tree, null, thresholds);
  assert.deepEqual(threaded.nClusters, fast.nClusters);
  mixtures.forEach((_, k) => assertSameScores(threaded.scores[k], fast.scores[k], `LFW threaded, mixture ${k}`, 1e-8));
  assert.ok(fast.scores[1].some((e, c) => c > 0 && e.bcubedF1 !== fast.scores[1][0].bcubedF1), 'the curve moves');
  const steer = Int32Array.from({ length: m.n - 100 }, (_, i) => i + 50);
  const ms = { data: m.data.slice(50 * m.d, (m.n - 50) * m.d), n: m.n - 100, d: m.d };
  const subSample = Int32Array.from({ length: 130 }, (_, i) => 3 * i);
  const sub = [mixtures.map(sameProbabilityConstants), mixtures.map(sameProbabilityFunction)].map((p) => expectedScoreCurves(ms, subSample, 0.8, p, tree, steer, thresholds));
  mixtures.forEach((_, k) => assertSameScores(sub[0].scores[k], sub[1].scores[k], `LFW threaded with steering, mixture ${k}`, 1e-8));
});
