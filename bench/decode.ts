/**
 * Decoding speed and coverage per format: `npm run bench:decode [-- --size WxH] [--runs N]`.
 *
 * Makes one photo (face-api's `demo/sample1.jpg`, resized to --size, default 1600x1200) in every format facecluster
 * reads (HEIC and AVIF with Debian's heif-enc, libheif-examples; PNM and BMP written here), then decodes each with
 * `decodeImage` (default options: downscaled to 2048 px at most): the first call (which loads a WebAssembly decoder
 * when the format needs one) and the median of --runs more (default 5). Prints which decoder read each variant, or
 * why it failed, and the load average before and after (the machine is shared: compare figures of one run only).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeImage } from '../lib/image/decode.ts';
import { faceApiSamplesDir } from '../lib/paths.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '1600x1200' }, runs: { type: 'string', default: '5' } } });
const [W, H] = values.size!.split('x').map(Number);
const runs = Number(values.runs);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const dir = mkdtempSync(join(tmpdir(), 'fc-bench-decode-'));

interface Variant { name: string; file?: string; made?: string }
const variants: Variant[] = [];
try {
  console.log(`bench:decode: ${W}x${H} (${((W * H) / 1e6).toFixed(1)} MP), ${runs} runs; load average ${load()}`);
  const src = sharp(join(faceApiSamplesDir(), 'sample1.jpg')).resize(W, H, { fit: 'cover' });
  const rgb = await src.clone().raw().toBuffer();
  await src.clone().png().toFile(join(dir, 'src.png'));
  await src.clone().toColourspace('rgb16').png().toFile(join(dir, 'src16.png'));
  await src.clone().ensureAlpha(0.8).png().toFile(join(dir, 'src-alpha.png'));
  await src.clone().jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toFile(join(dir, 'src-exif6.jpg'));

  const add = (name: string, file: string) => variants.push({ name, file });
  await src.clone().jpeg({ quality: 90 }).toFile(join(dir, 'a.jpg'));
  add('JPEG q90 (sharp)', join(dir, 'a.jpg'));
  add('PNG 8-bit (sharp)', join(dir, 'src.png'));
  writeFileSync(join(dir, 'a.ppm'), Buffer.concat([Buffer.from(`P6\n${W} ${H}\n255\n`), rgb]));
  add('PPM P6 8-bit', join(dir, 'a.ppm'));
  const wide = Buffer.alloc(rgb.length * 2);
  for (let i = 0; i < rgb.length; i++) wide.writeUInt16BE(rgb[i] * 257, 2 * i);
  writeFileSync(join(dir, 'b.ppm'), Buffer.concat([Buffer.from(`P6\n${W} ${H}\n65535\n`), wide]));
  add('PPM P6 16-bit', join(dir, 'b.ppm'));
  const grey = await src.clone().greyscale().raw().toBuffer();
  writeFileSync(join(dir, 'a.pgm'), Buffer.concat([Buffer.from(`P5\n${W} ${H}\n255\n`), grey.subarray(0, W * H)]));
  add('PGM P5 8-bit', join(dir, 'a.pgm'));
  const stride = Math.ceil((W * 3) / 4) * 4;
  const bmp = Buffer.alloc(54 + stride * H);
  bmp.write('BM', 0, 'latin1');
  [[2, bmp.length], [10, 54], [14, 40], [18, W], [22, H], [34, stride * H]].forEach(([at, v]) => bmp.writeUInt32LE(v, at));
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) { const s = (y * W + x) * 3; bmp.set([rgb[s + 2], rgb[s + 1], rgb[s]], 54 + (H - 1 - y) * stride + x * 3); }
  writeFileSync(join(dir, 'a.bmp'), bmp);
  add('BMP 24-bit', join(dir, 'a.bmp'));

  const heifEnc = !spawnSync('heif-enc', ['--version']).error;
  const heif: [string, string[], string, string][] = [
    ['HEIC 8-bit 4:2:0', ['-q', '80'], 'src.png', 'h8.heic'],
    ['HEIC 10-bit', ['-q', '80', '-b', '10'], 'src16.png', 'h10.heic'],
    ['HEIC 12-bit', ['-q', '80', '-b', '12'], 'src16.png', 'h12.heic'],
    ['HEIC with alpha', ['-q', '80'], 'src-alpha.png', 'ha.heic'],
    ['HEIC EXIF orientation 6', ['-q', '80'], 'src-exif6.jpg', 'h6.heic'],
    ['AVIF 8-bit 4:2:0', ['-A', '-q', '80'], 'src.png', 'a8.avif'],
    ['AVIF 8-bit lossless RGB', ['-A', '-L', '-p', 'chroma=444', '--matrix_coefficients=0'], 'src.png', 'aL.avif'],
    ['AVIF 8-bit with alpha', ['-A', '-q', '80'], 'src-alpha.png', 'aa.avif'],
    ['AVIF 10-bit 4:2:0', ['-A', '-q', '80', '-b', '10'], 'src16.png', 'a10.avif'],
    ['AVIF 10-bit 4:2:2', ['-A', '-q', '80', '-b', '10', '-p', 'chroma=422'], 'src16.png', 'a10_422.avif'],
    ['AVIF 10-bit 4:4:4', ['-A', '-q', '80', '-b', '10', '-p', 'chroma=444'], 'src16.png', 'a10_444.avif'],
    ['AVIF 12-bit 4:2:0', ['-A', '-q', '80', '-b', '12'], 'src16.png', 'a12.avif'],
    ['AVIF 12-bit 4:4:4', ['-A', '-q', '80', '-b', '12', '-p', 'chroma=444'], 'src16.png', 'a12_444.avif'],
  ];
  for (const [name, args, input, out] of heif) {
    if (!heifEnc) { variants.push({ name, made: 'heif-enc not installed' }); continue; }
    const r = spawnSync('heif-enc', [...args, join(dir, input), '-o', join(dir, out)], { encoding: 'utf8' });
    if (r.status !== 0) variants.push({ name, made: `heif-enc failed (${r.signal ?? `exit ${r.status}`}: ${(r.stderr || '').trim().split('\n').pop()})` });
    else add(name, join(dir, out));
  }

  console.log(`\n| variant | bytes | decoder | first decode (ms) | median of ${runs} (ms) | conversions |`);
  console.log('|---|---:|---|---:|---:|---|');
  for (const v of variants) {
    if (!v.file) { console.log(`| ${v.name} | | not made: ${v.made} | | | |`); continue; }
    const bytes = readFileSync(v.file).length;
    let t = performance.now();
    try {
      const d = await decodeImage(v.file);
      const first = performance.now() - t;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        t = performance.now();
        await decodeImage(v.file);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(`| ${v.name} | ${bytes} | ${d.decoder} | ${first.toFixed(0)} | ${times[Math.floor(times.length / 2)].toFixed(0)} | ${d.conversions.join(', ')} |`);
    } catch (e) {
      console.log(`| ${v.name} | ${bytes} | FAILED: ${(e as { reason?: string }).reason ?? (e as Error).message} | | | |`);
    }
  }
  console.log(`\nload average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
