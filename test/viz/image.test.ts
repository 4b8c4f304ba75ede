/** Thumbnails and montages (lib/image/thumbnail.ts, montage.ts) on generated images and LFW photos. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { thumbnail, thumbnailBuffer, thumbnailRegion } from '../../lib/image/thumbnail.ts';
import { montage, montageSize } from '../../lib/image/montage.ts';
import { findData } from '../../lib/paths.ts';

/** A 200 x 100 image: left half red, right half blue. */
async function halves(): Promise<Buffer> {
  const red = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ff0000' } }).png().toBuffer();
  return sharp({ create: { width: 200, height: 100, channels: 3, background: '#0000ff' } }).composite([{ input: red, left: 0, top: 0 }]).png().toBuffer();
}

async function meanColour(buf: Buffer): Promise<number[]> {
  const s = await sharp(buf).stats();
  return s.channels.slice(0, 3).map((c) => Math.round(c.mean));
}

test('thumbnailRegion: margin, square, clamped to the image', () => {
  // Box 20x40 at (50, 50), margin 0.25: side 40 * 1.5 = 60 centred at (60, 70).
  assert.deepEqual(thumbnailRegion({ x: 50, y: 50, width: 20, height: 40 }, 200, 200, 0.25), { left: 30, top: 40, width: 60, height: 60 });
  // Near the corner: shifted inside.
  assert.deepEqual(thumbnailRegion({ x: 0, y: 0, width: 20, height: 20 }, 200, 200, 0.5), { left: 0, top: 0, width: 40, height: 40 });
  // Larger than the image: a square of the shorter side, as near the box centre (200, 200) as fits: the right end.
  assert.deepEqual(thumbnailRegion({ x: -50, y: -50, width: 500, height: 500 }, 200, 100, 0), { left: 100, top: 0, width: 100, height: 100 });
  // No box: centre square.
  assert.deepEqual(thumbnailRegion(undefined, 200, 100, 0.25), { left: 50, top: 0, width: 100, height: 100 });
});

test('thumbnail: crops the box (left half is red), size, data URI', async () => {
  const img = await halves();
  const left = await thumbnailBuffer(img, { x: 20, y: 20, width: 40, height: 40 }, { size: 32, format: 'png', margin: 0 });
  const meta = await sharp(left).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [32, 32, 'png']);
  assert.deepEqual(await meanColour(left), [255, 0, 0]);
  const right = await thumbnailBuffer(img, { x: 140, y: 20, width: 40, height: 40 }, { size: 32, format: 'png', margin: 0 });
  assert.deepEqual(await meanColour(right), [0, 0, 255]);
  const uri = await thumbnail(img, undefined, { size: 16 });
  assert.match(uri, /^data:image\/jpeg;base64,[A-Za-z0-9+/=]+$/);
  // A data URI is accepted as input too.
  assert.equal((await sharp(await thumbnailBuffer(uri, undefined, { size: 8 })).metadata()).width, 8);
});

test('thumbnail: EXIF orientation is applied before cropping (box in upright pixels)', async () => {
  // Stored 200x100 (left red, right blue) with orientation 6 (rotate 90 deg clockwise to view):
  // upright it is 100x200, red on top, blue at the bottom.
  const stored = await sharp(await halves()).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  const top = await thumbnailBuffer(stored, { x: 20, y: 20, width: 40, height: 40 }, { size: 16, format: 'png', margin: 0 });
  const bottom = await thumbnailBuffer(stored, { x: 20, y: 140, width: 40, height: 40 }, { size: 16, format: 'png', margin: 0 });
  const [r1, , b1] = await meanColour(top);
  const [r2, , b2] = await meanColour(bottom);
  assert.ok(r1 > 200 && b1 < 60, `top ${r1},${b1}`);
  assert.ok(b2 > 200 && r2 < 60, `bottom ${r2},${b2}`);
});

test('thumbnail: unreadable input and bad options say what is wrong', async () => {
  await assert.rejects(thumbnail(Buffer.from('not an image')), /thumbnail: cannot make a thumbnail of 12 bytes/);
  await assert.rejects(thumbnail('/nonexistent/x.jpg'), /thumbnail: cannot make a thumbnail of "\/nonexistent\/x.jpg"/);
  await assert.rejects(thumbnail(Buffer.alloc(0)), /thumbnail: cannot make a thumbnail of 0 bytes/);
  await assert.rejects(thumbnail(await halves(), { x: 0, y: 0, width: 0, height: 5 }), /thumbnail: box must have finite x, y and positive width, height/);
  await assert.rejects(thumbnail(await halves(), undefined, { size: 0 }), { message: 'thumbnail: size must be an integer >= 1 and <= 4096, got 0.' });
  await assert.rejects(thumbnail(await halves(), undefined, { format: 'gif' as never }), { message: 'thumbnail: format must be one of "jpeg", "png", got "gif".' });
});

test('montage: expected pixel size; tiles in place; unreadable tiles left blank', async () => {
  const img = await halves();
  // 5 tiles, 3 columns, 20 px tiles, gap 2: width 3*20 + 4*2 = 68, height 2*20 + 3*2 = 46.
  assert.deepEqual(montageSize(5, { columns: 3, tileSize: 20, gap: 2 }), { width: 68, height: 46, columns: 3, rows: 2 });
  const tiles = [
    { input: img, box: { x: 10, y: 10, width: 50, height: 50 } },
    { input: img, box: { x: 130, y: 10, width: 50, height: 50 } },
    img,
    Buffer.from('broken'),
    img,
  ];
  const png = await montage(tiles, { columns: 3, tileSize: 20, gap: 2, margin: 0 });
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 68, 46]);
  // Tile 0 red, tile 1 blue, tile 3 (broken) white background.
  const tile = async (c: number, r: number) => meanColour(await sharp(png).extract({ left: 2 + c * 22, top: 2 + r * 22, width: 20, height: 20 }).png().toBuffer());
  assert.deepEqual(await tile(0, 0), [255, 0, 0]);
  assert.deepEqual(await tile(1, 0), [0, 0, 255]);
  assert.deepEqual(await tile(0, 1), [255, 255, 255]);
  // Fewer tiles than columns: one row of that many.
  assert.deepEqual(montageSize(2, { columns: 8, tileSize: 10, gap: 0 }), { width: 20, height: 10, columns: 2, rows: 1 });
  const jpeg = await montage([img], { format: 'jpeg', tileSize: 10, gap: 0 });
  assert.equal((await sharp(jpeg).metadata()).format, 'jpeg');
  await assert.rejects(montage([]), { message: 'montage: tiles must be a non-empty array of images, got [].' });
  await assert.rejects(montage([img], { columns: 0 }), { message: 'montage: columns must be an integer >= 1 and <= 1000, got 0.' });
});

test('montage: LFW subset photos (2faces), default layout', { skip: findData('lfw-subset/2faces') ? false : 'LFW subset absent (set FACECLUSTER_DATA)' }, async () => {
  const dir = join(findData('lfw-subset/2faces') as string, 'Bill_Gates');
  const files = readdirSync(dir).slice(0, 11).map((f) => join(dir, f));
  const png = await montage(files);
  const meta = await sharp(png).metadata();
  // 11 tiles, 8 columns of 96 px, gap 2: 8*96 + 9*2 = 786 wide, 2 rows: 2*96 + 3*2 = 198 high.
  assert.deepEqual([meta.width, meta.height], [786, 198]);
  // Real photos: not a blank canvas.
  const stats = await sharp(png).stats();
  assert.ok(stats.channels[0].stdev > 20);
});
