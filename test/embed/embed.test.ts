import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbedder } from '../../lib/embed/registry.ts';
import { createFaceEncoder } from '../../lib/pipeline/face-encoder.ts';
import { loadTf } from '../../lib/runtime/tf.ts';
import { findData } from '../../lib/paths.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';
const dist = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]));

test('createEmbedder: unknown name lists the valid ones; wrong chip size is refused', async () => {
  await assert.rejects(createEmbedder('facenet' as never), /createEmbedder: name must be one of "mobilefacenet512", "resnet128", "faceres", "mobileface", got "facenet"\./);
  const e = await createEmbedder('resnet128');
  await assert.rejects(e.embed([{ data: new Uint8Array(10 * 10 * 3), width: 10, height: 10 }]), /resnet128.embed: chips\[0\] must be 150x150, got 10x10\./);
  e.dispose();
});

test('resnet128: batched and single embeddings agree; same person closer than different; no tensor leak', { skip: SKIP }, async () => {
  const { tf } = await loadTf();
  const before = tf.memory().numTensors;
  const enc = await createFaceEncoder({ embedder: 'resnet128' });
  const files = [
    join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0001.jpg'),
    join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0002.jpg'),
    join(twoFaces!, 'Abdullah_Gul', 'Abdullah_Gul_0001.jpg'),
  ];
  const loaded = tf.memory().numTensors;
  const results = [];
  for (const f of files) results.push(await enc.encodeFile(f));
  assert.equal(tf.memory().numTensors, loaded, 'encoding photos leaves no tensors behind');
  const [g1, g2, a1] = results.map((r) => {
    assert.equal(r.status, 'ok');
    return r.faces[0].embedding;
  });
  assert.equal(g1.length, 128);
  // face-api's ResNet: same identity at Euclidean distance < 0.6
  assert.ok(dist(g1, g2) < 0.6, `Gates-Gates ${dist(g1, g2)}`);
  assert.ok(dist(g1, a1) > 0.6, `Gates-Gul ${dist(g1, a1)}`);
  enc.dispose();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(tf.memory().numTensors, before, 'dispose() frees every model');

  // batch of 3 chips == 3 single chips
  const e = await createEmbedder('resnet128', { batchSize: 3 });
  const chips = Array.from({ length: 3 }, (_, k) => ({ data: Uint8Array.from({ length: 150 * 150 * 3 }, (_, i) => (i * (k + 7)) % 251), width: 150, height: 150 }));
  const n = tf.memory().numTensors;
  const batched = await e.embed(chips);
  const single: Float32Array[] = [];
  for (const c of chips) single.push(...(await e.embed([c])));
  assert.equal(tf.memory().numTensors, n, 'embed() leaves no tensors behind');
  batched.forEach((b, i) => assert.ok(dist(b, single[i]) < 1e-4, `chip ${i}: batch == single`));
  e.dispose();
});
