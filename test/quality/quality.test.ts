// Face quality (lib/quality): the signals on hand-made chips and points, the score's direction, and on a real LFW
// face that a tiny or blurred copy of it scores lower than the face itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chipSharpness } from '../../lib/quality/sharpness.ts';
import { landmarkPose } from '../../lib/quality/pose.ts';
import { faceQuality, FACE_QUALITY_MODEL } from '../../lib/quality/face-quality.ts';
import { qualitySignals, type QualitySignals } from '../../lib/quality/signals.ts';
import { createFaceEncoder } from '../../lib/pipeline/face-encoder.ts';
import { findData } from '../../lib/paths.ts';
import { degradedCopies, largestFace } from './_degraded.ts';
import type { Landmarks5, RgbImage } from '../../lib/types.ts';

const chip = (size: number, value: (x: number, y: number) => number): RgbImage => {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill(value(x, y), (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { data, width: size, height: size };
};

test('chipSharpness: 0 for a flat chip; a checkerboard is sharper than a smooth ramp; bad chips name the parameter', () => {
  assert.equal(chipSharpness(chip(16, () => 128)), 0);
  // checkerboard 0/255: the Laplacian is ±4 x 255 at every pixel (mean 0), so its variance is (4 x 255)²
  assert.equal(chipSharpness(chip(16, (x, y) => ((x + y) % 2) * 255)), (4 * 255) ** 2);
  // a linear ramp has a zero Laplacian everywhere inside
  assert.equal(chipSharpness(chip(16, (x) => x * 10)), 0);
  assert.throws(() => chipSharpness({ data: new Uint8Array(12), width: 2, height: 2 }), /chipSharpness: chip must be an RGB image of at least 8 x 8 pixels/);
});

test('landmarkPose: frontal is 0; the nose a quarter of the eye distance towards an eye is yaw 0.25, whatever the roll', () => {
  // eyes (0,0) and (10,0), mouth corners at y 10, nose halfway: frontal
  const frontal: Landmarks5 = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 5 }, { x: 1, y: 10 }, { x: 9, y: 10 }];
  const p = landmarkPose(frontal);
  assert.deepEqual([p.yaw, p.pitch, p.roll, p.eyeDistance], [0, 0, 0, 10]);
  const turned: Landmarks5 = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 7.5, y: 5 }, { x: 1, y: 10 }, { x: 9, y: 10 }];
  assert.equal(landmarkPose(turned).yaw, 0.25);
  // the same face turned by 90 degrees in the image plane: (x, y) -> (-y, x)
  const rolled = turned.map((q) => ({ x: -q.y, y: q.x })) as Landmarks5;
  const r = landmarkPose(rolled);
  assert.ok(Math.abs(r.yaw - 0.25) < 1e-12 && Math.abs(r.roll - Math.PI / 2) < 1e-12, JSON.stringify(r));
  // nose at the eye line: pitch -0.5
  assert.equal(landmarkPose([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 0 }, { x: 1, y: 10 }, { x: 9, y: 10 }]).pitch, -0.5);
  assert.throws(() => landmarkPose([] as never), /landmarkPose: landmarks5 must be 5 points/);
});

test('faceQuality: higher with a longer raw vector, a larger face, a surer detection; a missing signal it uses is named', () => {
  const base: QualitySignals = { faceSide: 100, eyeDistance: 40, detectorScore: 0.95, yaw: 0, pitch: 0, sharpness: 100, embeddingNorm: 3 };
  const q = faceQuality(base);
  assert.ok(q > 0 && q < 1);
  assert.ok(faceQuality({ ...base, embeddingNorm: 2 }) < q);
  assert.ok(faceQuality({ ...base, faceSide: 20 }) < q);
  assert.ok(faceQuality({ ...base, detectorScore: 0.75 }) < q);
  // by hand: 1 / (1 + exp(-(b0 + b_side ln 100 + b_score 0.95 + b_norm 3)))
  const c = FACE_QUALITY_MODEL.coefficients;
  const z = FACE_QUALITY_MODEL.intercept + c.logSide * Math.log(100) + c.detectorScore * 0.95 + c.rawNorm * 3;
  assert.ok(Math.abs(q - 1 / (1 + Math.exp(-z))) < 1e-12);
  assert.throws(() => faceQuality({ ...base, embeddingNorm: null }), /faceQuality: signals.embeddingNorm must be a measured value/);
  assert.throws(() => faceQuality(null as never), /faceQuality: signals must be/);
  // the stored fields alone give the box side and pose
  const s = qualitySignals({ box: { x: 0, y: 0, width: 40, height: 90 }, score: 0.8, landmarks5: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 5, y: 5 }, { x: 1, y: 10 }, { x: 9, y: 10 }] });
  assert.deepEqual([s.faceSide, s.sharpness, s.embeddingNorm], [60, null, null]);
});

const twoFaces = findData('lfw-subset/2faces');
test('a tiny or a blurred copy of a real face scores lower than the face (LFW, default pipeline)', { skip: twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-quality-'));
  const enc = await createFaceEncoder();
  try {
    // the whole photo at a quarter of its side (the face about 25 px), and blurred at its own size
    const { src, tiny, blurred } = await degradedCopies(twoFaces!, dir);
    const largest = (path: string) => largestFace(enc, path);
    const face = await largest(src);
    assert.ok(face.quality !== undefined && face.sharpness !== undefined && face.embeddingNorm !== undefined, 'the pipeline stores the quality and its signals');
    for (const [name, path] of [['tiny', tiny], ['blurred', blurred]] as const) {
      const copy = await largest(path);
      assert.ok(copy.quality! < face.quality!, `${name} copy ${copy.quality} vs the face ${face.quality}`);
    }
    // the blur lowers what sharpness measures too
    assert.ok((await largest(blurred)).sharpness! < face.sharpness!);
  } finally {
    enc.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
