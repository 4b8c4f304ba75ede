import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createMtcnn, MTCNN_CONFIG_DEFAULTS, mtcnnWeightsDir, type MtcnnDetector } from '../../lib/detect/mtcnn.ts';
import { nms, type ScoredBox } from '../../lib/detect/mtcnn/nms.ts';
import { fix, pnetCandidates, pyramidScales, regress, regressPnet, square } from '../../lib/detect/mtcnn/boxes.ts';
import { normalisePixel, resampleInto } from '../../lib/detect/mtcnn/resample.ts';
import { createDetector } from '../../lib/detect/registry.ts';
import { findData } from '../../lib/paths.ts';
import { loadFaceApiNet, releaseFaceApiNet } from '../../lib/runtime/face-api.ts';
import { loadTf } from '../../lib/runtime/tf.ts';
import type { Point, RgbImage } from '../../lib/types.ts';

// ---- NMS, worked by hand ---------------------------------------------------------------------------
// Inclusive pixel boxes: area = (x2 - x1 + 1) * (y2 - y1 + 1).
const A: ScoredBox = { x1: 0, y1: 0, x2: 9, y2: 9, score: 0.9 }; // area 100
const B: ScoredBox = { x1: 1, y1: 1, x2: 10, y2: 10, score: 0.8 }; // area 100; A & B: 9 x 9 = 81, IoU 81 / 119 = 0.68
const C: ScoredBox = { x1: 20, y1: 20, x2: 29, y2: 29, score: 0.7 }; // far from all
const D: ScoredBox = { x1: 2, y1: 2, x2: 5, y2: 5, score: 0.95 }; // area 16, inside A and B: IoU 0.16, min-overlap 1

test('nms union: keeps the best, drops boxes with IoU > threshold', () => {
  // Order by score: D, A, B, C. D kept; A vs D IoU 0.16 kept; B vs D 0.16, B vs A 0.68 > 0.5: dropped; C kept.
  assert.deepEqual(nms([A, B, C, D], 0.5, 'union'), [3, 0, 2]);
  // At 0.7 B survives A (0.68 <= 0.7).
  assert.deepEqual(nms([A, B, C, D], 0.7, 'union'), [3, 0, 1, 2]);
});

test('nms min: a box nested in a better one is dropped (overlap / smaller area = 1)', () => {
  // D is inside A and B: relative to D's area both overlap 16 / 16 = 1 > 0.7: dropped. C stays.
  assert.deepEqual(nms([A, B, C, D], 0.7, 'min'), [3, 2]);
});

test('nms: an overlap equal to the threshold is kept (suppression needs > threshold)', () => {
  const half: ScoredBox = { x1: 0, y1: 0, x2: 9, y2: 4, score: 0.5 }; // area 50 inside A: IoU exactly 50 / 100
  assert.deepEqual(nms([A, half], 0.5, 'union'), [0, 1]);
  assert.deepEqual(nms([A, half], 0.49, 'union'), [0]);
});

test('nms: degenerate inputs (none, one, equal scores) and input not modified', () => {
  assert.deepEqual(nms([], 0.5, 'union'), []);
  assert.deepEqual(nms([C], 0.5, 'min'), [0]);
  // Two identical boxes with the same score: the lower index is kept.
  const boxes = [{ ...A, score: 0.5 }, { ...A, score: 0.5 }];
  const copy = structuredClone(boxes);
  assert.deepEqual(nms(boxes, 0.5, 'union'), [0]);
  assert.deepEqual(boxes, copy);
});

// ---- box arithmetic ---------------------------------------------------------------------------------
test('pyramidScales: first scale 12 / minSize, ratio factor, while the shorter side >= 12', () => {
  // 250x250, minSize 20: m = 0.6, shorter sides 150, 106.4, 75.4, 53.5, 37.9, 26.9, 19.1, 13.5 (9.6 stops): 8 scales.
  const s = pyramidScales(250, 250, 20, 0.709);
  assert.equal(s.length, 8);
  assert.ok(Math.abs(s[0] - 0.6) < 1e-12);
  assert.ok(Math.abs(s[7] - 0.6 * 0.709 ** 7) < 1e-12);
  // Boundary: the shorter side exactly 12 at scale 1 is kept; the next (6) is not.
  assert.deepEqual(pyramidScales(12, 100, 12, 0.5), [1]);
  assert.deepEqual(pyramidScales(100, 11, 12, 0.5), []); // too small for one P-Net window
});

