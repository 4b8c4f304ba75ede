// Formats by content: PNM, BMP, HEIC, AVIF (8/10/12-bit), lying extensions. Every file is made here, at test time:
// PNM and BMP written byte by byte below, HEIC/AVIF with Debian's heif-enc (libheif-examples, installed by .ci/run).
// Each test checks decoded pixels (a known colour pattern), not only that nothing threw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, type DecodedImage } from '../../lib/image/decode.ts';
import { sniffImageFormat } from '../../lib/image/magic.ts';
import { readHeifInfo, transformsToOrientation } from '../../lib/image/heif-boxes.ts';
import { orientPixels, type Orientation } from '../../lib/image/raw.ts';
import { scanPhotos } from '../../lib/pipeline/scan.ts';
import { thumbnailBuffer } from '../../lib/image/thumbnail.ts';
import { findData, PROJECT_ROOT } from '../../lib/paths.ts';

const HEIF_ENC = spawnSync('heif-enc', ['--version'], { encoding: 'utf8' }).error ? undefined : 'heif-enc';
const NO_HEIF_ENC = HEIF_ENC ? false : 'heif-enc not found (Debian libheif-examples; .ci/run installs it)';

// A 64x48 pattern of four quadrants: red top-left, green top-right, blue bottom-left, white bottom-right.
const W = 64, H = 48;
const RED = [255, 0, 0], GREEN = [0, 255, 0], BLUE = [0, 0, 255], WHITE = [255, 255, 255];
function quadrants(): Uint8Array {
  const d = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d.set(y < H / 2 ? (x < W / 2 ? RED : GREEN) : x < W / 2 ? BLUE : WHITE, (y * W + x) * 3);
  return d;
}
const px = (d: DecodedImage, x: number, y: number) => [...d.image.data.subarray((y * d.image.width + x) * 3, (y * d.image.width + x) * 3 + 3)];
/** The colour at the centre of each quadrant of the decoded image, within `tol` per channel (lossy codecs). */
function assertQuadrants(d: DecodedImage, expected: number[][], tol: number, what: string) {
  const { width: w, height: h } = d.image;
  const centres = [[w / 4, h / 4], [(3 * w) / 4, h / 4], [w / 4, (3 * h) / 4], [(3 * w) / 4, (3 * h) / 4]].map(([x, y]) => px(d, Math.floor(x), Math.floor(y)));
  centres.forEach((c, i) => assert.ok(c.every((v, k) => Math.abs(v - expected[i][k]) <= tol), `${what}: quadrant ${i} is ${c}, expected ${expected[i]} (±${tol})`));
}
const UPRIGHT = [RED, GREEN, BLUE, WHITE];
// EXIF 6 (turn 90° clockwise): the stored bottom-left (blue) comes to the top-left.
const TURNED_CW = [BLUE, RED, WHITE, GREEN];

// ---- PNM, written byte by byte ---------------------------------------------------------------------------------
function ppm(kind: 'P3' | 'P6', maxval: number, rgb: Uint8Array): Buffer {
  const header = `${kind}\n# made by formats.test.ts\n${W} ${H}\n${maxval}\n`;
  const scale = (v: number) => Math.round((v * maxval) / 255);
  if (kind === 'P3') return Buffer.from(header + [...rgb].map(scale).join(' ') + '\n');
  const wide = maxval > 255;
  const body = Buffer.alloc(rgb.length * (wide ? 2 : 1));
  rgb.forEach((v, i) => (wide ? body.writeUInt16BE(scale(v), 2 * i) : body.writeUInt8(scale(v), i)));
  return Buffer.concat([Buffer.from(header), body]);
}
function pgm(kind: 'P2' | 'P5', maxval: number, grey: (x: number, y: number) => number): Buffer {
  const header = `${kind} ${W} ${H} ${maxval}\n`; // all on one line, as some writers do
  const values: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) values.push(grey(x, y));
  if (kind === 'P2') return Buffer.from(`${header}${values.join('\n')}\n`);
  const wide = maxval > 255;
  const body = Buffer.alloc(values.length * (wide ? 2 : 1));
  values.forEach((v, i) => (wide ? body.writeUInt16BE(v, 2 * i) : body.writeUInt8(v, i)));
  return Buffer.concat([Buffer.from(header), body]);
}

