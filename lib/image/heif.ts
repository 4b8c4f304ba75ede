/**
 * HEIC (HEIF with HEVC-coded images: iPhone photos since iOS 11) through libheif-js, libheif and libde265 compiled
 * to WebAssembly (npm `libheif-js`, LGPL-3.0; libheif by Struktur AG, libde265 by Dirk Farin). sharp's prebuilt
 * libvips reads HEIF only with AV1 inside (AVIF): for HEVC it fails with "bad seek", so `decodeImage` comes here.
 *
 * libheif applies the image's `irot`/`imir` transforms and crops (`clap`), decodes grids of tiles into one image and
 * converts 10/12-bit images to 8 bits. The WebAssembly module (2.5 MB) is loaded on the first HEIC file of a process
 * (or worker thread), ~0.3 s, and kept. `heic-decode` (the usual wrapper) is not used: it takes the first image rather
 * than the primary one and libheif-js's `HeifDecoder` prints to the console, which a library must not do.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RawPixels } from './raw.ts';

/** Thrown when libheif cannot decode a file; `decodeImage` turns it into the user's reason. */
export class HeifError extends Error {}

/** Thrown when libheif-js itself cannot be loaded (not installed, broken install): every HEIC file fails with it. */
export class HeifLoadError extends Error {}

/** The npm module that provides libheif. */
export const LIBHEIF_PACKAGE = 'libheif-js';

// The part of libheif-js's Emscripten module used here (its own typings cover only the raw C exports).
interface HeifError_ { code: unknown; message?: string }
interface Libheif {
  heif_error_code: { heif_error_Ok: unknown };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
  heif_get_version(): string;
  heif_context_alloc(): number;
  heif_context_free(ctx: number): void;
  heif_context_read_from_memory(ctx: number, data: Uint8Array): HeifError_;
  /** An embind handle object, or an error object with `code`. */
  heif_js_context_get_primary_image_handle(ctx: number): object | HeifError_;
  heif_image_handle_get_width(handle: object): number;
  heif_image_handle_get_height(handle: object): number;
  heif_image_handle_has_alpha_channel(handle: object): number;
  heif_image_handle_release(handle: object): void;
  heif_js_decode_image2(handle: object, colorspace: unknown, chroma: unknown): Promise<DecodedHeif | HeifError_>;
  heif_image_release(image: number): void;
}
interface DecodedHeif {
  code?: unknown;
  image: number;
  channels: { id: unknown; data: Uint8Array; width: number; height: number; stride: number }[];
}

let loading: Promise<Libheif> | undefined;

/**
 * Loads libheif-js once per thread (memoised; a failed load is retried on the next call).
 * @throws HeifLoadError naming the package and what went wrong
 */
export function loadLibheif(): Promise<Libheif> {
  loading ??= (async () => {
    try {
      const require = createRequire(import.meta.url);
      const entry = require.resolve(`${LIBHEIF_PACKAGE}/libheif-wasm/libheif.js`);
      const wasmBinary = await readFile(join(dirname(entry), 'libheif.wasm'));
      const imported = (await import(pathToFileURL(entry).href)) as { default: (m: object) => unknown };
      return await new Promise<Libheif>((resolve, reject) => {
        // Emscripten: the object given becomes the module; it reports readiness through onRuntimeInitialized
        const module: Record<string, unknown> = {
          wasmBinary,
          print: () => undefined,
          printErr: () => undefined,
          onAbort: (what: unknown) => reject(new Error(`aborted: ${String(what)}`)),
          onRuntimeInitialized: () => resolve(module as unknown as Libheif),
        };
        imported.default(module);
      });
    } catch (e) {
      loading = undefined;
      throw new HeifLoadError(`the HEIC decoder (${LIBHEIF_PACKAGE}) could not be loaded: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  })();
  return loading;
}

/** libheif's version, e.g. `1.23.2` (loads the module). */
export async function libheifVersion(): Promise<string> {
  return (await loadLibheif()).heif_get_version();
}

/**
 * Decodes the primary image of an HEIF file with libheif (transforms applied: the result is upright as far as the
 * file's `irot`/`imir` say). `maxPixels` is checked on the image's size before decoding.
 * @throws HeifLoadError when libheif-js cannot be loaded; HeifError when the file cannot be decoded
 */
export async function decodeHeif(bytes: Uint8Array, maxPixels = Infinity): Promise<RawPixels> {
  const h = await loadLibheif();
  const ok = h.heif_error_code.heif_error_Ok;
  const ctx = h.heif_context_alloc();
  if (!ctx) throw new HeifError('libheif: out of memory');
  let handle: object | undefined;
  try {
    const read = h.heif_context_read_from_memory(ctx, bytes);
    if (read.code !== ok) throw new HeifError(`libheif: ${read.message ?? 'cannot read the file'}`);
    const hd = h.heif_js_context_get_primary_image_handle(ctx);
    if (!hd || 'code' in hd) throw new HeifError(`libheif: ${(hd as HeifError_ | undefined)?.message ?? 'no primary image'}`);
    handle = hd;
    const width = h.heif_image_handle_get_width(handle);
    const height = h.heif_image_handle_get_height(handle);
    if (width * height > maxPixels) throw new HeifError(`too large: ${width}x${height}`);
    const alpha = !!h.heif_image_handle_has_alpha_channel(handle);
    const img = await h.heif_js_decode_image2(handle, h.heif_colorspace.heif_colorspace_RGB, alpha ? h.heif_chroma.heif_chroma_interleaved_RGBA : h.heif_chroma.heif_chroma_interleaved_RGB);
    if (!img || !('channels' in img)) throw new HeifError(`libheif: ${(img as HeifError_ | undefined)?.message ?? 'decoding failed'}`);
    const decoded = img as DecodedHeif;
    try {
      const plane = decoded.channels.find((c) => c.id === h.heif_channel.heif_channel_interleaved);
      if (!plane) throw new HeifError('libheif: no interleaved RGB plane in the decoded image');
      const channels = alpha ? 4 : 3;
      const rowBytes = plane.width * channels;
      const data = new Uint8Array(plane.height * rowBytes);
      for (let y = 0; y < plane.height; y++) data.set(plane.data.subarray(y * plane.stride, y * plane.stride + rowBytes), y * rowBytes);
      return { data, width: plane.width, height: plane.height, channels, conversions: [] };
    } finally {
      h.heif_image_release(decoded.image);
    }
  } finally {
    if (handle) h.heif_image_handle_release(handle);
    h.heif_context_free(ctx);
  }
}