test('pnetCandidates: cell (column 1, row 2) at scale 0.5 maps to the box [6, 10, 28, 32]', () => {
  // P-Net output on the transposed image: width 2, height 3, laid out [x][y][channel].
  const prob = new Float32Array(2 * 3 * 2);
  const reg = new Float32Array(2 * 3 * 4);
  const cell = 1 * 3 + 2; // x = 1, y = 2
  prob[cell * 2 + 1] = 0.9;
  reg.set([0.1, 0.2, 0.3, 0.4], cell * 4);
  prob[0 * 2 + 1] = 0.6; // cell (0, 0): exactly at the threshold -> kept (P-Net keeps >= threshold)
  const c = pnetCandidates(prob, reg, 2, 3, 0.5, 0.6);
  assert.equal(c.length, 2);
  // x1 = fix((2*1 + 1) / 0.5) = 6; y1 = fix((2*2 + 1) / 0.5) = 10; x2 = fix((2 + 12) / 0.5) = 28; y2 = fix((4 + 12) / 0.5) = 32.
  const b = c.find((x) => Math.abs(x.score - 0.9) < 1e-6)!;
  assert.deepEqual([b.x1, b.y1, b.x2, b.y2], [6, 10, 28, 32]);
  assert.deepEqual(b.reg.map((v) => +v.toFixed(6)), [0.1, 0.2, 0.3, 0.4]);
  const z = c.find((x) => Math.abs(x.score - 0.6) < 1e-6)!;
  assert.deepEqual([z.x1, z.y1, z.x2, z.y2], [2, 2, 24, 24]); // fix(1 / 0.5) = 2, fix(12 / 0.5) = 24
});

test('regressPnet scales by x2 - x1, regress by x2 - x1 + 1; square; fix', () => {
  // (1, 1, 11, 11): P-Net width 10 -> x1 + 0.1 * 10 = 2, y2 + 0.5 * 10 = 16.
  assert.deepEqual(regressPnet({ x1: 1, y1: 1, x2: 11, y2: 11, score: 1, reg: [0.1, 0, 0, 0.5] }), { x1: 2, y1: 1, x2: 11, y2: 16, score: 1 });
  // (1, 1, 10, 10): inclusive width 10 -> (1 + 1, 1 - 2, 10 + 0, 10 + 5).
  assert.deepEqual(regress({ x1: 1, y1: 1, x2: 10, y2: 10, score: 1 }, [0.1, -0.2, 0, 0.5]), { x1: 2, y1: -1, x2: 10, y2: 15, score: 1 });
  // (0, 0, 10, 4): w 10, h 4 -> side 10 centred: y1 = 0 + 2 - 5 = -3, y2 = 7.
  assert.deepEqual(square({ x1: 0, y1: 0, x2: 10, y2: 4, score: 1 }), { x1: 0, y1: -3, x2: 10, y2: 7, score: 1 });
  // fix truncates toward zero, like numpy: -2.7 -> -2, 3.9 -> 3.
  assert.deepEqual(fix({ x1: -2.7, y1: 3.9, x2: 5.5, y2: -0.2, score: 1 }), { x1: -2, y1: 3, x2: 5, y2: 0, score: 1 });
});

// ---- resampling (OpenCV INTER_AREA), written transposed and normalised --------------------------------
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([y * width + x, 100, 2 * x], (y * width + x) * 3);
  return { data, width, height };
}
const denorm = (v: number) => +(v / 0.0078125 + 127.5).toFixed(4);

test('resampleInto: 4x4 -> 2x2 is the 2x2 block mean, transposed (element [x][y]), normalised', () => {
  const out = new Float32Array(2 * 2 * 3);
  resampleInto(gradient(4, 4), 0, 0, 4, 4, 2, 2, out, 0, false);
  // Red = y * 4 + x: blocks (0,1,4,5) = 2.5 top-left, (2,3,6,7) = 4.5 top-right, 10.5 bottom-left, 12.5 bottom-right.
  // Transposed: [x=0][y=0], [x=0][y=1], [x=1][y=0], [x=1][y=1].
  assert.deepEqual([0, 1, 2, 3].map((i) => denorm(out[i * 3])), [2.5, 10.5, 4.5, 12.5]);
  assert.equal(denorm(out[1]), 100); // green constant
  assert.equal(out[0], normalisePixel(2.5));
  // With rounding (OpenCV on uint8): ties to even: 2.5 -> 2, 10.5 -> 10, 4.5 -> 4, 12.5 -> 12.
  resampleInto(gradient(4, 4), 0, 0, 4, 4, 2, 2, out, 0, true);
  assert.deepEqual([0, 1, 2, 3].map((i) => denorm(out[i * 3])), [2, 10, 4, 12]);
});

