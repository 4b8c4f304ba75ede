/** Builds a folder of good and bad photos with sharp (shared by the pipeline and CLI tests). */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** Files that must fail, with the reason pattern each must report. */
export const BAD_FILES: Record<string, RegExp> = {
  'bad/corrupt.jpg': /^(corrupt|truncated) image/,
  'bad/truncated.jpg': /^(truncated|corrupt) image/,
  'bad/zero-byte.jpg': /^empty file \(0 bytes\)$/,
  'bad/not-an-image.jpg': /^not an image/,
  'bad/bomb.png': /^image too large: 60000x60000 .*decompression-bomb guard/,
};

/** Decodable variants of a real face photo that must each give one face. */
export const ODD_FILES = ['odd/grey.jpg', 'odd/cmyk.jpg', 'odd/sixteen-bit.png', 'odd/alpha.png', 'odd/exif-rotated.jpg', 'odd/frame.gif'];

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
  writeFileSync(join(dir, 'notes.txt'), 'not a photo: skipped\n');
}
