// radiusNeighborsBetween (lib/cluster/_radius-between.ts) against the all-pairs radiusNeighbors of _knn.ts: the same
// neighbours, with and without the subspace prefilter, at the boundary (strict and inclusive), and on LFW.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { radiusNeighborsBetween } from '../../lib/cluster/_radius-between.ts';
import { radiusNeighbors } from '../../lib/cluster/_knn.ts';
import { Random, toMatrix } from '../../lib/cluster/_input.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import type { Metric } from '../../lib/types.ts';

/** Neighbour sets of rows `q0..` (queries = the last rows) found both ways, compared row by row. */
function agree(x: Float32Array[], nq: number, radius: number, metric: Metric, strict: boolean): number {
  const all = toMatrix('t', x, metric);
  const rows = Array.from({ length: all.n }, (_, i) => all.data.subarray(i * all.d, (i + 1) * all.d)); // unit rows for cosine
  const between = radiusNeighborsBetween(rows.slice(x.length - nq), rows, radius, metric, strict);
  const full = radiusNeighbors(all, radius, metric, strict);
  let pairs = 0;
  for (let k = 0; k < nq; k++) {
    const g = x.length - nq + k;
    const expected = [...full.indices.subarray(full.offsets[g], full.offsets[g + 1]), g].sort((a, b) => a - b); // itself at distance 0
    const got = [...between.indices.subarray(between.offsets[k], between.offsets[k + 1])].sort((a, b) => a - b);
    assert.deepEqual(got, expected, `query ${k}`);
    pairs += got.length;
  }
  return pairs;
}

/** Gaussian blobs in d dimensions: `people` centres, `per` points each, spread `s`. */
function blobs(d: number, people: number, per: number, s: number, seed: number): Float32Array[] {
  const rng = new Random(seed);
  const out: Float32Array[] = [];
  for (let p = 0; p < people; p++) {
    const c = Array.from({ length: d }, () => rng.normal() / Math.sqrt(d));
    for (let i = 0; i < per; i++) out.push(Float32Array.from(c, (v) => v + (s * rng.normal()) / Math.sqrt(d)));
  }
  return out;
}

test('radiusNeighborsBetween: same neighbours as the all-pairs search (direct path, small, both metrics, both bounds)', () => {
  const x = blobs(16, 12, 10, 0.3, 1);
  for (const metric of ['euclidean', 'cosine'] as const) {
    for (const strict of [false, true]) assert.ok(agree(x, 25, metric === 'euclidean' ? 0.5 : 0.15, metric, strict) > 25);
  }
  // A pair exactly at the radius: inclusive keeps it, strict drops it.
  const a = [Float32Array.from([0, 0]), Float32Array.from([3, 4])];
  assert.deepEqual([...radiusNeighborsBetween([a[1]], a, 5, 'euclidean').indices], [0, 1]);
  assert.deepEqual([...radiusNeighborsBetween([a[1]], a, 5, 'euclidean', true).indices], [1]);
});

test('radiusNeighborsBetween: the subspace prefilter (128-d, large) drops no neighbour', () => {
  // 2,400 points x 900 queries = 2.2M pairs: above the prefilter's threshold.
  const x = blobs(128, 240, 10, 0.35, 2);
  assert.ok(agree(x, 900, 0.45, 'euclidean', true) > 900);
});

const lfw = existsSync(precomputedEmbeddingsPath());
test('radiusNeighborsBetween on LFW: the last 600 faces against the first 4,000 + themselves, as the all-pairs search', { skip: lfw ? false : 'precomputed LFW embeddings not found' }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 4600 });
  assert.ok(agree(d.embeddings, 600, 0.45, 'euclidean', true) > 600);
});
