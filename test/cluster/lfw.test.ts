/**
 * Real-data checks on the precomputed face-api embeddings of LFW (skipped, saying why, when the data is absent):
 * the first 2,000 faces (about 1,100 people).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import { evaluateClustering } from '../../lib/evaluate/evaluate.ts';
import { CLUSTER_METHOD_NAMES, clusterBy } from '../../lib/cluster/registry.ts';

const file = precomputedEmbeddingsPath();
const skip = existsSync(file) ? false : `LFW embeddings not found at ${file} (set FACECLUSTER_DATA)`;

test('LFW (first 2,000 faces): every method at its defaults clusters people well above chance', { skip }, async () => {
  const ds = await loadPrecomputedEmbeddings({ limit: 2000 });
  const singletons = evaluateClustering(Int32Array.from(ds.labels, (_, i) => i), ds.labels).bcubedF1;
  for (const name of CLUSTER_METHOD_NAMES) {
    if (name === 'kmeans' || name === 'affinity-propagation') continue; // need k / are dense O(n^2); see bench
    const r = clusterBy(name, ds.embeddings);
    const e = evaluateClustering(r.labels, ds.labels);
    // every face alone scores BCubed F ~0.7 here; measured at the defaults: 0.86 (rank-order) .. 0.95
    assert.ok(e.bcubedF1 > singletons + 0.1, `${name}: BCubed F ${e.bcubedF1.toFixed(3)} vs all-singletons ${singletons.toFixed(3)}`);
    assert.ok(e.nmi > 0.93, `${name}: NMI ${e.nmi.toFixed(3)}`);
  }
});

