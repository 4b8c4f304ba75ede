// The embedder's null response: poor faces told from the embeddings alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embedderNullResponse, embeddingQuality, identitylessChips, NULL_SIMILARITY_BAR } from '../../lib/quality/null-response.ts';
import { createEmbedder } from '../../lib/embed/registry.ts';
import { createFaceEncoder } from '../../lib/pipeline/face-encoder.ts';
import { findData } from '../../lib/paths.ts';
import { degradedCopies, largestFace } from './_degraded.ts';

test('embeddingQuality: 1 minus the cosine to the null response (hand-worked); a row of another length is named', () => {
  const nul = Float32Array.of(1, 0);
  const q = embeddingQuality([Float32Array.of(1, 0), Float32Array.of(0, 2), Float32Array.of(3, 3), Float32Array.of(-1, 0)], nul);
  assert.deepEqual(Array.from(q, (v) => +v.toFixed(6)), [0, 1, +(1 - Math.SQRT1_2).toFixed(6), 2]);
  assert.throws(() => embeddingQuality([Float32Array.of(1, 0, 0)], nul), /embeddingQuality: x\[0\] must be a vector of 2 numbers/);
  assert.ok(NULL_SIMILARITY_BAR > 0 && NULL_SIMILARITY_BAR < 1);
});

test('identitylessChips: six chips of the size asked, the same every call; a bad size is named', () => {
  const a = identitylessChips(16);
  const b = identitylessChips(16);
  assert.equal(a.length, 6);
  for (const c of a) assert.deepEqual([c.width, c.height, c.data.length], [16, 16, 16 * 16 * 3]);
  assert.deepEqual(a.map((c) => Buffer.from(c.data).toString('base64')), b.map((c) => Buffer.from(c.data).toString('base64')));
  assert.throws(() => identitylessChips(2), /identitylessChips: size must be an integer >= 8/);
});

const twoFaces = findData('lfw-subset/2faces');
test('a tiny or a blurred copy of a real face is nearer the null response than the face (LFW, default pipeline)', { skip: twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-null-'));
  const enc = await createFaceEncoder();
  const embedder = await createEmbedder('mobilefacenet512');
  try {
    const nul = await embedderNullResponse(embedder);
    assert.equal(nul.length, 512);
    assert.ok(Math.abs(Math.hypot(...nul) - 1) < 1e-5, 'a unit vector');
    const { src, tiny, blurred } = await degradedCopies(twoFaces!, dir);
    const largest = async (path: string) => (await largestFace(enc, path)).embedding;
    const [face, small, blur] = embeddingQuality([await largest(src), await largest(tiny), await largest(blurred)], nul);
    assert.ok(small < face && blur < face, `face ${face}, tiny ${small}, blurred ${blur}`);
    console.log(`# embedding quality: face ${face.toFixed(3)}, tiny ${small.toFixed(3)}, blurred ${blur.toFixed(3)}`);
    // a sharp frontal face is above the bar
    assert.ok(face > 1 - NULL_SIMILARITY_BAR, `face ${face}`);
  } finally {
    enc.dispose();
    embedder.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
