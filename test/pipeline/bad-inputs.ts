/** Builds a folder of good and bad photos with sharp (shared by the pipeline and CLI tests). */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** Debian's heif-enc (libheif-examples), to make HEIC and AVIF files; the HEIF cases are left out without it. */
export const HEIF_ENC = !spawnSync('heif-enc', ['--version']).error;

/** Files that must fail, with the reason pattern each must report. */
export const BAD_FILES: Record<string, RegExp> = {
  'bad/corrupt.jpg': /^(corrupt|truncated) image/,
  'bad/truncated.jpg': /^(truncated|corrupt) image/,
  'bad/zero-byte.jpg': /^empty file \(0 bytes\)$/,
  'bad/not-an-image.jpg': /^not an image/,
  'bad/bomb.png': /^image too large: 60000x60000 .*decompression-bomb guard/,
  'bad/truncated.pgm': /^truncated PNM image: truncated: /,
  ...(HEIF_ENC ? { 'bad/truncated.heic': /^truncated HEIC image: the file ends inside its "mdat" box/ } : {}),
};

/** Decodable variants of a real face photo that must each give one face. */
export const ODD_FILES = [
  'odd/grey.jpg', 'odd/cmyk.jpg', 'odd/sixteen-bit.png', 'odd/alpha.png', 'odd/exif-rotated.jpg', 'odd/frame.gif',
  'odd/grey.pgm', 'odd/sixteen-bit.ppm', 'odd/face.bmp', 'odd/gif-named.png', 'odd/jpeg-without-extension',
  ...(HEIF_ENC ? ['odd/face.heic', 'odd/exif-rotated.heic', 'odd/twelve-bit.avif'] : []),
];

/** Writes `ok/face.jpg` (a copy of `facePhoto`), the odd variants, the bad files and a non-photo `notes.txt`. */
export async function makeBadInputFolder(dir: string, facePhoto: string): Promise<void> {
  for (const d of ['ok', 'odd', 'bad']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(facePhoto, join(dir, 'ok', 'face.jpg'));
  const src = sharp(facePhoto);
  await src.clone().greyscale().toColourspace('b-w').jpeg().toFile(join(dir, 'odd', 'grey.jpg'));
  await src.clone().toColourspace('cmyk').jpeg({ quality: 95 }).toFile(join(dir, 'odd', 'cmyk.jpg'));
  await src.clone().toColourspace('rgb16').png().toFile(join(dir, 'odd', 'sixteen-bit.png'));
  await src.clone().ensureAlpha(0.9).png().toFile(join(dir, 'odd', 'alpha.png'));
  // pixels stored turned 90° counter-clockwise, with EXIF orientation 6 (turn 90° clockwise to display)
  await sharp(await src.clone().rotate(-90).toBuffer()).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(dir, 'odd', 'exif-rotated.jpg'));
  await src.clone().gif().toFile(join(dir, 'odd', 'frame.gif'));

  const jpg = await src.clone().jpeg().toBuffer();
  const corrupt = Buffer.from(jpg);
  corrupt.fill(0x55, 400, corrupt.length - 2);
  writeFileSync(join(dir, 'bad', 'corrupt.jpg'), corrupt);
  writeFileSync(join(dir, 'bad', 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length / 3)));
  writeFileSync(join(dir, 'bad', 'zero-byte.jpg'), Buffer.alloc(0));
  writeFileSync(join(dir, 'bad', 'not-an-image.jpg'), 'this is a text file, not a JPEG\n');
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer());
  png.writeUInt32BE(60_000, 16); // IHDR width
  png.writeUInt32BE(60_000, 20); // IHDR height
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  writeFileSync(join(dir, 'bad', 'bomb.png'), png);

  // formats sharp does not read, and names that lie
  const grey = await src.clone().greyscale().raw().toBuffer({ resolveWithObject: true });
  const pgm = Buffer.concat([Buffer.from(`P5\n${grey.info.width} ${grey.info.height}\n255\n`), grey.data.subarray(0, grey.info.width * grey.info.height)]);
  writeFileSync(join(dir, 'odd', 'grey.pgm'), pgm);
  writeFileSync(join(dir, 'bad', 'truncated.pgm'), pgm.subarray(0, pgm.length / 2));
  const rgb = await src.clone().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = rgb.info;
  const ppm = Buffer.alloc(w * h * 6);
  for (let i = 0; i < w * h * 3; i++) ppm.writeUInt16BE(rgb.data[i] * 257, 2 * i);
  writeFileSync(join(dir, 'odd', 'sixteen-bit.ppm'), Buffer.concat([Buffer.from(`P6\n${w} ${h}\n65535\n`), ppm]));
  const stride = Math.ceil((w * 3) / 4) * 4;
  const bmp = Buffer.alloc(54 + stride * h);
  bmp.write('BM', 0, 'latin1');
  [[2, bmp.length], [10, 54], [14, 40], [18, w], [22, h], [34, stride * h]].forEach(([at, v]) => bmp.writeUInt32LE(v, at));
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { // bottom-up rows, B G R
    const s = (y * w + x) * 3;
    bmp.set([rgb.data[s + 2], rgb.data[s + 1], rgb.data[s]], 54 + (h - 1 - y) * stride + x * 3);
  }
  writeFileSync(join(dir, 'odd', 'face.bmp'), bmp);
  await src.clone().gif().toFile(join(dir, 'odd', 'gif-named.png'));
  copyFileSync(facePhoto, join(dir, 'odd', 'jpeg-without-extension'));
  if (HEIF_ENC) {
    const tmp = mkdtempSync(join(tmpdir(), 'fc-heif-src-'));
    try {
      await src.clone().toColourspace('rgb16').png().toFile(join(tmp, 'sixteen.png'));
      const enc = (args: string[], input: string, out: string) => {
        const r = spawnSync('heif-enc', [...args, input, '-o', out], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`heif-enc ${args.join(' ')}: ${r.stderr}`);
      };
      enc(['-q', '80'], facePhoto, join(dir, 'odd', 'face.heic'));
      enc(['-q', '80'], join(dir, 'odd', 'exif-rotated.jpg'), join(dir, 'odd', 'exif-rotated.heic')); // keeps EXIF orientation 6
      enc(['-A', '-q', '80', '-b', '12'], join(tmp, 'sixteen.png'), join(dir, 'odd', 'twelve-bit.avif'));
      const heic = readFileSync(join(dir, 'odd', 'face.heic'));
      writeFileSync(join(dir, 'bad', 'truncated.heic'), heic.subarray(0, heic.length - 500));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  writeFileSync(join(dir, 'notes.txt'), 'not a photo: skipped\n');
}
