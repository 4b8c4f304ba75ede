// faceplugin's 68-point landmarker (fr_landmark.onnx): its input kernel on hand-checkable images, its points on real
// LFW faces near face-api's, the registry's errors, a missing model file, and no ONNX session left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLandmarker, LANDMARKER_NAMES } from '../../lib/detect/landmarkers.ts';
import { landmarks5From68 } from '../../lib/detect/landmarks68.ts';
import { FACEPLUGIN68_WEIGHTS, faceplugin68Input } from '../../lib/detect/landmarks-faceplugin.ts';
import { createDetector } from '../../lib/detect/registry.ts';
import { decodeImage } from '../../lib/image/decode.ts';
import { findData, findModelFile } from '../../lib/paths.ts';
import { openOnnxSessions } from '../../lib/runtime/onnx.ts';
import type { RgbImage } from '../../lib/types.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = !twoFaces ? 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)' : !existsSync(findModelFile(FACEPLUGIN68_WEIGHTS)) ? 'fr_landmark.onnx missing: run `npm run models:fetch`' : false;

test('faceplugin68Input: grey = round(0.299 R + 0.587 G + 0.114 B) / 256; a 64x64 box is read pixel for pixel; edges repeat', () => {
  // one colour: (100, 150, 200) -> 29.9 + 88.05 + 22.8 = 140.75 -> 141
  const flat: RgbImage = { width: 80, height: 70, data: new Uint8Array(80 * 70 * 3).map((_, i) => [100, 150, 200][i % 3]) };
  const out = new Float32Array(64 * 64);
  faceplugin68Input(flat, 5, 3, 64, 64, out);
  assert.ok(out.every((v) => v === 141 / 256));
  // a ramp: pixel (x, y) grey x + y (R = G = B), so scale 1 reads back x + y exactly
  const ramp: RgbImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).map((_, i) => Math.floor(i / 3) % 64 + Math.floor(i / 3 / 64)) };
  faceplugin68Input(ramp, 0, 0, 64, 64, out);
  assert.equal(out[0], 0);
  assert.equal(out[10 * 64 + 20] * 256, 30); // row 10, column 20
  assert.equal(out[63 * 64 + 63] * 256, 126);
  // the box shifted 10 px left of the image: its first 10 columns repeat column 0 (grey = y), then x - 10 + y
  faceplugin68Input(ramp, -10, 0, 64, 64, out);
  assert.equal(out[5 * 64 + 3] * 256, 5);
  assert.equal(out[5 * 64 + 30] * 256, 25);
});

test('createLandmarker: an unknown name lists the valid ones; the default comes first', async () => {
  assert.deepEqual(LANDMARKER_NAMES, ['faceapi68', 'faceplugin68']);
  await assert.rejects(createLandmarker('dlib68' as never), /createLandmarker: name must be one of "faceapi68", "faceplugin68", got "dlib68"\./);
  await assert.rejects(createLandmarker('faceplugin68', { threads: 0 }), /createFaceplugin68Landmarker: threads must be an integer >= 1 and <= 256, got 0\./);
  await assert.rejects(createLandmarker('faceplugin68', { size: 64 } as never), /createFaceplugin68Landmarker: unknown option "size"/);
});

test('faceplugin68: a missing model file is an error naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-landmark-'));
  try {
    const missing = join(dir, 'fr_landmark.onnx');
    await assert.rejects(createLandmarker('faceplugin68', { modelPath: missing }), (e: Error) => e.message.includes(missing) && /does not exist/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('faceplugin68: on 6 LFW faces (UltraFace boxes) the eye and mouth points lie within 20% of the eye distance of face-api\'s, 10% on average', { skip: SKIP }, async () => {
  const sessions = openOnnxSessions();
  const det = await createDetector('ultraface');
  const ours = await createLandmarker('faceplugin68');
  const faceapi = await createLandmarker('faceapi68');
  let sum = 0;
  let count = 0;
  for (const file of ['Bill_Gates/Bill_Gates_0001.jpg', 'Bill_Gates/Bill_Gates_0002.jpg', 'Bill_Gates/Bill_Gates_0003.jpg', 'Abdullah_Gul/Abdullah_Gul_0001.jpg', 'Abdullah_Gul/Abdullah_Gul_0002.jpg', 'Abdullah_Gul/Abdullah_Gul_0003.jpg']) {
    const { image } = await decodeImage(join(twoFaces!, file));
    const [face] = await det.detect(image);
    const [pts] = await ours.landmarks(image, [face.box]);
    const [ref] = await faceapi.landmarks(image, [face.box]);
    assert.equal(pts.length, 68);
    const a = landmarks5From68(pts);
    const b = landmarks5From68(ref);
    const eyes = Math.hypot(b[0].x - b[1].x, b[0].y - b[1].y);
    assert.ok(eyes > 25, `${file}: face-api's eyes ${eyes.toFixed(1)} px apart`);
    for (const [k, name] of ['left eye', 'right eye', 'nose', 'left mouth corner', 'right mouth corner'].entries()) {
      const d = Math.hypot(a[k].x - b[k].x, a[k].y - b[k].y);
      // two nets trained on different annotations disagree by a few pixels; a wrong output layout (x/y swapped,
      // points relative to the 64-px input instead of the box) puts them 30-100% of the eye distance off
      assert.ok(d < 0.2 * eyes, `${file}: ${name} ${d.toFixed(1)} px from face-api's (eyes ${eyes.toFixed(1)} px apart)`);
      sum += d / eyes;
      count++;
    }
  }
  assert.ok(sum / count < 0.1, `mean distance ${(sum / count).toFixed(3)} of the eye distance`);
  assert.deepEqual(await ours.landmarks({ width: 1, height: 1, data: new Uint8Array(3) }, []), []);
  await assert.rejects(ours.landmarks({ width: 1, height: 1, data: new Uint8Array(3) }, [{ x: 0, y: 0, width: 0, height: 5 }]), /faceplugin68.landmarks: boxes\[0\] must have a finite position and a size >= 1 pixel/);
  det.dispose();
  ours.dispose();
  faceapi.dispose();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(openOnnxSessions(), sessions, 'dispose() releases the ONNX sessions');
  await assert.rejects(ours.landmarks({ width: 1, height: 1, data: new Uint8Array(3) }, []), /the landmarker was disposed/);
});
