// Properties every registered embedder must have, on real LFW photos: vectors of its documented size (unit
// length when it says so), the same photo twice at distance ~0, one person's two photos closer than two
// people, no tensor or ONNX session left behind over 20 photos; and clear errors for bad weight files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normCrop } from '../../lib/align/norm-crop.ts';
import { createEmbedder, EMBEDDER_NAMES, EMBEDDER_SPECS, type EmbedderName } from '../../lib/embed/registry.ts';
import { FACERES_WEIGHTS } from '../../lib/embed/faceres.ts';
import { MOBILEFACE_WEIGHTS } from '../../lib/embed/mobileface.ts';
import { MOBILEFACENET512_WEIGHTS } from '../../lib/embed/mobilefacenet512.ts';
import { decodeImage } from '../../lib/image/decode.ts';
import { createFaceEncoder } from '../../lib/pipeline/face-encoder.ts';
import { findData, findModelFile } from '../../lib/paths.ts';
import { openOnnxSessions } from '../../lib/runtime/onnx.ts';
import { loadTf } from '../../lib/runtime/tf.ts';
import type { Landmarks5, RgbImage } from '../../lib/types.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP_DATA = twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';
/** Weight files each embedder needs beyond the npm dependencies (fetched by `npm run models:fetch`). */
const WEIGHTS: Partial<Record<EmbedderName, string>> = { mobilefacenet512: MOBILEFACENET512_WEIGHTS, faceres: FACERES_WEIGHTS, mobileface: MOBILEFACE_WEIGHTS };
const missingWeights = (name: EmbedderName) => (WEIGHTS[name] && !existsSync(findModelFile(WEIGHTS[name]!)) ? `${findModelFile(WEIGHTS[name]!)} missing: run \`npm run models:fetch\`` : false);

const dist = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

/** 20 photos (10 of Bill Gates, 10 of Abdullah Gul): decoded image and 5 points of the main face. */
const photos: { person: string; image: RgbImage; landmarks5: Landmarks5 }[] = [];

before(async () => {
  if (!twoFaces) return;
  const enc = await createFaceEncoder();
  for (const person of ['Bill_Gates', 'Abdullah_Gul']) {
    for (let k = 1; photos.filter((p) => p.person === person).length < 10; k++) {
      const file = join(twoFaces, person, `${person}_${String(k).padStart(4, '0')}.jpg`);
      if (!existsSync(file)) continue;
      const decoded = await decodeImage(file);
      const r = await enc.encodeDecoded(decoded);
      if (r.status !== 'ok') continue;
      const s = decoded.scale;
      photos.push({ person, image: decoded.image, landmarks5: r.faces[0].landmarks5.map((p) => ({ x: p.x * s, y: p.y * s })) as Landmarks5 });
    }
  }
  enc.dispose();
});

