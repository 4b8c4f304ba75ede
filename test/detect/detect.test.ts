import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDetector, DETECTOR_NAMES } from '../../lib/detect/registry.ts';
import { createLandmarker68, landmarks5From68 } from '../../lib/detect/landmarks68.ts';
import { decodeImage } from '../../lib/image/decode.ts';
import { loadTf } from '../../lib/runtime/tf.ts';
import { findData } from '../../lib/paths.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';

test('createDetector: an unknown name lists the valid ones (no fallback)', async () => {
  await assert.rejects(createDetector('yolo' as never), (e: Error) => {
    assert.match(e.message, /^createDetector: name must be one of "ultraface", "ssd-mobilenet", "tiny"/);
    assert.match(e.message, /got "yolo"\.$/);
    return true;
  });
  assert.equal(DETECTOR_NAMES[0], 'ultraface'); // the default comes first
});

test('createDetector: bad config and per-call options name the parameter', async () => {
  await assert.rejects(createDetector('tiny', { inputSize: 100 }), /createTinyDetector: inputSize must be a multiple of 32, got 100\./);
  await assert.rejects(createDetector('ssd-mobilenet', { retryPadding: -1 }), /retryPadding must be a finite number >= 0 and <= 2, got -1\./);
  await assert.rejects(createDetector('ssd-mobilenet', { minScore: 0.5 } as never), /unknown option "minScore"/);
});

for (const name of ['ssd-mobilenet', 'tiny'] as const) {
  test(`${name}: finds the one face of an LFW photo, in the centre, without leaking tensors`, { skip: SKIP }, async () => {
    const { tf } = await loadTf();
    const before = tf.memory().numTensors;
    const det = await createDetector(name);
    const loaded = tf.memory().numTensors;
    const { image } = await decodeImage(join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0001.jpg'));
    const faces = await det.detect(image);
    assert.equal(tf.memory().numTensors, loaded, 'detect() leaves no tensors behind');
    assert.ok(faces.length >= 1, 'a face is found');
    const f = faces[0];
    const cx = f.box.x + f.box.width / 2, cy = f.box.y + f.box.height / 2;
    // LFW photos are 250x250 with the face roughly centred, ~100 px wide
    assert.ok(Math.abs(cx - 125) < 30 && Math.abs(cy - 125) < 35, `centred box, got ${JSON.stringify(f.box)}`);
    assert.ok(f.box.width > 60 && f.box.width < 180, `face-sized box, got ${f.box.width}`);
    assert.ok(f.score >= 0.5 && f.score <= 1);
    // minFaceSize larger than the face drops it; minScore 1 drops everything
    assert.equal((await det.detect(image, { minFaceSize: 400 })).length, 0);
    assert.equal((await det.detect(image, { minScore: 1 })).length, 0);
    await assert.rejects(det.detect(image, { minScore: 2 }), new RegExp(`${name}.detect: minScore must be a finite number >= 0 and <= 1, got 2\\.`));
    det.dispose();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(tf.memory().numTensors, before, 'dispose() frees the weights');
    await assert.rejects(det.detect(image), /the detector was disposed/);
  });
}

test('landmarks68 -> 5 points: eyes above the nose above the mouth, left before right', { skip: SKIP }, async () => {
  const { tf } = await loadTf();
  const det = await createDetector('ssd-mobilenet');
  const lm = await createLandmarker68();
  const { image } = await decodeImage(join(twoFaces!, 'Abdullah_Gul', 'Abdullah_Gul_0001.jpg'));
  const [face] = await det.detect(image);
  const n = tf.memory().numTensors;
  const [pts] = await lm.landmarks(image, [face.box]);
  assert.equal(tf.memory().numTensors, n, 'landmarks() leaves no tensors behind');
  assert.equal(pts.length, 68);
  const [le, re, nose, ml, mr] = landmarks5From68(pts);
  assert.ok(le.x < re.x && ml.x < mr.x, 'image-left before image-right');
  assert.ok(Math.max(le.y, re.y) < nose.y && nose.y < Math.min(ml.y, mr.y), 'eyes, nose, mouth from top to bottom');
  assert.ok(le.x >= face.box.x && re.x <= face.box.x + face.box.width, 'eyes inside the box');
  assert.throws(() => landmarks5From68(pts.slice(0, 5)), /landmarks5From68: points must be 68 points, got 5\./);
  det.dispose();
  lm.dispose();
});

test('fused SSD forward pass: same boxes and scores as face-api\'s own, and frees its folded weights', { skip: SKIP }, async () => {
  const { installFusedSsd } = await import('../../lib/detect/_ssd-fused.ts');
  const { loadFaceApiNet, releaseFaceApiNet } = await import('../../lib/runtime/face-api.ts');
  const { rgbToTensor } = await import('../../lib/runtime/tensor.ts');
  const { faceapi, runtime } = await loadFaceApiNet('ssdMobilenetv1'); // installs the fused pass
  const tf = runtime.tf;
  const net = faceapi.nets.ssdMobilenetv1 as never as { forwardInput: (x: unknown) => { boxes: import('@tensorflow/tfjs').Tensor[]; scores: import('@tensorflow/tfjs').Tensor[] } };
  const { image } = await decodeImage(join(twoFaces!, 'Abdullah_Gul', 'Abdullah_Gul_0003.jpg'));
  const t = rgbToTensor(tf, image);
  const input = await faceapi.toNetInput(t as never);
  const run = async () => {
    const o = net.forwardInput(input);
    const r = { boxes: await o.boxes[0].data(), scores: await o.scores[0].data() };
    tf.dispose([...o.boxes, ...o.scores]);
    return r;
  };
  const fused = await run();
  const n = tf.memory().numTensors;
  const restore = installFusedSsd(tf, net as never); // a second install over the first: restore brings the first back
  assert.equal(tf.memory().numTensors, n + 26, '13 folded filters + 13 biases');
  restore();
  assert.equal(tf.memory().numTensors, n, 'restore frees them');
  // face-api's own pass, for comparison: the net's original method lives on its prototype
  const own = Object.getPrototypeOf(net).forwardInput.call(net, input);
  const ref = { boxes: await own.boxes[0].data(), scores: await own.scores[0].data() };
  tf.dispose([...own.boxes, ...own.scores]);
  assert.equal(fused.scores.length, 5118); // SSD's anchors for a 512x512 input
  let maxDiff = 0;
  for (let i = 0; i < ref.scores.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.scores[i] - fused.scores[i]));
  for (let i = 0; i < ref.boxes.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.boxes[i] - fused.boxes[i]));
  assert.ok(maxDiff < 1e-4, `max difference ${maxDiff}`);
  t.dispose();
  await releaseFaceApiNet('ssdMobilenetv1');
});