test('resampleInto: 3 -> 2 weights partial pixels by coverage (OpenCV area table)', () => {
  // One row, red = 0, 1, 2 (x). Scale 1.5: output 0 covers [0, 1.5): (0 * 1 + 1 * 0.5) / 1.5 = 1/3;
  // output 1 covers [1.5, 3): (1 * 0.5 + 2 * 1) / 1.5 = 5/3.
  const out = new Float32Array(2 * 1 * 3);
  resampleInto(gradient(3, 1), 0, 0, 3, 1, 2, 1, out, 0, false);
  assert.ok(Math.abs(denorm(out[0]) - 1 / 3) < 1e-3, String(denorm(out[0])));
  assert.ok(Math.abs(denorm(out[3]) - 5 / 3) < 1e-3, String(denorm(out[3])));
});

test('resampleInto: enlarging follows OpenCV INTER_AREA (3 -> 4: s0, s0, s1/3 + 2 s2/3, s2)', () => {
  const img: RgbImage = { data: Uint8Array.from([30, 0, 0, 60, 0, 0, 90, 0, 0]), width: 3, height: 1 };
  const out = new Float32Array(4 * 1 * 3);
  // 3 -> 4 wide and 1 -> 1 high (not shrinking on both axes: the enlarge rule on both).
  resampleInto(img, 0, 0, 3, 1, 4, 1, out, 0, false);
  assert.deepEqual([0, 1, 2, 3].map((i) => +denorm(out[i * 3]).toFixed(2)), [30, 30, 80, 90]);
});

test('resampleInto: a crop reaching outside the image is zero-padded there', () => {
  // Region x in [-2, 2) of a 4x1 image, no scaling: two padding pixels (0), then red 0, 1.
  const out = new Float32Array(4 * 1 * 3);
  resampleInto(gradient(4, 1), -2, 0, 4, 1, 4, 1, out, 0, false);
  assert.deepEqual([0, 1, 2, 3].map((i) => denorm(out[i * 3 + 1])), [0, 0, 100, 100]); // green: 0 outside, 100 inside
});

// ---- options ----------------------------------------------------------------------------------------
test('createMtcnn rejects bad options with the documented message', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ minSize: 5 }, /^FaceclusterError: createMtcnn: minSize must be a finite number >= 12, got 5\.$/],
    [{ scaleFactor: 1 }, /^FaceclusterError: createMtcnn: scaleFactor must be a finite number > 0 and <= 0\.95, got 1\.$/],
    [{ thresholds: [0.6, 0.7] }, /^FaceclusterError: createMtcnn: thresholds must be an array of 3 numbers in \[0, 1\], got \[0\.6,0\.7\]\.$/],
    [{ thresholds: [0.6, 0.7, 2] }, /thresholds must be an array of 3 numbers in \[0, 1\]/],
    [{ batchSize: 0 }, /^FaceclusterError: createMtcnn: batchSize must be an integer >= 1, got 0\.$/],
    [{ weightsDir: '' }, /^FaceclusterError: createMtcnn: weightsDir must be a folder path, got ""\.$/],
    [{ nope: 1 }, /^FaceclusterError: createMtcnn: unknown option "nope"; valid options are weightsDir, minSize, scaleFactor, thresholds, batchSize\.$/],
  ];
  for (const [config, message] of cases) await assert.rejects(createMtcnn(config as never), (e: Error) => message.test(String(e)), JSON.stringify(config));
});

test('createMtcnn: missing weights say which files and how to get them', async () => {
  await assert.rejects(
    createMtcnn({ weightsDir: '/nonexistent/mtcnn' }),
    /createMtcnn: weightsDir must be a folder holding det1\.npy, det2\.npy, det3\.npy, got "\/nonexistent\/mtcnn" \(missing det1\.npy, det2\.npy, det3\.npy\); run `npm run models:mtcnn`/,
  );
});

