import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { FACEPLUGIN68_WEIGHTS } from '../../lib/detect/landmarks-faceplugin.ts';
import { ENCODE_FOLDER_DEFAULTS, toParameters } from '../../lib/pipeline/encode-folder.ts';
import { createFaceEncoder, resolveFaceEncoderOptions } from '../../lib/pipeline/face-encoder.ts';
import { findData, findModelFile } from '../../lib/paths.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';

test('face encoder: a photo downscaled for detection still reports boxes and landmarks in original pixels', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-enc-'));
  try {
    const src = join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0001.jpg');
    const big = join(dir, 'big.png');
    await sharp(src).resize(1000, 1000, { kernel: 'lanczos3' }).png().toFile(big); // 4x the 250x250 original
    const enc = await createFaceEncoder({ maxSide: 250 }); // works on a 250x250 copy of the 1000x1000 photo
    const small = await enc.encodeFile(src);
    const large = await enc.encodeFile(big);
    enc.dispose();
    assert.equal(large.status, 'ok');
    assert.equal(small.status, 'ok');
    assert.deepEqual([large.width, large.height], [1000, 1000]); // original size reported
    const a = small.faces[0], b = large.faces[0];
    // same face at 4x the coordinates, within 6% of the face width (detector noise on the resampled photo;
    // a missing scale-back would be off by hundreds of pixels)
    const tol = 0.06 * b.box.width;
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(b.box[k] - 4 * a.box[k]) < tol, `${k}: ${JSON.stringify(b.box)} vs 4 x ${JSON.stringify(a.box)}`);
    a.landmarks5.forEach((p, i) => assert.ok(Math.hypot(b.landmarks5[i].x - 4 * p.x, b.landmarks5[i].y - 4 * p.y) < tol, `landmark ${i}`));
    // and the same identity embedding
    const d = Math.hypot(...a.embedding.map((v, i) => v - b.embedding[i]));
    assert.ok(d < 0.3, `embedding distance ${d}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('face encoder: bad options name the parameter', async () => {
  await assert.rejects(createFaceEncoder({ minScore: 1.5 }), /createFaceEncoder: minScore must be a finite number >= 0 and <= 1, got 1\.5\./);
  await assert.rejects(createFaceEncoder({ embedder: 'arcface' as never }), /createFaceEncoder: embedder must be one of "mobilefacenet512", "resnet128", "faceres", "mobileface", got "arcface"\./);
  await assert.rejects(createFaceEncoder({ align: { size: 4 } }), /alignFace: size must be an integer >= 16/);
  await assert.rejects(createFaceEncoder({ landmarker: 'dlib68' as never }), /createFaceEncoder: landmarker must be one of "faceapi68", "faceplugin68", got "dlib68"\./);
});

test('store parameters: the landmarker is recorded only when it is not faceapi68 (older stores keep their key)', () => {
  const base = { ...ENCODE_FOLDER_DEFAULTS, ...resolveFaceEncoderOptions({}) };
  assert.equal('landmarker' in toParameters({ ...base, landmarker: 'faceapi68' }, 128), false);
  assert.equal(toParameters({ ...base, landmarker: 'faceplugin68' }, 128).landmarker, 'faceplugin68');
});

test('face encoder: landmarker faceplugin68 gives 68 points near face-api\'s and the same person\'s embedding', { skip: SKIP || (!existsSync(findModelFile(FACEPLUGIN68_WEIGHTS)) && 'fr_landmark.onnx missing: run `npm run models:fetch`') }, async () => {
  const src = join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0001.jpg');
  const a = await createFaceEncoder();
  const b = await createFaceEncoder({ landmarker: 'faceplugin68' });
  const ra = await a.encodeFile(src);
  const rb = await b.encodeFile(src);
  a.dispose();
  b.dispose();
  assert.ok(ra.status === 'ok' && rb.status === 'ok');
  const fa = ra.faces[0], fb = rb.faces[0];
  assert.deepEqual(fa.box, fb.box, 'same detector, same box');
  assert.equal(fb.landmarks68?.length, 68);
  const eyes = Math.hypot(fa.landmarks5[0].x - fa.landmarks5[1].x, fa.landmarks5[0].y - fa.landmarks5[1].y);
  fa.landmarks5.forEach((p, i) => assert.ok(Math.hypot(fb.landmarks5[i].x - p.x, fb.landmarks5[i].y - p.y) < 0.12 * eyes, `point ${i}`));
  assert.notDeepEqual(fa.landmarks5, fb.landmarks5, 'another landmarker, other points');
  const d = Math.hypot(...fa.embedding.map((v, i) => v - fb.embedding[i]));
  assert.ok(d < 0.3, `resnet128 embedding distance between the two alignments ${d}`);
});