test('PPM P6 8-bit and 16-bit, P3 ASCII: exact colours', async () => {
  const rgb = quadrants();
  for (const [name, file] of [['P6 8-bit', ppm('P6', 255, rgb)], ['P6 16-bit', ppm('P6', 65535, rgb)], ['P3 ASCII', ppm('P3', 255, rgb)], ['P6 maxval 1023', ppm('P6', 1023, rgb)]] as const) {
    assert.equal(sniffImageFormat(file), 'pnm');
    const d = await decodeImage(file);
    assert.equal(d.format, 'pnm');
    assert.equal(d.decoder, 'pnm');
    assert.deepEqual([d.image.width, d.image.height], [W, H], name);
    assertQuadrants(d, UPRIGHT, 0, name);
    assert.deepEqual(px(d, W / 2 - 1, 0), RED, `${name}: last red column`);
    assert.deepEqual(px(d, W / 2, 0), GREEN, `${name}: first green column`);
    if (name === 'P6 16-bit') assert.ok(d.conversions.includes('16-bit->8-bit'));
  }
});

test('PGM P5 8-bit and 16-bit, P2 ASCII: grey levels scaled to 8 bits', async () => {
  // a horizontal ramp: x * 4 (8-bit), x * 1040 (16-bit, 63 * 1040 = 65520)
  const cases: [string, Buffer, (x: number) => number][] = [
    ['P5 8-bit', pgm('P5', 255, (x) => x * 4), (x) => x * 4],
    ['P5 16-bit', pgm('P5', 65535, (x) => x * 1040), (x) => Math.round((x * 1040 * 255) / 65535)],
    ['P2 ASCII maxval 63', pgm('P2', 63, (x) => x), (x) => Math.round((x * 255) / 63)],
  ];
  for (const [name, file, expected] of cases) {
    const d = await decodeImage(file);
    assert.deepEqual([d.image.width, d.image.height], [W, H]);
    for (const x of [0, 1, 17, 40, 63]) assert.deepEqual(px(d, x, 10), [expected(x), expected(x), expected(x)], `${name} at x=${x}`);
  }
});

test('PNM: truncated and malformed files give a clear reason', async () => {
  const good = ppm('P6', 255, quadrants());
  await assert.rejects(decodeImage(good.subarray(0, good.length - 100)), { reason: /^truncated PNM image: truncated: 9116 of 9216 data bytes$/ });
  await assert.rejects(decodeImage(Buffer.from('P6\n64 48\n')), { reason: /^truncated PNM image: truncated header \(no maxval\)$/ });
  await assert.rejects(decodeImage(Buffer.from('P5\n64 x 48\n255\n')), { reason: /^corrupt PNM image: bad header: height is not a number$/ });
  await assert.rejects(decodeImage(Buffer.from('P5\n60000 60000\n255\n'), { maxPixels: 1e8 }), { reason: /^image too large: 60000x60000 is above the 100 MP limit/ });
});

// ---- BMP, written byte by byte -----------------------------------------------------------------------------------
/** A BMP of the quadrant pattern: 24-bit, 32-bit (BI_BITFIELDS with alpha) or 8-bit palette; bottom-up or top-down. */
function bmp(bpp: 24 | 32 | 8, topDown: boolean): Buffer {
  const rgb = quadrants();
  const palette = [RED, GREEN, BLUE, WHITE];
  const stride = Math.ceil((W * bpp) / 32) * 4;
  const dib = bpp === 32 ? 108 : 40; // V4 header carries the bit-field masks for 32-bit
  const paletteBytes = bpp === 8 ? 256 * 4 : 0;
  const offset = 14 + dib + paletteBytes;
  const b = Buffer.alloc(offset + stride * H);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(offset, 10);
  b.writeUInt32LE(dib, 14);
  b.writeInt32LE(W, 18);
  b.writeInt32LE(topDown ? -H : H, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bpp, 28);
  b.writeUInt32LE(bpp === 32 ? 3 : 0, 30); // BI_BITFIELDS : BI_RGB
  b.writeUInt32LE(stride * H, 34);
  if (bpp === 32) [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000].forEach((m, i) => b.writeUInt32LE(m >>> 0, 54 + 4 * i));
  if (bpp === 8) palette.forEach(([r, g, bl], i) => b.set([bl, g, r, 0], 14 + dib + 4 * i));
  for (let y = 0; y < H; y++) {
    const row = offset + (topDown ? y : H - 1 - y) * stride;
    for (let x = 0; x < W; x++) {
      const [r, g, bl] = rgb.subarray((y * W + x) * 3, (y * W + x) * 3 + 3);
      if (bpp === 8) b[row + x] = palette.findIndex((c) => c[0] === r && c[1] === g && c[2] === bl);
      else if (bpp === 24) b.set([bl, g, r], row + x * 3);
      else b.set([bl, g, r, x < 4 ? 0 : 255], row + x * 4); // the first 4 columns transparent
    }
  }
  return b;
}

