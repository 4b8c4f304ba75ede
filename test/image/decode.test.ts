import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage, ImageDecodeError } from '../../lib/image/decode.ts';
import { cropImage, padImage, clampBox } from '../../lib/image/crop.ts';

/** A 40x20 image: left half red (255,0,0), right half blue (0,0,255). */
function redBlue(): Buffer {
  const w = 40, h = 20;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
  return raw;
}
const RAW = { raw: { width: 40, height: 20, channels: 3 as const } };
const px = (img: { data: Uint8Array; width: number }, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

test('decodeImage: plain 8-bit RGB PNG is returned unchanged', async () => {
  const png = await sharp(redBlue(), RAW).png().toBuffer();
  const d = await decodeImage(png);
  assert.equal(d.image.width, 40);
  assert.equal(d.image.height, 20);
  assert.equal(d.image.data.length, 40 * 20 * 3); // 3 bytes a pixel
  assert.deepEqual(px(d.image, 0, 0), [255, 0, 0]);
  assert.deepEqual(px(d.image, 39, 19), [0, 0, 255]);
  assert.equal(d.scale, 1);
  assert.deepEqual(d.conversions, []);
});

test('decodeImage: EXIF orientation 6 (rotate 90° clockwise) gives the upright image', async () => {
  const jpg = await sharp(redBlue(), RAW).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  const d = await decodeImage(jpg);
  // stored 40x20; orientation 6 means "rotate 90° CW to display": upright is 20 wide, 40 high
  assert.equal(d.image.width, 20);
  assert.equal(d.image.height, 40);
  assert.equal(d.originalWidth, 20);
  // the stored left (red) half ends up on top after a clockwise turn
  assert.ok(near(px(d.image, 10, 5), [255, 0, 0], 40), `top is red, got ${px(d.image, 10, 5)}`);
  assert.ok(near(px(d.image, 10, 34), [0, 0, 255], 40), `bottom is blue, got ${px(d.image, 10, 34)}`);
  assert.ok(d.conversions.includes('exif orientation 6'));
});

test('decodeImage: grayscale becomes 3 equal channels', async () => {
  const grey = await sharp(redBlue(), RAW).greyscale().toColourspace('b-w').png().toBuffer();
  assert.equal((await sharp(grey).metadata()).channels, 1); // the file really is 1-channel
  const d = await decodeImage(grey);
  const p = px(d.image, 5, 5);
  assert.equal(d.image.data.length, 40 * 20 * 3);
  assert.ok(p[0] === p[1] && p[1] === p[2], `grey pixel has equal channels, got ${p}`);
  // libvips greys via L* (red L* 53, blue L* 32): red is a mid grey, brighter than blue
  const q = px(d.image, 35, 5);
  assert.ok(p[0] > 60 && p[0] < 200, `red -> mid grey, got ${p[0]}`);
  assert.ok(p[0] > q[0], `red grey ${p[0]} brighter than blue grey ${q[0]}`);
});

test('decodeImage: CMYK JPEG is converted to sRGB', async () => {
  const cmyk = await sharp(redBlue(), RAW).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const d = await decodeImage(cmyk);
  // CMYK cannot hold saturated sRGB primaries exactly (gamut): check which channel dominates
  const [r1, g1, b1] = px(d.image, 5, 10);
  assert.ok(r1 > 180 && r1 > g1 + 100 && r1 > b1 + 100, `red stays red, got ${[r1, g1, b1]}`);
  const [r2, g2, b2] = px(d.image, 35, 10);
  assert.ok(b2 > 100 && b2 > r2 + 60 && b2 > g2 + 60, `blue stays blue, got ${[r2, g2, b2]}`);
  assert.ok(d.conversions.includes('cmyk->srgb'));
});

test('decodeImage: 16-bit PNG becomes 8-bit', async () => {
  const png16 = await sharp(redBlue(), RAW).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(png16).metadata()).depth, 'ushort');
  const d = await decodeImage(png16);
  assert.deepEqual(px(d.image, 0, 0), [255, 0, 0]); // 65535 -> 255
  assert.deepEqual(px(d.image, 39, 0), [0, 0, 255]);
  assert.ok(d.conversions.some((c) => c.includes('8-bit')));
});

