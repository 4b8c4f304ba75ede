import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/index.ts';
import { clusterBy } from '../../lib/cluster/registry.ts';
import { rangeValues, sweep, sweepTable } from '../../lib/evaluate/sweep.ts';

// Three tight, well separated groups on a line (2-D points): A near 0, B near 10, C near 20.
const X = [0, 0.1, 0.2, 10, 10.1, 20, 20.1, 20.2, 20.3].map((v) => Float32Array.from([v, 0]));
const TRUTH = ['A', 'A', 'A', 'B', 'B', 'C', 'C', 'C', 'C'];

test('sweep: one row per value; the recommended value maximises BCubed F', () => {
  // eps 0.05: no two points within 0.05 -> all noise. eps 1: the three groups. eps 15: A+B and B+C chain -> one.
  const s = sweep('dbscan', 'eps', [0.05, 1, 15], X, TRUTH, { methodOptions: { minSamples: 2 } });
  assert.deepEqual(s.rows.map((r) => r.value), [0.05, 1, 15]);
  assert.deepEqual(s.rows.map((r) => r.nClusters), [0, 3, 1]);
  assert.deepEqual(s.rows.map((r) => r.nNoise), [9, 0, 0]);
  assert.deepEqual(s.rows.map((r) => r.noiseShare), [1, 0, 0]);
  assert.equal(s.rows[1].metrics!.bcubedF1, 1);
  // All noise: BCubed precision 1, recall (3 * 1/3 + 2 * 1/2 + 4 * 1/4) / 9 = 3/9.
  assert.ok(Math.abs(s.rows[0].metrics!.bcubedRecall - 3 / 9) < 1e-12);
  assert.deepEqual(s.recommended, { value: 1, index: 1, score: 1 });
  assert.equal(s.select, 'bcubedF1');
  assert.ok(s.rows.every((r) => r.seconds >= 0));
  assert.ok(s.rows[0].warnings.some((w) => /noise/.test(w)));
});

test('sweep: select picks another score; ties keep the first value', () => {
  // eps 1 finds every same-person pair (pairwise recall 1), and so does eps 15 (one cluster): the tie keeps 1.
  const s = sweep('dbscan', 'eps', [0.05, 1, 15], X, TRUTH, { select: 'pairwiseRecall' });
  assert.equal(s.rows[1].metrics!.pairwiseRecall, 1);
  assert.equal(s.rows[2].metrics!.pairwiseRecall, 1);
  assert.equal(s.recommended!.value, 1);
});

test('sweep without identities: counts per value, no recommendation', () => {
  const s = sweep('chinese-whispers', 'threshold', [0.5, 30], X);
  assert.deepEqual(s.rows.map((r) => r.nClusters), [3, 1]);
  assert.ok(s.rows.every((r) => r.metrics === undefined));
  assert.equal(s.recommended, undefined);
  const flat = sweepTable(s);
  assert.deepEqual(Object.keys(flat[0]).sort(), ['nClusters', 'nNoise', 'noiseShare', 'seconds', 'value']);
  assert.deepEqual(s.rows[0].labels, Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2, 2]));
});

test('sweep: agglomerative cuts one tree, with the same labels as separate runs', () => {
  const values = [0.05, 0.15, 1, 5, 15];
  const s = sweep('agglomerative', 'distanceThreshold', values, X, TRUTH, { methodOptions: { linkage: 'average' } });
  values.forEach((v, i) => {
    const own = clusterBy('agglomerative', X, { linkage: 'average', distanceThreshold: v });
    assert.deepEqual(s.rows[i].labels, own.labels, `distanceThreshold ${v}`);
  });
  // Rows after the first include the tree's time, so no row is faster than the shared tree.
  assert.ok(s.rows.slice(1).every((r) => r.seconds >= s.rows[0].seconds * 0.999));
  const byCount = sweep('agglomerative', 'nClusters', [1, 3, 9], X, TRUTH);
  assert.deepEqual(byCount.rows.map((r) => r.nClusters), [1, 3, 9]);
  assert.deepEqual(byCount.rows[1].labels, Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2, 2]));
  assert.equal(byCount.recommended!.value, 3);
});

test('sweep: bad arguments', () => {
  const cases: [() => unknown, string][] = [
    [() => sweep('nope' as never, 'eps', [1], X), 'sweep: method must be one of "auto", "kmeans", "dbscan", "chinese-whispers", "rank-order", "approximate-rank-order", "agglomerative", "affinity-propagation", got "nope".'],
    [() => sweep('dbscan', 'threshold', [1], X), 'sweep: parameter must be one of "eps", "minSamples", "metric", got "threshold".'],
    [() => sweep('dbscan', 'eps', [], X), 'sweep: values must be a non-empty array, got [].'],
    [() => sweep('dbscan', 'eps', [1], X, TRUTH.slice(1)), 'sweep: truth must have one label per embedding (9), got length 8.'],
    [() => sweep('dbscan', 'eps', [1], X, null, { methodOptions: { eps: 2 } }), 'sweep: methodOptions must not set the swept parameter "eps", got 2.'],
    [() => sweep('dbscan', 'eps', [1], X, null, { select: 'accuracy' as never }), /^sweep: select must be one of "pairwisePrecision", .*, got "accuracy"\.$/.source],
    [() => sweep('dbscan', 'eps', [1], X, null, { nope: 1 } as never), 'sweep: unknown option "nope"; valid options are methodOptions, select, onProgress.'],
    [() => sweep('dbscan', 'eps', [-1], X), 'dbscan: eps must be a finite number > 0, got -1.'],
  ];
  for (const [call, message] of cases) {
    if (message.startsWith('^')) assert.throws(call, { message: new RegExp(message) });
    else assert.throws(call, { message });
  }
});

test('sweep reports progress after each value', () => {
  const seen: [number, number][] = [];
  sweep('dbscan', 'eps', [0.5, 1], X, TRUTH, { onProgress: (done, total) => seen.push([done, total]) });
  assert.deepEqual(seen, [[1, 2], [2, 2]]);
});

test('rangeValues: inclusive, rounded to the step, and checked', () => {
  assert.deepEqual(rangeValues(0.3, 0.5, 0.1), [0.3, 0.4, 0.5]);
  assert.deepEqual(rangeValues(2, 9, 3), [2, 5, 8]);
  assert.deepEqual(rangeValues(1, 1, 0.5), [1]);
  assert.throws(() => rangeValues(1, 2, 0), { message: 'rangeValues: step must be a number > 0, got 0.' });
  assert.throws(() => rangeValues(2, 1, 0.1), { message: 'rangeValues: hi must be a number >= lo (2), got 1.' });
  assert.throws(() => rangeValues(0, 1, 1e-6), /at most 10,000 values/);
});

test('sweep on 1,000 LFW photos (when present): Chinese Whispers peaks inside the range', { skip: !existsSync(precomputedEmbeddingsPath()) && 'LFW embeddings absent' }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 1000 });
  const s = sweep('chinese-whispers', 'threshold', [0.3, 0.4, 0.5, 0.6, 0.7], d.embeddings, d.identities);
  // Too strict splits everyone, too loose merges people: the best BCubed F is strictly inside.
  const i = s.recommended!.index;
  assert.ok(i > 0 && i < 4, `recommended ${s.recommended!.value}`);
  assert.ok(s.recommended!.score > 0.9, `BCubed F ${s.recommended!.score}`);
  // More threshold, fewer clusters.
  for (let k = 1; k < s.rows.length; k++) assert.ok(s.rows[k].nClusters <= s.rows[k - 1].nClusters);
});
