// radiusNeighborsIndexed (lib/cluster/_radius-indexed.ts, through an HNSW index) against the exact
// radiusNeighborsBetween: the same neighbours, with the same distances, on toy blobs, on a query with more
// neighbours than the first request (the request grows), at the boundary, and on LFW.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { radiusNeighborsBetween } from '../../lib/cluster/_radius-between.ts';
import { indexedRadiusAvailable, radiusNeighborsIndexed } from '../../lib/cluster/_radius-indexed.ts';
import { Random } from '../../lib/cluster/_input.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import type { Neighborhoods } from '../../lib/cluster/_knn.ts';

const engine = indexedRadiusAvailable();
const SKIP = engine.ok ? false : `usearch does not load here (${engine.error})`;

/** The two searches agree query by query (indices and distances); returns the number of pairs. */
function same(a: Neighborhoods, b: Neighborhoods): number {
  assert.deepEqual([...a.offsets], [...b.offsets]);
  assert.deepEqual([...a.indices], [...b.indices]);
  assert.deepEqual([...a.distances], [...b.distances]);
  return a.indices.length;
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

test('radiusNeighborsIndexed: the same neighbours and distances as the exact search (128-d blobs, euclidean)', { skip: SKIP }, () => {
  const x = blobs(128, 240, 10, 0.35, 2);
  const q = x.slice(2000);
  const base = x.slice(0, 2200); // the queries 2000..2199 are in the base too: each finds itself
  const pairs = same(radiusNeighborsIndexed(q, base, 0.45, 'euclidean', true), radiusNeighborsBetween(q, base, 0.45, 'euclidean', true));
  assert.ok(pairs > 200, `pairs ${pairs}`); // at least the 200 queries that are in the base find themselves
});

test('radiusNeighborsIndexed: a query with more neighbours than the first request gets them all; the boundary as the exact search', { skip: SKIP }, () => {
  // 100 points in one tight blob: every query has 100 neighbours, more than the 16 asked for first.
  const x = blobs(32, 1, 100, 0.05, 3).concat(blobs(32, 50, 4, 0.05, 4));
  const nb = radiusNeighborsIndexed(x.slice(0, 5), x, 0.3, 'euclidean', false);
  for (let q = 0; q < 5; q++) assert.equal(nb.offsets[q + 1] - nb.offsets[q], 100, `query ${q}`);
  same(nb, radiusNeighborsBetween(x.slice(0, 5), x, 0.3, 'euclidean', false));
  // A pair exactly at the radius: inclusive keeps it, strict drops it.
  const a = [Float32Array.from([0, 0]), Float32Array.from([3, 4])];
  assert.deepEqual([...radiusNeighborsIndexed([a[1]], a, 5, 'euclidean').indices], [0, 1]);
  assert.deepEqual([...radiusNeighborsIndexed([a[1]], a, 5, 'euclidean', true).indices], [1]);
});

const lfw = existsSync(precomputedEmbeddingsPath());
test('radiusNeighborsIndexed on LFW: the last 600 faces against the first 4,000 (unit rows, int8 index), as the exact search', { skip: SKIP || (lfw ? false : 'precomputed LFW embeddings not found') }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 4600 });
  const q = d.embeddings.slice(4000);
  const base = d.embeddings.slice(0, 4000);
  assert.ok(same(radiusNeighborsIndexed(q, base, 0.45, 'euclidean', true), radiusNeighborsBetween(q, base, 0.45, 'euclidean', true)) > 100);
});
