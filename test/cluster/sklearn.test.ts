/**
 * Agreement with scikit-learn 1.2.1: the fixtures (test/fixtures/cluster/sklearn-cluster.json) are made by
 * test/fixtures/make-cluster-fixtures.py from small synthetic data; our partitions must equal sklearn's up to
 * renumbering (ARI = 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kmeans } from '../../lib/cluster/kmeans.ts';
import { dbscan } from '../../lib/cluster/dbscan.ts';
import { agglomerative, type Linkage } from '../../lib/cluster/agglomerative.ts';
import { assertSamePartition, rows } from './_helpers.ts';

interface Fixture {
  sklearn: string;
  datasets: Record<string, number[][]>;
  kmeans: { data: string; nClusters: number; init: number[][]; labels: number[]; inertia: number; nIter: number }[];
  dbscan: { data: string; eps: number; minSamples: number; labels: number[] }[];
  agglomerative: { data: string; linkage: Linkage; nClusters?: number; distanceThreshold?: number; labels: number[]; heights?: number[] }[];
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/cluster/sklearn-cluster.json', import.meta.url), 'utf8')) as Fixture;
const data = (name: string) => rows(fx.datasets[name]);

test(`fixtures come from scikit-learn ${fx.sklearn}`, () => {
  assert.match(fx.sklearn, /^1\./);
  assert.ok(fx.kmeans.length >= 4 && fx.dbscan.length >= 10 && fx.agglomerative.length >= 80);
});

for (const c of fx.kmeans) {
  test(`kmeans = sklearn KMeans(explicit init, n_init=1): ${c.data}, k=${c.nClusters}`, () => {
    const r = kmeans(data(c.data), { nClusters: c.nClusters, init: rows(c.init) });
    assertSamePartition(r.labels, c.labels);
    assert.ok(Math.abs(r.inertia - c.inertia) <= 1e-4 * c.inertia, `inertia ${r.inertia} vs ${c.inertia}`);
    assert.equal(r.nIter, c.nIter);
  });
}

for (const c of fx.dbscan) {
  test(`dbscan = sklearn DBSCAN: ${c.data}, eps=${c.eps}, minSamples=${c.minSamples}`, () => {
    const r = dbscan(data(c.data), { eps: c.eps, minSamples: c.minSamples });
    assertSamePartition(r.labels, c.labels);
  });
}

for (const c of fx.agglomerative) {
  const cut = c.nClusters !== undefined ? `nClusters=${c.nClusters}` : `distanceThreshold=${c.distanceThreshold!.toFixed(4)}`;
  test(`agglomerative = sklearn AgglomerativeClustering: ${c.data}, ${c.linkage}, ${cut}`, () => {
    const r = agglomerative(data(c.data), { linkage: c.linkage, nClusters: c.nClusters ?? null, distanceThreshold: c.distanceThreshold ?? null, returnTree: true });
    assertSamePartition(r.labels, c.labels);
    if (c.heights) {
      // the merge heights equal sklearn's distances_ (sorted)
      const ours = Array.from(r.tree!.height);
      assert.equal(ours.length, c.heights.length);
      ours.forEach((h, i) => assert.ok(Math.abs(h - c.heights![i]) <= 1e-5 * (1 + Math.abs(h)), `height ${i}: ${h} vs ${c.heights![i]}`));
    }
  });
}
