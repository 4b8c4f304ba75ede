// Flip test-time augmentation (mobilefacenet512 `flip: true`): the mirror kernel on a hand-checkable chip, and on a
// real LFW face a unit vector that differs from the plain one and equals (plain + mirrored) / |plain + mirrored|.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { normCrop } from '../../lib/align/norm-crop.ts';
import { chipToFloats, sumNormalized } from '../../lib/embed/_chip.ts';
import { MOBILEFACENET512_WEIGHTS } from '../../lib/embed/mobilefacenet512.ts';
import { createEmbedder } from '../../lib/embed/registry.ts';
import { decodeImage } from '../../lib/image/decode.ts';
import { findData, findModelFile } from '../../lib/paths.ts';
import { createFaceEncoder } from '../../lib/pipeline/face-encoder.ts';
import { openOnnxSessions } from '../../lib/runtime/onnx.ts';
import type { Landmarks5, RgbImage } from '../../lib/types.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = !twoFaces ? 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)' : !existsSync(findModelFile(MOBILEFACENET512_WEIGHTS)) ? 'mobilefacenet512 weights missing: run `npm run models:fetch`' : false;
const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const dist = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

test('chipToFloats mirror: a 3x1 chip read right to left, per layout and channel order', () => {
  // pixels (R,G,B): p0 = (1,2,3), p1 = (4,5,6), p2 = (7,8,9); mirrored row: p2 p1 p0
  const chip: RgbImage = { width: 3, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
  const out = new Float32Array(9);
  chipToFloats(chip, { layout: 'nhwc', channels: 'rgb', mean: 0, std: 1 }, out, 0, true);
  assert.deepEqual([...out], [7, 8, 9, 4, 5, 6, 1, 2, 3]);
  // nchw, bgr: plane B = (9, 6, 3), plane G = (8, 5, 2), plane R = (7, 4, 1)
  chipToFloats(chip, { layout: 'nchw', channels: 'bgr', mean: 0, std: 1 }, out, 0, true);
  assert.deepEqual([...out], [9, 6, 3, 8, 5, 2, 7, 4, 1]);
  // (v - 1) / 2, offset 1 in a longer buffer; the plain read is unchanged by the flag's default
  const big = new Float32Array(10);
  chipToFloats(chip, { layout: 'nhwc', channels: 'rgb', mean: 1, std: 2 }, big, 1, true);
  assert.deepEqual([...big], [0, 3, 3.5, 4, 1.5, 2, 2.5, 0, 0.5, 1]);
  chipToFloats(chip, { layout: 'nhwc', channels: 'rgb', mean: 0, std: 1 }, out);
  assert.deepEqual([...out], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('sumNormalized: the unit vectors of a and b added, then scaled to unit length', () => {
  // a = (3, 0) -> (1, 0); b = (0, 5) -> (0, 1); sum (1, 1) -> (1/√2, 1/√2)
  const v = sumNormalized('t', [3, 0], [0, 5]);
  assert.ok(Math.abs(v[0] - Math.SQRT1_2) < 1e-7 && Math.abs(v[1] - Math.SQRT1_2) < 1e-7);
  assert.throws(() => sumNormalized('t', [0, 0], [1, 0]), /t: the model returned an embedding of norm 0/);
});

test('mobilefacenet512 flip: a unit vector, not the plain one, equal to plain + mirrored normalised; no session left', { skip: SKIP }, async () => {
  const sessions = openOnnxSessions();
  const enc = await createFaceEncoder();
  const decoded = await decodeImage(join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0001.jpg'));
  const r = await enc.encodeDecoded(decoded);
  enc.dispose();
  assert.equal(r.status, 'ok');
  const s = decoded.scale;
  const lm = r.faces[0].landmarks5.map((p) => ({ x: p.x * s, y: p.y * s })) as Landmarks5;
  const plain = await createEmbedder('mobilefacenet512');
  const flip = await createEmbedder('mobilefacenet512', { flip: true });
  const chip = normCrop(decoded.image, lm, plain.template, plain.inputSize).chip;
  const mirrored: RgbImage = { width: chip.width, height: chip.height, data: new Uint8Array(chip.data.length) };
  for (let y = 0; y < chip.height; y++) {
    for (let x = 0; x < chip.width; x++) {
      for (let c = 0; c < 3; c++) mirrored.data[(y * chip.width + x) * 3 + c] = chip.data[(y * chip.width + chip.width - 1 - x) * 3 + c];
    }
  }
  const [a] = await plain.embed([chip]);
  const [b] = await plain.embed([mirrored]);
  const [f] = await flip.embed([chip]);
  const [fm] = await flip.embed([mirrored]);
  assert.ok(Math.abs(norm(f) - 1) < 1e-5, `unit length, got ${norm(f)}`);
  assert.ok(dist(f, a) > 1e-3, `differs from the plain vector (distance ${dist(f, a)})`);
  // a face and its mirror are the same person: close, but not the same vector
  assert.ok(dist(a, b) > 1e-3 && dist(a, b) < 0.8, `plain vs mirrored distance ${dist(a, b)}`);
  assert.ok(dist(f, sumNormalized('t', a, b)) < 1e-5, 'flip = (a + b) normalised');
  assert.ok(dist(f, fm) < 1e-4, `the flip vector of the mirrored chip is the same (${dist(f, fm)})`);
  plain.dispose();
  flip.dispose();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(openOnnxSessions(), sessions, 'dispose() releases both sessions');
});

test('mobilefacenet512 flip: a non-boolean is an error naming the parameter', async () => {
  await assert.rejects(createEmbedder('mobilefacenet512', { flip: 'yes' as never }), /createMobilefacenet512Embedder: flip must be a boolean, got "yes"\./);
});
