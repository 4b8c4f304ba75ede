import { test } from 'node:test';
import assert from 'node:assert/strict';
import { umap } from '../../lib/reduce/umap.ts';
import { reduceBy, REDUCERS } from '../../lib/reduce/registry.ts';
import { blobs, knnPreservation, knnPurity } from './_blobs.ts';
import { findData } from '../../lib/paths.ts';
import { loadPrecomputedEmbeddings } from '../../lib/datasets/precomputed.ts';

test('umap: well-separated blobs stay separated', () => {
  const { x, labels } = blobs(3, 40, 16, 1, 3);
  const y = umap(x, { seed: 2, nEpochs: 200 });
  assert.equal(y.length, 120);
  const purity = knnPurity(y, labels, 5);
  assert.ok(purity >= 0.97, `5-NN purity ${purity}`);
});

test('umap: same seed same map, other seed other map, input not modified', () => {
  const { x } = blobs(2, 25, 6, 1, 9);
  const copy = x.map((r) => Float32Array.from(r));
  const a = umap(x, { seed: 1, nEpochs: 100 });
  assert.deepEqual(umap(x, { seed: 1, nEpochs: 100 }), a);
  assert.notDeepEqual(umap(x, { seed: 2, nEpochs: 100 }), a);
  assert.deepEqual(x, copy);
});

test('umap: degenerate inputs', () => {
  assert.deepEqual(umap([]), []);
  // Up to nComponents + 1 points: laid out on a line in input order.
  assert.deepEqual(umap([[1, 2]]), [[0, 0]]);
  assert.deepEqual(umap([[1, 2], [3, 4], [5, 6]]), [[0, 0], [1, 0], [2, 0]]);
  // Fewer points than nNeighbors: clamped, finite output.
  const y = umap(Array.from({ length: 8 }, (_, i) => [i, (i * 7) % 5]), { nEpochs: 50 });
  assert.equal(y.length, 8);
  assert.ok(y.flat().every(Number.isFinite));
});

test('umap: bad options are rejected with the parameter named', () => {
  const x = [[0, 1], [1, 0], [2, 2]];
  const table: [Record<string, unknown>, string][] = [
    [{ nNeighbors: 1 }, 'umap: nNeighbors must be an integer >= 2, got 1.'],
    [{ minDist: 2 }, 'umap: minDist must be a finite number >= 0 and <= 1, got 2.'],
    [{ spread: 0 }, 'umap: spread must be a finite number > 0, got 0.'],
    [{ seed: 0.5 }, 'umap: seed must be an integer >= 0 and <= 4294967295, got 0.5.'],
    [{ metric: 'cosine' }, 'umap: unknown option "metric"; valid options are nNeighbors, minDist, spread, nComponents, nEpochs, seed.'],
  ];
  for (const [o, msg] of table) assert.throws(() => umap(x, o as never), { message: msg });
});

test('reduceBy: dispatches by name, unknown names list the valid ones', () => {
  assert.deepEqual(REDUCERS, ['pca', 'tsne', 'umap']);
  const x = [[0, 0], [1, 1], [2, 2]];
  // Points on the diagonal: positions along it are -sqrt(2), 0, sqrt(2).
  assert.deepEqual(reduceBy('pca', x, { nComponents: 1 }).map((r) => Math.round(r[0] * 1e9) / 1e9 + 0), [-1.414213562, 0, 1.414213562]);
  assert.equal(reduceBy('tsne', x, { iterations: 10 }).length, 3);
  assert.throws(() => reduceBy('isomap' as never, x), { message: 'reduceBy: name must be one of "pca", "tsne", "umap", got "isomap".' });
});

test('umap: LFW embeddings: map neighbours are embedding neighbours', { skip: findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl') ? false : 'LFW precomputed embeddings absent (set FACECLUSTER_DATA)' }, async () => {
  const data = await loadPrecomputedEmbeddings({ limit: 400 });
  const y = umap(data.embeddings, { seed: 1, nEpochs: 200 });
  // 10-NN preservation: chance is 10 / 399 = 0.025; UMAP keeps far more.
  const kept = knnPreservation(data.embeddings, y, 10);
  assert.ok(kept > 0.25, `10-NN preservation ${kept}`);
});
