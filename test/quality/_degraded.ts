// Shared by the quality tests: a real LFW face and its poor copies, and the largest face the pipeline finds in a photo.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FaceEncoder } from '../../lib/pipeline/face-encoder.ts';

/**
 * Bill Gates' first photo of `lfw-subset/2faces` (`twoFaces`) and two poor copies written into `dir`: the whole photo
 * at a quarter of its side (the face about 25 px), and blurred at its own size.
 */
export async function degradedCopies(twoFaces: string, dir: string): Promise<{ src: string; tiny: string; blurred: string }> {
  const src = join(twoFaces, 'Bill_Gates', 'Bill_Gates_0001.jpg');
  const tiny = join(dir, 'tiny.png');
  const blurred = join(dir, 'blurred.png');
  await sharp(src).resize(62, 62).png().toFile(tiny);
  await sharp(src).blur(3).png().toFile(blurred);
  return { src, tiny, blurred };
}

/** The largest face `enc` finds in the photo at `path` (asserts the photo was read). */
export async function largestFace(enc: FaceEncoder, path: string) {
  const r = await enc.encodeFile(path);
  assert.equal(r.status, 'ok', `${path}: ${JSON.stringify(r.status === 'failed' ? r.reason : '')}`);
  if (r.status !== 'ok') throw new Error('unreachable');
  return r.faces.reduce((a, b) => (b.box.width > a.box.width ? b : a));
}