test('BMP 24-bit bottom-up, 24-bit top-down, 8-bit palette, 32-bit with alpha: exact colours', async () => {
  for (const [name, file] of [['24-bit bottom-up', bmp(24, false)], ['24-bit top-down', bmp(24, true)], ['8-bit palette', bmp(8, false)], ['32-bit bitfields', bmp(32, true)]] as const) {
    assert.equal(sniffImageFormat(file), 'bmp', name);
    const d = await decodeImage(file);
    assert.equal(d.format, 'bmp');
    assert.deepEqual([d.image.width, d.image.height], [W, H], name);
    assertQuadrants(d, UPRIGHT, 0, name);
    assert.deepEqual(px(d, W / 2, H - 1), WHITE, `${name}: bottom row is the bottom`);
    assert.deepEqual(px(d, 10, H / 2 - 1), RED, `${name}: last red row`);
    assert.deepEqual(px(d, 10, H / 2), BLUE, `${name}: first blue row`);
    if (name === '8-bit palette') assert.ok(d.conversions.includes('palette->rgb'));
    if (name === '32-bit bitfields') {
      assert.deepEqual(px(d, 0, 0), WHITE, 'transparent pixels flattened over white');
      assert.ok(d.conversions.includes('alpha flattened over white'));
    }
  }
  const b = bmp(24, false);
  await assert.rejects(decodeImage(b.subarray(0, 2000)), { reason: /^truncated BMP image/ });
});

test('orientPixels: the 8 EXIF orientations match sharp\'s .rotate()', async () => {
  const rgb = quadrants();
  for (let o = 1 as Orientation; o <= 8; o++) {
    const jpgLossless = await sharp(Buffer.from(rgb), { raw: { width: W, height: H, channels: 3 } }).png().withMetadata({ orientation: o }).toBuffer();
    const ref = await sharp(jpgLossless).rotate().raw().toBuffer({ resolveWithObject: true });
    const mine = orientPixels({ data: rgb, width: W, height: H, channels: 3, conversions: [] }, o);
    assert.deepEqual([mine.width, mine.height], [ref.info.width, ref.info.height], `orientation ${o}: size`);
    assert.ok(Buffer.from(mine.data).equals(ref.data), `orientation ${o}: pixels`);
  }
  // HEIF transforms -> the EXIF orientation they amount to
  assert.equal(transformsToOrientation([]), 1);
  assert.equal(transformsToOrientation([{ rotateAnticlockwise: 90 }]), 8);
  assert.equal(transformsToOrientation([{ rotateAnticlockwise: 270 }]), 6);
  assert.equal(transformsToOrientation([{ rotateAnticlockwise: 180 }]), 3);
  assert.equal(transformsToOrientation([{ mirror: 'left-right' }]), 2);
  assert.equal(transformsToOrientation([{ rotateAnticlockwise: 90 }, { mirror: 'left-right' }]), 7);
});