for (const name of EMBEDDER_NAMES) {
  const skip = SKIP_DATA || missingWeights(name);
  test(`${name}: ${EMBEDDER_SPECS[name].dimension}-d vectors; same photo ~0 apart; one person closer than two; no leak over 20 photos`, { skip }, async () => {
    const { tf } = await loadTf();
    const tensorsBefore = tf.memory().numTensors;
    const sessionsBefore = openOnnxSessions();
    const e = await createEmbedder(name);
    const spec = EMBEDDER_SPECS[name];
    assert.deepEqual([e.name, e.dimension, e.inputSize, e.template, e.unitLength], [name, spec.dimension, spec.inputSize, spec.template, spec.unitLength], 'the embedder reports its registry spec');
    const loaded = tf.memory().numTensors;
    const chips = photos.map((p) => normCrop(p.image, p.landmarks5, e.template, e.inputSize).chip);
    assert.equal(chips.length, 20);
    const v: Float32Array[] = [];
    for (const c of chips) v.push(...(await e.embed([c])));
    assert.equal(tf.memory().numTensors, loaded, 'embedding 20 photos leaves no tensor behind');
    for (const x of v) {
      assert.equal(x.length, spec.dimension);
      assert.ok(x.every(Number.isFinite));
      if (spec.unitLength) assert.ok(Math.abs(norm(x) - 1) < 1e-4, `unit length, got ${norm(x)}`);
    }
    const [again] = await e.embed([chips[0]]);
    assert.ok(dist(again, v[0]) < 1e-4, `same chip twice: ${dist(again, v[0])}`);
    // mean same-person distance < mean different-person distance, and the two closest photos of one
    // person are closer than the two closest photos of different people would need to be to confuse them
    let same = 0, nSame = 0, diff = 0, nDiff = 0;
    for (let i = 0; i < v.length; i++) {
      for (let j = i + 1; j < v.length; j++) {
        if (photos[i].person === photos[j].person) { same += dist(v[i], v[j]); nSame++; } else { diff += dist(v[i], v[j]); nDiff++; }
      }
    }
    assert.ok(same / nSame < diff / nDiff, `same-person mean ${same / nSame} < different-person mean ${diff / nDiff}`);
    assert.ok(dist(v[0], v[1]) < dist(v[0], v[10]), 'Gates 1-2 closer than Gates 1 - Gul 1');
    e.dispose();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(tf.memory().numTensors, tensorsBefore, 'dispose() frees every tensor');
    assert.equal(openOnnxSessions(), sessionsBefore, 'dispose() releases its ONNX session');
  });
}

after(() => photos.splice(0));

test('mobilefacenet512: a missing, empty or corrupt model file is an error naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-weights-'));
  try {
    const missing = join(dir, 'nope.onnx');
    await assert.rejects(createEmbedder('mobilefacenet512', { modelPath: missing }), (e: Error) => e.message.includes(missing) && /does not exist/.test(e.message) && /models:fetch/.test(e.message));
    const empty = join(dir, 'empty.onnx');
    writeFileSync(empty, '');
    await assert.rejects(createEmbedder('mobilefacenet512', { modelPath: empty }), (e: Error) => e.message.includes(empty) && /empty/.test(e.message));
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
    await assert.rejects(createEmbedder('mobilefacenet512', { modelPath: corrupt }), (e: Error) => e.message.includes(corrupt) && /not a valid ONNX model/.test(e.message));
    assert.equal(openOnnxSessions(), 0, 'no session left open by failed loads');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('faceres, mobileface: a missing model file or a truncated weight file is an error naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-weights-'));
  try {
    const missing = join(dir, 'faceres.json');
    await assert.rejects(createEmbedder('faceres', { modelPath: missing }), (e: Error) => e.message.includes(missing) && /does not exist/.test(e.message));
    const notJson = join(dir, 'mobileface.json');
    writeFileSync(notJson, '{"weightsManifest": 3');
    await assert.rejects(createEmbedder('mobileface', { modelPath: notJson }), (e: Error) => e.message.includes(notJson) && /not a tfjs graph model/.test(e.message));
    const real = findModelFile(MOBILEFACE_WEIGHTS);
    if (existsSync(real)) {
      // the real model.json beside a truncated weight file
      const json = join(dir, 'm.json');
      const manifest = JSON.parse(readFileSync(real, 'utf8'));
      manifest.weightsManifest[0].paths = ['m.bin'];
      writeFileSync(json, JSON.stringify(manifest));
      writeFileSync(join(dir, 'm.bin'), readFileSync(real.replace(/\.json$/, '.bin')).subarray(0, 1000));
      await assert.rejects(createEmbedder('mobileface', { modelPath: json }), (e: Error) => e.message.includes(json) && /truncated/.test(e.message));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('createEmbedder: bad config names the parameter', async () => {
  await assert.rejects(createEmbedder('mobilefacenet512', { threads: 0 }), /createMobilefacenet512Embedder: threads must be an integer >= 1 and <= 256, got 0\./);
  await assert.rejects(createEmbedder('mobilefacenet512', { channels: 'rgba' as never }), /createMobilefacenet512Embedder: channels must be one of "bgr", "rgb", got "rgba"\./);
});