test('mtcnnWeightsDir: FACECLUSTER_MTCNN_WEIGHTS wins over modelsDir()/mtcnn', () => {
  const saved = process.env.FACECLUSTER_MTCNN_WEIGHTS;
  try {
    process.env.FACECLUSTER_MTCNN_WEIGHTS = '/some/where';
    assert.equal(mtcnnWeightsDir(), '/some/where');
    delete process.env.FACECLUSTER_MTCNN_WEIGHTS;
    assert.match(mtcnnWeightsDir(), /[/\\]mtcnn$/);
  } finally {
    if (saved === undefined) delete process.env.FACECLUSTER_MTCNN_WEIGHTS;
    else process.env.FACECLUSTER_MTCNN_WEIGHTS = saved;
  }
});

// ---- the real detector on real photos (when the weights and the LFW subset are present) ---------------
const weightsDir = mtcnnWeightsDir();
const haveWeights = ['det1.npy', 'det2.npy', 'det3.npy'].every((f) => existsSync(join(weightsDir, f)));
const twoFaces = findData('lfw-subset/2faces');
const skipReal = !haveWeights ? `MTCNN weights not found in ${weightsDir} (npm run models:mtcnn)` : !twoFaces ? 'LFW subset lfw-subset/2faces not found (FACECLUSTER_DATA)' : false;