// ---- lying extensions ---------------------------------------------------------------------------------------------
test('a file whose extension lies decodes by its content; the scan finds images without a photo extension', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-lying-'));
  try {
    const raw = { raw: { width: W, height: H, channels: 3 as const } };
    writeFileSync(join(dir, 'gif-named.png'), await sharp(Buffer.from(quadrants()), raw).gif().toBuffer());
    writeFileSync(join(dir, 'png-named.jpg'), await sharp(Buffer.from(quadrants()), raw).png().toBuffer());
    writeFileSync(join(dir, 'ppm-named.jpg'), ppm('P6', 255, quadrants()));
    writeFileSync(join(dir, 'IMG_0001'), await sharp(Buffer.from(quadrants()), raw).jpeg({ quality: 95 }).toBuffer()); // no extension
    writeFileSync(join(dir, 'face.pgm'), pgm('P5', 255, () => 128));
    writeFileSync(join(dir, 'face.bmp'), bmp(24, false));
    writeFileSync(join(dir, 'notes.txt'), 'not a photo');
    writeFileSync(join(dir, 'clip.mp4'), Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isommp41'), Buffer.alloc(40)])); // a video: not an image
    const expected: Record<string, string> = { 'gif-named.png': 'gif', 'png-named.jpg': 'png', 'ppm-named.jpg': 'pnm', IMG_0001: 'jpeg' };
    for (const [name, format] of Object.entries(expected)) {
      const d = await decodeImage(join(dir, name));
      assert.equal(d.format, format, name);
      assertQuadrants(d, UPRIGHT, format === 'jpeg' || format === 'gif' ? 12 : 0, name);
    }
    const scan = await scanPhotos(dir);
    assert.deepEqual(scan.files.map((f) => f.path), ['IMG_0001', 'face.bmp', 'face.pgm', 'gif-named.png', 'png-named.jpg', 'ppm-named.jpg']);
    assert.equal(scan.skipped, 2); // notes.txt, clip.mp4
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('devsets/yale: GIF data named .png decodes by content (when the data is present)', { skip: !findData('devsets/yale') && 'devsets/yale not found' }, async () => {
  const d = await decodeImage(join(findData('devsets/yale')!, 'subject01', '01_happy.png'));
  assert.equal(d.format, 'gif');
  assert.deepEqual([d.image.width, d.image.height], [320, 243]);
  const p = px(d, 160, 120);
  assert.ok(p[0] === p[1] && p[1] === p[2], `grey, got ${p}`);
});

// ---- HEIC and AVIF made with heif-enc -------------------------------------------------------------------------------
function heifEnc(dir: string, args: string[], input: string, output: string): string {
  const out = join(dir, output);
  const r = spawnSync(HEIF_ENC!, [...args, join(dir, input), '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, `heif-enc ${args.join(' ')} ${input}: ${r.stderr}`);
  return out;
}

/**
 * The HEIF file with an `irot` property (turn `quarters` x 90° anticlockwise) added to its primary item, as iPhones
 * write (heif-enc 1.15 cannot): the property is appended to `ipco`, associated in `ipma`, and every `iloc` file offset
 * past the `meta` box moved by the growth of `meta`.
 */
function withIrot(file: Buffer, quarters: 1 | 2 | 3): Buffer {
  const boxes = (b: Buffer, start: number, end: number) => {
    const out: { type: string; start: number; end: number }[] = [];
    for (let p = start; p + 8 <= end; p += b.readUInt32BE(p)) out.push({ type: b.toString('latin1', p + 4, p + 8), start: p, end: p + b.readUInt32BE(p) });
    return out;
  };
  const box = (type: string, payload: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + payload.length, 0);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, payload]);
  };
  const top = boxes(file, 0, file.length);
  const meta = top.find((x) => x.type === 'meta')!;
  const inMeta = boxes(file, meta.start + 12, meta.end);
  const get = (list: typeof inMeta, type: string) => list.find((x) => x.type === type)!;
  const pitm = get(inMeta, 'pitm');
  const primary = file[pitm.start + 8] === 0 ? file.readUInt16BE(pitm.start + 12) : file.readUInt32BE(pitm.start + 12);
  const iprp = get(inMeta, 'iprp');
  const inIprp = boxes(file, iprp.start + 8, iprp.end);
  const ipco = get(inIprp, 'ipco');
  const ipma = get(inIprp, 'ipma');
  const newIndex = boxes(file, ipco.start + 8, ipco.end).length + 1;
  const newIpco = box('ipco', Buffer.concat([file.subarray(ipco.start + 8, ipco.end), box('irot', Buffer.from([quarters]))]));
  // ipma: version 0, flags 0 (u16 item ids, 1-byte associations) as heif-enc writes it
  assert.equal(file.readUInt32BE(ipma.start + 8), 0, 'ipma version 0, flags 0');
  const parts: Buffer[] = [file.subarray(ipma.start + 8, ipma.start + 16)];
  let p = ipma.start + 16;
  for (let e = 0; e < file.readUInt32BE(ipma.start + 12); e++) {
    const id = file.readUInt16BE(p);
    const count = file[p + 2];
    const assoc = file.subarray(p + 3, p + 3 + count);
    parts.push(id === primary ? Buffer.concat([Buffer.from([id >> 8, id & 255, count + 1]), assoc, Buffer.from([0x80 | newIndex])]) : file.subarray(p, p + 3 + count));
    p += 3 + count;
  }
  const newIpma = box('ipma', Buffer.concat(parts));
  const newIprp = box('iprp', Buffer.concat(inIprp.map((x) => (x.type === 'ipco' ? newIpco : x.type === 'ipma' ? newIpma : file.subarray(x.start, x.end)))));
  const grow = newIprp.length - (iprp.end - iprp.start);
  // iloc: move absolute offsets (construction method 0) by `grow`
  const iloc = get(inMeta, 'iloc');
  const il = Buffer.from(file.subarray(iloc.start, iloc.end));
  const version = il[8];
  const sizes = il.readUInt16BE(12);
  const [offSize, lenSize, baseSize, idxSize] = [sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15, version ? sizes & 15 : 0];
  const readN = (at: number, n: number) => (n === 4 ? il.readUInt32BE(at) : n === 8 ? Number(il.readBigUInt64BE(at)) : 0);
  const writeN = (at: number, n: number, v: number) => (n === 4 ? il.writeUInt32BE(v, at) : n === 8 ? il.writeBigUInt64BE(BigInt(v), at) : 0);
  let q = 14;
  const items = version < 2 ? il.readUInt16BE(q) : il.readUInt32BE(q);
  q += version < 2 ? 2 : 4;
  for (let i = 0; i < items; i++) {
    q += version < 2 ? 2 : 4;
    const method = version ? il.readUInt16BE(q) & 15 : 0;
    q += (version ? 2 : 0) + 2;
    const baseAt = q;
    q += baseSize;
    const extents = il.readUInt16BE(q);
    q += 2;
    for (let e = 0; e < extents; e++) {
      q += idxSize;
      if (method === 0 && baseSize === 0 && readN(q, offSize) >= meta.end) writeN(q, offSize, readN(q, offSize) + grow);
      q += offSize + lenSize;
    }
    if (method === 0 && baseSize > 0 && readN(baseAt, baseSize) >= meta.end) writeN(baseAt, baseSize, readN(baseAt, baseSize) + grow);
  }
  const newMeta = box('meta', Buffer.concat([file.subarray(meta.start + 8, meta.start + 12), ...inMeta.map((x) => (x.type === 'iprp' ? newIprp : x.type === 'iloc' ? il : file.subarray(x.start, x.end)))]));
  return Buffer.concat(top.map((x) => (x.type === 'meta' ? newMeta : file.subarray(x.start, x.end))));
}

test('HEIC (8, 10-bit), EXIF-rotated HEIC and AVIF, AVIF (8-bit, 10-bit 4:2:2, 12-bit): pixels and orientation', { skip: NO_HEIF_ENC }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-heif-'));
  try {
    const raw = { raw: { width: W, height: H, channels: 3 as const } };
    await sharp(Buffer.from(quadrants()), raw).png().toFile(join(dir, 'q.png'));
    await sharp(Buffer.from(quadrants()), raw).toColourspace('rgb16').png().toFile(join(dir, 'q16.png'));
    // pixels stored as they are, EXIF orientation 6: heif-enc 1.15 keeps the EXIF block and writes no irot
    await sharp(Buffer.from(quadrants()), raw).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(dir, 'q6.jpg'));
    const cases: [string, string[], string, string, string, number[][]][] = [
      // name, heif-enc args, input, format, decoder, expected quadrants
      ['HEIC 8-bit', ['-q', '90'], 'q.png', 'heic', 'libheif-js', UPRIGHT],
      ['HEIC 10-bit', ['-q', '90', '-b', '10'], 'q16.png', 'heic', 'libheif-js', UPRIGHT],
      ['HEIC EXIF orientation 6', ['-q', '90'], 'q6.jpg', 'heic', 'libheif-js', TURNED_CW],
      ['AVIF 8-bit', ['-A', '-q', '90'], 'q.png', 'avif', 'sharp', UPRIGHT],
      ['AVIF EXIF orientation 6', ['-A', '-q', '90'], 'q6.jpg', 'avif', 'sharp', TURNED_CW],
      // heif-enc 1.15 with aom 3.6 crashes on 10-bit 4:2:0 and 4:4:4; 4:2:2 works
      ['AVIF 10-bit 4:2:2', ['-A', '-q', '90', '-b', '10', '-p', 'chroma=422'], 'q16.png', 'avif', '@jsquash/avif', UPRIGHT],
      ['AVIF 12-bit 4:2:0', ['-A', '-q', '90', '-b', '12'], 'q16.png', 'avif', '@jsquash/avif', UPRIGHT],
    ];
    for (const [name, args, input, format, decoder, expected] of cases) {
      const file = heifEnc(dir, args, input, `${name.replace(/\W+/g, '_')}.${format}`);
      assert.equal(sniffImageFormat(readFileSync(file)), format, name);
      const d = await decodeImage(file);
      assert.equal(d.format, format, name);
      assert.equal(d.decoder, decoder, name);
      const turned = expected === TURNED_CW;
      assert.deepEqual([d.image.width, d.image.height, d.originalWidth, d.originalHeight], turned ? [H, W, H, W] : [W, H, W, H], `${name}: size`);
      assertQuadrants(d, expected, 24, name);
      if (turned) assert.ok(d.conversions.includes('exif orientation 6'), `${name}: ${d.conversions}`);
      if (/1[02]-bit/.test(name)) assert.ok(d.conversions.some((c) => /^1[02]-bit->8-bit$/.test(c)), `${name}: ${d.conversions}`);
    }
    // downscaled (maxSide) and turned: the same picture, smaller, reporting the scale
    const small = await decodeImage(join(dir, 'HEIC_EXIF_orientation_6.heic'), { maxSide: 32 });
    assert.deepEqual([small.image.width, small.image.height, small.originalWidth, small.originalHeight, small.scale], [24, 32, H, W, 0.5]);
    assertQuadrants(small, TURNED_CW, 40, 'HEIC EXIF 6 downscaled');
    // thumbnails (report) and face crops (people/) read it upright too: box in the upright top-left quadrant -> blue
    const thumb = await thumbnailBuffer(join(dir, 'HEIC_EXIF_orientation_6.heic'), { x: 4, y: 4, width: 16, height: 16 }, { size: 8, margin: 0, format: 'png' });
    const t = await sharp(thumb).raw().toBuffer();
    assert.ok([...t.subarray(4 * 8 * 3 + 12, 4 * 8 * 3 + 15)].every((v, k) => Math.abs(v - BLUE[k]) <= 24), `HEIC thumbnail is blue, got ${[...t.subarray(108, 111)]}`);
    // the same EXIF-rotated HEIC read from a copy named .jpg: content decides
    writeFileSync(join(dir, 'renamed.jpg'), readFileSync(join(dir, 'HEIC_EXIF_orientation_6.heic')));
    assertQuadrants(await decodeImage(join(dir, 'renamed.jpg')), TURNED_CW, 24, 'HEIC named .jpg');
    // what the boxes say
    const info = readHeifInfo(readFileSync(join(dir, 'HEIC_EXIF_orientation_6.heic')));
    assert.equal(info.codec, 'hevc');
    assert.deepEqual([info.width, info.height, info.exifOrientation, info.transforms], [W, H, 6, []]);
    assert.equal(readHeifInfo(readFileSync(join(dir, 'AVIF_12_bit_4_2_0.avif'))).bitDepth, 12);
    // truncated HEIC and AVIF say so, with libheif's / libavif's reason (not sharp's "bad seek"); garbage in the
    // coded data is "corrupt"
    const heic = readFileSync(join(dir, 'HEIC_8_bit.heic'));
    const reasonOf = async (bytes: Uint8Array) => decodeImage(bytes).then(() => 'decoded', (e: { reason: string }) => e.reason);
    assert.match(await reasonOf(heic.subarray(0, heic.length - 200)), /^truncated HEIC image: the file ends inside its "mdat" box \(\d+ of \d+ bytes\); libheif: /);
    const avif = readFileSync(join(dir, 'AVIF_12_bit_4_2_0.avif'));
    assert.match(await reasonOf(avif.subarray(0, avif.length - 20)), /^truncated AVIF image: the file ends inside its "mdat" box .*; sharp: .*; libavif: /);
    assert.match(await reasonOf(avif.subarray(0, 200)), /^truncated AVIF image: the file ends inside its "meta" box /);
    const garbled = Buffer.from(heic);
    garbled.fill(0, garbled.indexOf('mdat') + 4, garbled.indexOf('mdat') + 60); // the start of the coded image zeroed
    assert.match(await reasonOf(garbled), /^corrupt or unsupported HEIC image: libheif: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// rotated 90° anticlockwise: the stored top-right (green) comes to the top-left
const TURNED_ACW = [GREEN, WHITE, RED, BLUE];

test('HEIF irot, as iPhones write it (with an EXIF orientation too): turned once, by irot, whichever decoder', { skip: NO_HEIF_ENC }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-irot-'));
  try {
    const raw = { raw: { width: W, height: H, channels: 3 as const } };
    await sharp(Buffer.from(quadrants()), raw).png().toFile(join(dir, 'q.png'));
    await sharp(Buffer.from(quadrants()), raw).toColourspace('rgb16').png().toFile(join(dir, 'q16.png'));
    await sharp(Buffer.from(quadrants()), raw).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(dir, 'q6.jpg'));
    const file = (args: string[], input: string, out: string) => readFileSync(heifEnc(dir, args, input, out));
    const heic = file(['-q', '90'], 'q.png', 'q.heic');
    const heicExif6 = file(['-q', '90'], 'q6.jpg', 'q6.heic');
    const avif8 = file(['-A', '-q', '90'], 'q.png', 'q8.avif');
    const avif12 = file(['-A', '-q', '90', '-b', '12'], 'q16.png', 'q12.avif');
    const cases: [string, Buffer, string, number[][]][] = [
      ['HEIC irot 270° anticlockwise', withIrot(heic, 3), 'libheif-js', TURNED_CW],
      ['HEIC irot 90° anticlockwise', withIrot(heic, 1), 'libheif-js', TURNED_ACW],
      // the iPhone case: pixels stored sideways, irot AND EXIF orientation 6 saying the same turn; applying both would
      // turn the photo twice (upside down)
      ['HEIC irot + EXIF orientation 6', withIrot(heicExif6, 3), 'libheif-js', TURNED_CW],
      ['AVIF 8-bit irot 90° anticlockwise', withIrot(avif8, 1), 'sharp', TURNED_ACW],
      ['AVIF 12-bit irot 270° anticlockwise', withIrot(avif12, 3), '@jsquash/avif', TURNED_CW], // libavif: irot applied here
    ];
    for (const [name, bytes, decoder, expected] of cases) {
      const info = readHeifInfo(bytes);
      assert.equal(info.transforms.length, 1, `${name}: ${JSON.stringify(info.transforms)}`);
      const d = await decodeImage(bytes);
      assert.equal(d.decoder, decoder, name);
      assert.deepEqual([d.image.width, d.image.height], [H, W], `${name}: turned by 90°`);
      assertQuadrants(d, expected, 24, name);
      assert.ok(!d.conversions.some((c) => c.startsWith('exif orientation')), `${name}: EXIF not applied on top: ${d.conversions}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a HEIC decoder that cannot be loaded is the reason given for each HEIC file (never a silent skip)', { skip: NO_HEIF_ENC }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-heif-load-'));
  try {
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#c00' } }).png().toFile(join(dir, 'a.png'));
    const heic = heifEnc(dir, [], 'a.png', 'a.heic');
    // A module hook that makes libheif-js unloadable, as a broken install would.
    writeFileSync(join(dir, 'hook.mjs'), `export async function resolve(s, c, next) { if (s.includes('/libheif-js/')) throw new Error('simulated: module not found'); return next(s, c); }\n`);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(new URL(`file://${join(dir, 'hook.mjs')}`).href)});\n`);
    writeFileSync(join(dir, 'run.mts'), `import { decodeImage } from ${JSON.stringify(join(PROJECT_ROOT, 'lib', 'image', 'decode.ts'))};\nfor (const f of process.argv.slice(2)) await decodeImage(f).then(() => console.log('decoded'), (e) => console.log('reason:', e.reason));\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(dir, 'register.mjs'), join(dir, 'run.mts'), heic, heic], { encoding: 'utf8', cwd: PROJECT_ROOT });
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2, r.stdout + r.stderr);
    for (const l of lines) assert.match(l, /^reason: HEIC decoder unavailable: the HEIC decoder \(libheif-js\) could not be loaded: simulated: module not found$/);
    assert.equal(r.stderr, '', 'nothing printed by the library');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
