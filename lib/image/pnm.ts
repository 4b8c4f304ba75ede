/**
 * Netpbm images (PBM, PGM, PPM, PAM; Poskanzer, "pnm(5)", netpbm.sourceforge.net/doc): the AT&T/ORL face database
 * and many research sets ship as PGM. sharp's prebuilt libvips does not read them.
 *
 * Reads P1/P4 (bitmap), P2/P5 (grey), P3/P6 (RGB), ASCII and binary, maxval up to 65535 (two bytes a sample,
 * big-endian, above 255), `#` comments in the header, and P7 (PAM) with DEPTH 1-4 (GRAYSCALE, RGB, _ALPHA). Only
 * the first image of a multi-image file is read. Samples are scaled to 8 bits (`16-bit->8-bit` in conversions).
 */
import { to8bit, type RawPixels } from './raw.ts';

/** Thrown for a file that is not a readable Netpbm image; `decodeImage` turns it into the user's reason. */
export class PnmError extends Error {}

/**
 * Decodes a Netpbm image. `maxPixels` is checked from the header, before anything is allocated.
 * @throws PnmError saying what is wrong (`truncated: ...`, `bad header: ...`, `too large: ...`)
 */
export function decodePnm(bytes: Uint8Array, maxPixels = Infinity): RawPixels {
  if (bytes.length < 3 || bytes[0] !== 0x50) throw new PnmError('not a Netpbm file (no "P" magic)');
  const kind = bytes[1] - 0x30;
  if (kind < 1 || kind > 7) throw new PnmError(`unknown Netpbm type P${String.fromCharCode(bytes[1])}`);
  let pos = 2;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

  if (kind === 7) return decodePam(bytes, maxPixels);

  /** Next header integer, skipping whitespace and `#` comments. */
  const headerInt = (name: string): number => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (bytes[pos] !== 0x23) break; // '#': comment to the end of the line
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    }
    const start = pos;
    let v = 0;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) v = v * 10 + (bytes[pos++] - 0x30);
    if (pos === start) throw new PnmError(pos >= bytes.length ? `truncated header (no ${name})` : `bad header: ${name} is not a number`);
    return v;
  };
  const width = headerInt('width');
  const height = headerInt('height');
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : headerInt('maxval');
  if (width < 1 || height < 1) throw new PnmError(`bad header: size ${width}x${height}`);
  if (maxval < 1 || maxval > 65535) throw new PnmError(`bad header: maxval must be 1..65535, got ${maxval}`);
  if (width * height > maxPixels) throw new PnmError(`too large: ${width}x${height}`);
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const n = width * height * channels;
  const out = new Uint8Array(n);
  const conversions: string[] = [];
  if (maxval > 255) conversions.push('16-bit->8-bit');
  else if (maxval !== 255 && !bitmap) conversions.push(`maxval ${maxval}->255`);

  if (kind <= 3) {
    // ASCII: whitespace-separated decimal samples (P1 may run its 0/1 digits together)
    for (let i = 0; i < n; i++) {
      while (pos < bytes.length && (isSpace(bytes[pos]) || bytes[pos] === 0x23)) {
        if (bytes[pos] === 0x23) while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
        else pos++;
      }
      if (pos >= bytes.length) throw new PnmError(`truncated: ${i} of ${n} samples`);
      let v: number;
      if (kind === 1) {
        v = bytes[pos++] - 0x30;
        if (v !== 0 && v !== 1) throw new PnmError('bad data: P1 samples must be 0 or 1');
      } else {
        const start = pos;
        v = 0;
        while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) v = v * 10 + (bytes[pos++] - 0x30);
        if (pos === start) throw new PnmError(`bad data: sample ${i} is not a number`);
      }
      out[i] = kind === 1 ? (v ? 0 : 255) : to8bit(v, maxval); // PBM: 1 is black
    }
    return { data: out, width, height, channels, conversions };
  }

  // Binary: exactly one whitespace byte after the last header field
  if (!isSpace(bytes[pos])) throw new PnmError('bad header: no whitespace before the pixel data');
  pos++;
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    if (bytes.length - pos < rowBytes * height) throw new PnmError(`truncated: ${bytes.length - pos} of ${rowBytes * height} data bytes`);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[y * width + x] = (bytes[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
    return { data: out, width, height, channels, conversions };
  }
  const wide = maxval > 255;
  const need = n * (wide ? 2 : 1);
  if (bytes.length - pos < need) throw new PnmError(`truncated: ${bytes.length - pos} of ${need} data bytes`);
  if (wide) for (let i = 0; i < n; i++) out[i] = to8bit((bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1], maxval);
  else if (maxval === 255) out.set(bytes.subarray(pos, pos + n));
  else for (let i = 0; i < n; i++) out[i] = to8bit(bytes[pos + i], maxval);
  return { data: out, width, height, channels, conversions };
}

/** P7 (PAM): `WIDTH`, `HEIGHT`, `DEPTH`, `MAXVAL`, `TUPLTYPE` lines up to `ENDHDR`, then binary samples. */
function decodePam(bytes: Uint8Array, maxPixels: number): RawPixels {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const end = text.indexOf('ENDHDR');
  if (end < 0) throw new PnmError('truncated header (no ENDHDR)');
  const fields = new Map<string, string>();
  for (const line of text.slice(3, end).split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [k, ...v] = t.split(/\s+/);
    fields.set(k.toUpperCase(), v.join(' '));
  }
  const num = (k: string) => {
    const v = Number(fields.get(k));
    if (!Number.isInteger(v) || v < 1) throw new PnmError(`bad header: ${k} must be a positive integer, got ${JSON.stringify(fields.get(k))}`);
    return v;
  };
  const width = num('WIDTH');
  const height = num('HEIGHT');
  const depth = num('DEPTH');
  const maxval = num('MAXVAL');
  if (depth > 4) throw new PnmError(`unsupported PAM depth ${depth} (1-4 read)`);
  if (maxval > 65535) throw new PnmError(`bad header: MAXVAL must be 1..65535, got ${maxval}`);
  if (width * height > maxPixels) throw new PnmError(`too large: ${width}x${height}`);
  let pos = end + 'ENDHDR'.length;
  if (bytes[pos] === 0x0d) pos++;
  if (bytes[pos] !== 0x0a) throw new PnmError('bad header: no newline after ENDHDR');
  pos++;
  const n = width * height * depth;
  const wide = maxval > 255;
  if (bytes.length - pos < n * (wide ? 2 : 1)) throw new PnmError(`truncated: ${bytes.length - pos} of ${n * (wide ? 2 : 1)} data bytes`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = to8bit(wide ? (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1] : bytes[pos + i], maxval); // PAM: 1 is white
  const conversions = wide ? ['16-bit->8-bit'] : maxval !== 255 ? [`maxval ${maxval}->255`] : [];
  return { data: out, width, height, channels: depth as 1 | 2 | 3 | 4, conversions };
}
