// radiusNeighborsBetween (lib/cluster/_radius-between.ts) against the all-pairs radiusNeighbors of _knn.ts: the same
// neighbours, with and without the subspace prefilter, on the threads where the prefilter keeps too much, at the boundary
// (strict and inclusive), and on LFW.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { radiusNeighborsBetween } from '../../lib/cluster/_radius-between.ts';
import { radiusNeighbors } from '../../lib/cluster/_knn.ts';
import { Random, toMatrix } from '../../lib/cluster/_input.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import type { Metric } from '../../lib/types.ts';

/** Neighbour sets of rows `q0..` (queries = the last rows) found both ways, compared row by row. */
function agree(x: Float32Array[], nq: number, radius: number, metric: Metric, strict: boolean): { pairs: number; path: string } {
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
  return { pairs, path: between.path };
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
    for (const strict of [false, true]) assert.ok(agree(x, 25, metric === 'euclidean' ? 0.5 : 0.15, metric, strict).pairs > 25);
  }
  // A pair exactly at the radius: inclusive keeps it, strict drops it.
  const a = [Float32Array.from([0, 0]), Float32Array.from([3, 4])];
  assert.deepEqual([...radiusNeighborsBetween([a[1]], a, 5, 'euclidean').indices], [0, 1]);
  assert.deepEqual([...radiusNeighborsBetween([a[1]], a, 5, 'euclidean', true).indices], [1]);
});

test('radiusNeighborsBetween: the subspace prefilter (128-d, large) drops no neighbour', () => {
  // 2,400 points x 900 queries = 2.2M pairs: above the prefilter's threshold.
  const x = blobs(128, 240, 10, 0.35, 2);
  const { pairs, path } = agree(x, 900, 0.45, 'euclidean', true);
  assert.ok(pairs > 900);
  assert.equal(path, 'prefilter');
});

test('radiusNeighborsBetween: isotropic rows, where the subspace keeps nearly every pair: the full rows on the threads, the same neighbours', () => {
  // 256-d unit-ish rows: strangers at about 1.41 (0.5 in 32 dimensions, inside the radius: the prefilter would keep them
  // all); each of the last 600 rows has 3 near copies among the first 3,400, at distances around the radius
  const rng = new Random(5);
  const d = 256;
  const row = () => Float32Array.from({ length: d }, () => rng.normal() / Math.sqrt(d));
  const x: Float32Array[] = Array.from({ length: 3400 }, row);
  for (let q = 0; q < 600; q++) {
    const v = row();
    for (let c = 0; c < 3; c++) x[(q * 5 + c) % 3400] = Float32Array.from(v, (t) => t + ((0.4 + 0.2 * c) * rng.normal()) / Math.sqrt(d));
    x.push(v);
  }
  for (const metric of ['euclidean', 'cosine'] as const) {
    const { pairs, path } = agree(x, 600, metric === 'euclidean' ? 0.8 : 0.3, metric, true);
    assert.ok(pairs > 1200, `${metric}: ${pairs} pairs`);
    assert.equal(path, 'threads');
  }
});

const lfw = existsSync(precomputedEmbeddingsPath());
test('radiusNeighborsBetween on LFW: the last 600 faces against the first 4,000 + themselves, as the all-pairs search', { skip: lfw ? false : 'precomputed LFW embeddings not found' }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 4600 });
  assert.ok(agree(d.embeddings, 600, 0.45, 'euclidean', true).pairs > 600);
});