test('decodeImage: alpha is composited over white', async () => {
  const rgba = Buffer.alloc(4 * 4 * 4);
  for (let i = 0; i < 16; i++) rgba.set(i < 8 ? [255, 0, 0, 255] : [0, 0, 0, 0], i * 4); // top half opaque red, bottom transparent
  const png = await sharp(rgba, { raw: { width: 4, height: 4, channels: 4 } }).png().toBuffer();
  const d = await decodeImage(png);
  assert.deepEqual(px(d.image, 0, 0), [255, 0, 0]); // opaque pixel kept
  assert.deepEqual(px(d.image, 0, 3), [255, 255, 255]); // transparent -> white, not black
  assert.ok(d.conversions.includes('alpha flattened over white'));
});

test('decodeImage: GIF gives its first frame; WebP and TIFF decode', async () => {
  for (const fmt of ['gif', 'webp', 'tiff'] as const) {
    const buf = await sharp(redBlue(), RAW)[fmt]().toBuffer();
    const d = await decodeImage(buf);
    assert.equal(d.format, fmt);
    assert.equal(d.image.width, 40);
    assert.ok(near(px(d.image, 2, 2), [255, 0, 0], 60), `${fmt}: red corner, got ${px(d.image, 2, 2)}`);
  }
});

test('decodeImage: photos larger than maxSide are downscaled and report the scale', async () => {
  const big = await sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toBuffer();
  const d = await decodeImage(big, { maxSide: 100 });
  assert.equal(d.image.width, 100); // 400 -> 100
  assert.equal(d.image.height, 50);
  assert.equal(d.scale, 0.25);
  assert.equal(d.originalWidth, 400); // the original size is still reported
  assert.equal(d.originalHeight, 200);
});

/** A real PNG (made by sharp) whose IHDR then claims width x height (CRC fixed): a decompression bomb header. */
async function bombPng(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer());
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

test('decodeImage: refuses bad input with a reason', async () => {
  const jpg = await sharp(redBlue(), RAW).jpeg().toBuffer();
  const corrupt = Buffer.from(jpg);
  corrupt.fill(0x55, 200, corrupt.length - 2); // entropy-coded data destroyed, markers gone
  const cases: [string, Buffer, RegExp][] = [
    ['zero-byte', Buffer.alloc(0), /^empty file \(0 bytes\)$/],
    ['non-image', Buffer.from('name,age\nbob,3\n'), /^not an image/],
    ['truncated', jpg.subarray(0, Math.floor(jpg.length / 2)), /^(truncated|corrupt) image/],
    ['corrupt', corrupt, /^(truncated|corrupt) image/],
    ['dimension bomb', await bombPng(50_000, 50_000), /^image too large: 50000x50000 \(2500 MP\) is above the 100 MP limit \(decompression-bomb guard/],
  ];
  for (const [kind, buf, re] of cases) {
    await assert.rejects(decodeImage(buf), (e: unknown) => {
      assert.ok(e instanceof ImageDecodeError, `${kind}: ImageDecodeError`);
      assert.match((e as ImageDecodeError).reason, re, kind);
      return true;
    });
  }
});

test('decodeImage: bad options name the parameter', async () => {
  await assert.rejects(decodeImage(Buffer.alloc(1), { maxSide: 3 }), /decodeImage: maxSide must be an integer >= 16, got 3\./);
  await assert.rejects(decodeImage(Buffer.alloc(1), { bogus: 1 } as never), /decodeImage: unknown option "bogus"/);
});

test('crop helpers: clamp, crop and pad', () => {
  const img = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i), width: 4, height: 3 };
  // box partly outside: clamped to x 2..4, y 0..2
  assert.deepEqual(clampBox({ x: 2.4, y: -5, width: 10, height: 6.5 }, 4, 3), { x: 2, y: 0, width: 2, height: 2 });
  const c = cropImage(img, { x: 1, y: 1, width: 2, height: 2 });
  assert.deepEqual([...c.data.subarray(0, 3)], [15, 16, 17]); // pixel (1,1) = index (1*4+1)*3
  const p = padImage(img, 1, 7);
  assert.equal(p.width, 6);
  assert.deepEqual([...p.data.subarray(0, 3)], [7, 7, 7]); // border
  assert.deepEqual([...p.data.subarray((1 * 6 + 1) * 3, (1 * 6 + 1) * 3 + 3)], [0, 1, 2]); // original (0,0)
});
