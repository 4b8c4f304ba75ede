// personCentroids (lib/people/_person-sums.ts) gives bit for bit the centroids and spreads that the per-person sums of
// personSums give (the same float64 sums in the same order), on real faces with people of every size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { personCentroids, personSums } from '../../lib/people/_person-sums.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';

test('personCentroids = personSums: the same centroids, spreads, counts and entry order (LFW, 3,000 faces)', { skip: existsSync(precomputedEmbeddingsPath()) ? false : 'precomputed LFW embeddings not found' }, async () => {
  const { embeddings } = await loadPrecomputedEmbeddings({ limit: 3000 });
  const n = embeddings.length;
  const d = embeddings[0].length;
  // people of every size, in no order: face i in person (i * 7919) % 211 - 1 (-1: no one), some faces left out
  const personOf = Int32Array.from({ length: n }, (_, i) => ((i * 7919) % 211) - 1);
  const faces = Array.from({ length: n }, (_, i) => n - 1 - i).filter((i) => i % 5 !== 0);
  const row = (i: number) => embeddings[i];
  const a = personSums(faces, personOf, row, d);
  const b = personCentroids(faces, personOf, row, d);
  assert.deepEqual(b.ids, a.ids);
  assert.equal(b.ids.length, 210);
  a.ids.forEach((p, k) => {
    assert.equal(b.index.get(p), k);
    const c = Float32Array.from(a.sums[k], (v) => v / a.count[k]);
    assert.deepEqual(b.centroids[k], c, `centroid of person ${p}`);
    let c2 = 0;
    for (let t = 0; t < d; t++) c2 += c[t] * c[t];
    assert.equal(b.spread[k], Math.max(0, a.sq[k] / a.count[k] - c2), `spread of person ${p}`);
    assert.equal(b.count[k], a.count[k]);
  });
});
