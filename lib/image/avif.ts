/**
 * AVIF (HEIF with AV1-coded images) that sharp cannot read, through libavif and the dav1d AV1 decoder compiled to
 * WebAssembly (npm `@jsquash/avif`, Apache-2.0, from Google's Squoosh; libavif and dav1d are BSD-2-Clause).
 *
 * sharp's prebuilt libvips decodes 8-bit AVIF, but its AV1 decoder is built without high bit depth: 10- and 12-bit
 * AVIF (phone HDR photos, `heif-enc -A -b 12`, many AVIFs without a colour profile) fail there with "bad seek", and
 * libheif-js has no AV1 decoder at all. libavif converts them to 8 bits per sample. It does not apply the HEIF
 * `irot`/`imir` transforms: `decodeImage` applies them from the boxes ({@link readHeifInfo}).
 *
 * The WebAssembly module (1.2 MB) is compiled on the first such file of a process (or worker thread) and kept.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RawPixels } from './raw.ts';

/** Thrown when libavif cannot decode a file; `decodeImage` turns it into the user's reason. */
export class AvifError extends Error {}

/** Thrown when the AVIF decoder itself cannot be loaded: every such file fails with it. */
export class AvifLoadError extends Error {}

/** The npm module that provides libavif. */
export const AVIF_PACKAGE = '@jsquash/avif';

type Decode = (data: ArrayBuffer) => Promise<{ data: Uint8ClampedArray; width: number; height: number } | null>;
let loading: Promise<Decode> | undefined;

/** Loads the decoder once per thread (memoised; a failed load is retried on the next call). @throws AvifLoadError */
export function loadAvifDecoder(): Promise<Decode> {
  loading ??= (async () => {
    try {
      const require = createRequire(import.meta.url);
      const entry = require.resolve(`${AVIF_PACKAGE}/decode.js`);
      const wasm = await WebAssembly.compile(await readFile(join(dirname(entry), 'codec', 'dec', 'avif_dec.wasm')));
      const mod = (await import(pathToFileURL(entry).href)) as { default: Decode; init: (m: WebAssembly.Module, o: object) => Promise<void> };
      await mod.init(wasm, { print: () => undefined, printErr: () => undefined });
      return mod.default;
    } catch (e) {
      loading = undefined;
      throw new AvifLoadError(`the AVIF decoder (${AVIF_PACKAGE}) could not be loaded: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  })();
  return loading;
}

/**
 * Decodes the primary image of an AVIF file to 8-bit RGB(A), as stored (transforms not applied).
 * @throws AvifLoadError when the decoder cannot be loaded; AvifError when the file cannot be decoded
 */
export async function decodeAvif(bytes: Uint8Array): Promise<RawPixels> {
  const decode = await loadAvifDecoder();
  let r: Awaited<ReturnType<Decode>>;
  try {
    r = await decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new AvifError(`libavif: ${(e as Error)?.message ?? e}`);
  }
  if (!r || !r.width || !r.height) throw new AvifError('libavif: decoding failed');
  const rgba = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  let opaque = true;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) { opaque = false; break; }
  if (!opaque) return { data: rgba, width: r.width, height: r.height, channels: 4, conversions: [] };
  const rgb = new Uint8Array(r.width * r.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { data: rgb, width: r.width, height: r.height, channels: 3, conversions: [] };
}
