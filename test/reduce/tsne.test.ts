import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tsne, conditionalP, TSNE_DEFAULTS } from '../../lib/reduce/tsne.ts';
import { findData } from '../../lib/paths.ts';
import { loadPrecomputedEmbeddings } from '../../lib/datasets/precomputed.ts';
import { blobs, knnPreservation, knnPurity } from './_blobs.ts';

const FAST = { iterations: 400, exaggerationIterations: 100 };

test('tsne: perplexity calibration gives each row the asked entropy', () => {
  // Row distances 0, 1, 2, 3 (k = 4): the found Gaussian has perplexity 2 (entropy log 2), rows sum to 1.
  const dist = Float64Array.from([0, 1, 2, 3]);
  const p = conditionalP(dist, 1, 4, 2);
  const sum = p.reduce((s, v) => s + v, 0);
  const h = -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
  assert.ok(Math.abs(h - Math.log(2)) < 1e-4, `entropy ${h}`);
  // Nearer neighbours get more probability.
  assert.ok(p[0] > p[1] && p[1] > p[2] && p[2] > p[3]);
});

test('tsne: well-separated blobs stay separated (kNN purity in the map)', () => {
  // 4 blobs of 40 in 20-D, centres 14 apart, sd 1: every map neighbour should be from the same blob.
  const { x, labels } = blobs(4, 40, 20, 1, 7);
  const y = tsne(x, { ...FAST, perplexity: 10, seed: 3 });
  assert.equal(y.length, 160);
  assert.ok(y.every((r) => r.length === 2 && r.every(Number.isFinite)));
  const purity = knnPurity(y, labels, 5);
  assert.ok(purity >= 0.97, `5-NN purity ${purity}`);
  // Blob centroids in the map are farther apart than the blobs are wide.
  const cent = [0, 1, 2, 3].map((b) => {
    const pts = y.filter((_, i) => labels[i] === b);
    return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
  });
  const radius = Math.max(...y.map((p, i) => Math.hypot(p[0] - cent[labels[i]][0], p[1] - cent[labels[i]][1])));
  let minGap = Infinity;
  for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) minGap = Math.min(minGap, Math.hypot(cent[a][0] - cent[b][0], cent[a][1] - cent[b][1]));
  assert.ok(minGap > radius, `min centroid gap ${minGap} vs max radius ${radius}`);
});

test('tsne: same seed same map; another seed (random init) another map; input not modified', () => {
  const { x } = blobs(3, 20, 5, 1, 1);
  const copy = x.map((r) => Float32Array.from(r));
  const a = tsne(x, { ...FAST, init: 'random', seed: 5 });
  const b = tsne(x, { ...FAST, init: 'random', seed: 5 });
  const c = tsne(x, { ...FAST, init: 'random', seed: 6 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(x, copy);
  // PCA init: deterministic too.
  assert.deepEqual(tsne(x, FAST), tsne(x, FAST));
});

test('tsne: Barnes-Hut (theta 0.5) agrees with exact gradients (theta 0) on neighbourhoods', () => {
  const { x } = blobs(3, 30, 8, 2, 11);
  const exact = tsne(x, { ...FAST, theta: 0, perplexity: 8 });
  const bh = tsne(x, { ...FAST, theta: 0.5, perplexity: 8 });
  // Both maps keep most of the same 5 nearest neighbours.
  const agree = knnPreservation(exact, bh, 5);
  assert.ok(agree > 0.6, `agreement ${agree}`);
});

test('tsne: onProgress is called every 50 iterations', () => {
  const calls: [number, number][] = [];
  tsne(blobs(2, 10, 3, 1, 2).x, { iterations: 120, exaggerationIterations: 20, onProgress: (d, t) => calls.push([d, t]) });
  assert.deepEqual(calls, [[50, 120], [100, 120]]);
});

test('tsne: degenerate inputs', () => {
  assert.deepEqual(tsne([]), []);
  assert.deepEqual(tsne([[1, 2, 3]]), [[0, 0]]);
  // Two and five points: perplexity clamped to (n - 1) / 3, finite output.
  for (const n of [2, 5]) {
    const y = tsne(Array.from({ length: n }, (_, i) => [i, i * i]), FAST);
    assert.equal(y.length, n);
    assert.ok(y.flat().every(Number.isFinite));
  }
  // Duplicates (all points equal): no NaN.
  const same = tsne(Array.from({ length: 30 }, () => [1, 1, 1]), FAST);
  assert.ok(same.flat().every(Number.isFinite));
});

test('tsne: bad options are rejected with the parameter named', () => {
  const x = [[0, 1], [1, 0], [2, 2]];
  const table: [Record<string, unknown>, string][] = [
    [{ perplexity: 0.5 }, 'tsne: perplexity must be a finite number >= 1, got 0.5.'],
    [{ theta: 2 }, 'tsne: theta must be a finite number >= 0 and <= 1, got 2.'],
    [{ iterations: 0 }, 'tsne: iterations must be an integer >= 1, got 0.'],
    [{ init: 'spectral' }, 'tsne: init must be one of "pca", "random", got "spectral".'],
    [{ seed: -1 }, 'tsne: seed must be an integer >= 0 and <= 4294967295, got -1.'],
    [{ learningRate: -3 }, 'tsne: learningRate must be a finite number >= 0, got -3.'],
    [{ onProgress: 5 }, 'tsne: onProgress must be a function, got 5.'],
    [{ nComponents: 3 }, 'tsne: unknown option "nComponents"; valid options are ' + Object.keys(TSNE_DEFAULTS).join(', ') + '.'],
  ];
  for (const [o, msg] of table) assert.throws(() => tsne(x, o as never), { message: msg });
});

test('tsne: LFW embeddings: map neighbours are embedding neighbours', { skip: findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl') ? false : 'LFW precomputed embeddings absent (set FACECLUSTER_DATA)' }, async () => {
  const data = await loadPrecomputedEmbeddings({ limit: 400 });
  const y = tsne(data.embeddings, { ...FAST, seed: 1 });
  // 10-NN preservation: chance is 10 / 399 = 0.025; t-SNE keeps far more.
  const kept = knnPreservation(data.embeddings, y, 10);
  assert.ok(kept > 0.3, `10-NN preservation ${kept}`);
});