async function decode(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

let shared: MtcnnDetector | undefined;
after(() => shared?.dispose());

test('mtcnn finds the centred face of LFW photos, with landmarks in anatomical order', { skip: skipReal }, async () => {
  const { tf } = await loadTf();
  shared = await createMtcnn();
  const files: string[] = [];
  for (const person of readdirSync(twoFaces!).sort()) {
    files.push(...readdirSync(join(twoFaces!, person)).sort().slice(0, 4).map((f) => join(twoFaces!, person, f)));
  }
  assert.equal(files.length, 8);
  for (const file of files) {
    const image = await decode(file);
    const before = tf.memory().numTensors;
    const faces = await shared.detect(image);
    assert.equal(tf.memory().numTensors, before, `${file}: no tensor leaked by detect`);
    assert.ok(faces.length >= 1, `${file}: a face`);
    // LFW labels the face at the centre (125, 125) of the 250x250 photo.
    const centred = faces.find((f) => f.box.x < 125 && 125 < f.box.x + f.box.width && f.box.y < 125 && 125 < f.box.y + f.box.height);
    assert.ok(centred, `${file}: a face box covers the centre`);
    assert.ok(centred.score > 0.9, `${file}: score ${centred.score}`);
    assert.ok(centred.box.width > 50 && centred.box.width < 200, `${file}: plausible face width ${centred.box.width}`);
    const [le, re, nose, lm, rm] = centred.landmarks5!;
    assert.ok(le.x < re.x && lm.x < rm.x, `${file}: left points have the smaller x`);
    assert.ok(Math.max(le.y, re.y) < nose.y && nose.y < Math.min(lm.y, rm.y), `${file}: eyes above nose above mouth`);
    for (const p of centred.landmarks5!) {
      assert.ok(p.x > centred.box.x && p.x < centred.box.x + centred.box.width && p.y > centred.box.y && p.y < centred.box.y + centred.box.height, `${file}: landmark inside the box`);
    }
    // Faces come best first, each box inside the image.
    for (let i = 1; i < faces.length; i++) assert.ok(faces[i - 1].score >= faces[i].score);
    for (const f of faces) assert.ok(f.box.x >= 0 && f.box.y >= 0 && f.box.x + f.box.width <= image.width && f.box.y + f.box.height <= image.height);
  }
});

test('mtcnn: blank and tiny images give no face; options filter; bad images throw', { skip: skipReal }, async () => {
  const { tf } = await loadTf();
  shared ??= await createMtcnn();
  const before = tf.memory().numTensors;
  const grey: RgbImage = { data: new Uint8Array(120 * 80 * 3).fill(128), width: 120, height: 80 };
  assert.deepEqual(await shared.detect(grey), []);
  // 10x10 is smaller than one P-Net window at minSize 20: no pyramid level, no face, no error.
  assert.deepEqual(await shared.detect({ data: new Uint8Array(10 * 10 * 3), width: 10, height: 10 }), []);
  assert.equal(tf.memory().numTensors, before);
  const photo = await decode(join(twoFaces!, 'Bill_Gates', readdirSync(join(twoFaces!, 'Bill_Gates')).sort()[0]));
  const all = await shared.detect(photo);
  assert.ok(all.length >= 1);
  // minFaceSize 200 on a 250-pixel photo: the LFW faces (~100 px) are all smaller.
  assert.deepEqual(await shared.detect(photo, { minFaceSize: 200 }), []);
  // minScore above every score drops everything; 0 keeps all.
  const top = Math.max(...all.map((f) => f.score));
  if (top < 1) assert.deepEqual(await shared.detect(photo, { minScore: Math.min(1, top + 1e-6) }), []);
  assert.equal((await shared.detect(photo, { minScore: 0 })).length, all.length);
  await assert.rejects(shared.detect(photo, { minScore: 2 }), /mtcnn\.detect: minScore must be a finite number >= 0 and <= 1, got 2\./);
  await assert.rejects(shared.detect(photo, { nope: 1 } as never), /mtcnn\.detect: unknown option "nope"/);
  await assert.rejects(shared.detect({ data: new Uint8Array(5), width: 2, height: 2 }), /mtcnn\.detect: image\.data must be a Uint8Array of width \* height \* 3 = 12 bytes, got Uint8Array of length 5\./);
  await assert.rejects(shared.detect({ data: new Uint8Array(0), width: 0, height: 2 }), /mtcnn\.detect: image must be an image of at least 1x1 pixels, got "0x2"\./);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked on the error paths');
});

test('mtcnn via the registry: dispose frees every weight tensor; detect afterwards throws', { skip: skipReal }, async () => {
  const { tf } = await loadTf();
  const before = tf.memory().numTensors;
  const detector = await createDetector('mtcnn', { thresholds: [...MTCNN_CONFIG_DEFAULTS.thresholds] as [number, number, number] });
  assert.equal(detector.name, 'mtcnn');
  // det1: 13 parameter arrays, det2: 16, det3: 21.
  assert.equal(tf.memory().numTensors - before, 50);
  const photo = await decode(join(twoFaces!, 'Abdullah_Gul', readdirSync(join(twoFaces!, 'Abdullah_Gul')).sort()[0]));
  assert.ok((await detector.detect(photo)).length >= 1);
  assert.equal(tf.memory().numTensors - before, 50);
  detector.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose frees everything');
  detector.dispose(); // twice is harmless
  await assert.rejects(detector.detect(photo), /mtcnn\.detect: the detector has been disposed\./);
});

test('mtcnn landmarks agree with face-api 68-point landmarks (eye centres, nose tip 30, mouth corners 48/54)', { skip: skipReal }, async () => {
  const { tf } = await loadTf();
  shared ??= await createMtcnn();
  const { faceapi } = await loadFaceApiNet('faceLandmark68Net');
  try {
    const errors: number[] = [];
    for (const person of readdirSync(twoFaces!).sort()) {
      for (const f of readdirSync(join(twoFaces!, person)).sort().slice(0, 5)) {
        const image = await decode(join(twoFaces!, person, f));
        const face = (await shared.detect(image)).find((d) => d.box.x < 125 && 125 < d.box.x + d.box.width)!;
        // face-api's landmark net on the MTCNN box (whole pixels), mapped back to the image.
        const x0 = Math.floor(face.box.x);
        const y0 = Math.floor(face.box.y);
        const crop = tf.tidy(() => {
          const whole = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
          return tf.slice(whole, [y0, x0, 0], [Math.ceil(face.box.height), Math.ceil(face.box.width), 3]);
        });
        const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop as never);
        crop.dispose();
        const pts: Point[] = (Array.isArray(lm) ? lm[0] : lm).positions.map((p) => ({ x: p.x + x0, y: p.y + y0 }));
        const avg = (ps: Point[]) => ({ x: ps.reduce((a, p) => a + p.x, 0) / ps.length, y: ps.reduce((a, p) => a + p.y, 0) / ps.length });
        const ref = [avg(pts.slice(36, 42)), avg(pts.slice(42, 48)), pts[30], pts[48], pts[54]];
        const iod = Math.hypot(ref[0].x - ref[1].x, ref[0].y - ref[1].y);
        face.landmarks5!.forEach((p, k) => errors.push(Math.hypot(p.x - ref[k].x, p.y - ref[k].y) / iod));
      }
    }
    assert.equal(errors.length, 10 * 5);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    // On all of lfw-subset/120faces the mean is about 5% (bench/mtcnn-vs-ssd.ts); points swapped left/right or
    // off by a few pixels would give 30% and more.
    assert.ok(mean < 0.08, `mean landmark error ${(100 * mean).toFixed(1)}% of the inter-ocular distance`);
  } finally {
    await releaseFaceApiNet('faceLandmark68Net');
  }
});
