import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { encodeLabels, loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../lib/index.ts';

test('encodeLabels numbers names by first appearance', () => {
  assert.deepEqual([...encodeLabels(['b', 'a', 'b', 'c', 'a'])], [0, 1, 0, 2, 1]);
  assert.deepEqual([...encodeLabels([])], []);
});

test('loadPrecomputedEmbeddings rejects an unknown option and a missing file', async () => {
  await assert.rejects(loadPrecomputedEmbeddings({ nope: 1 } as never), /loadPrecomputedEmbeddings: unknown option "nope"/);
  await assert.rejects(loadPrecomputedEmbeddings({ file: '/nonexistent.jsonl' }), /file must be an existing JSONL file/);
});

test('loadPrecomputedEmbeddings reads the LFW embeddings (when present)', { skip: !existsSync(precomputedEmbeddingsPath()) }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 500 });
  assert.ok(d.embeddings.length > 400 && d.embeddings.length <= 500);
  assert.equal(d.embeddings.length + d.skippedNoFace, 500);
  assert.equal(d.embeddings[0].length, 128);
  assert.equal(d.files[0], 'AJ_Cook/AJ_Cook_0001.jpg');
  assert.equal(d.identities.length, d.labels.length);
  const multi = await loadPrecomputedEmbeddings({ limit: 500, minPhotosPerIdentity: 2 });
  const counts = new Map<number, number>();
  for (const l of multi.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  assert.ok([...counts.values()].every((c) => c >= 2));
});
