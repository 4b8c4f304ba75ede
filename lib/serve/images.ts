/**
 * Face thumbnails and photos for the browser app, cached on disk in the serve cache folder (never in the photo
 * folder: the cache folder is checked against it once, when the server starts).
 *
 * A request names a face by its face id or a photo by its path as the store lists them; the caller looks it up
 * in the store first (view.ts), so the file read here is always `<photo folder>/<path the store holds>`, and it
 * is read only when it is a regular file inside the photo folder. Cache files are named by a hash of what they
 * show (photo path, box, size), so no request text becomes a file name.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { openUpright } from '../image/decode.ts';
import { thumbnailBuffer } from '../image/thumbnail.ts';
import { isSameOrInside, realPathOf } from '../paths.ts';
import { atomicWrite, ensureRealDir, isRegularFile } from '../store/layout.ts';
import type { Box } from '../types.ts';

/** Sides a face thumbnail is served at (a page asks for one of them). */
export const THUMBNAIL_SIZES = [96, 192] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];

/** Longest side of a photo as served on the Photo page, in pixels. */
export const PHOTO_MAX_SIDE = 1600;

export class ImageCache {
  private ready: Promise<void> | undefined;
  private pending = new Map<string, Promise<Buffer>>();

  constructor(readonly cacheDir: string, readonly photoFolder: string) {}

  /**
   * The photo file of a stored path, refused unless it is a regular file inside the photo folder, links resolved
   * (a store naming `../x`, or a folder link out of the photo folder, reads nothing outside it).
   */
  private source(path: string): string {
    const file = resolve(this.photoFolder, path);
    if (!isSameOrInside(file, resolve(this.photoFolder)) || !isRegularFile(file) || !isSameOrInside(realPathOf(file), realPathOf(this.photoFolder))) {
      throw new FaceclusterError('serve', `photo ${JSON.stringify(path)} is not a file in the photo folder ${JSON.stringify(this.photoFolder)} (moved or deleted since it was encoded?).`);
    }
    return file;
  }

  private async cached(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const name = `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.jpg`;
    const file = resolve(this.cacheDir, name);
    if (existsSync(file)) return readFile(file);
    const running = this.pending.get(name);
    if (running) return running;
    const work = (async () => {
      const bytes = await make();
      this.ready ??= ensureRealDir(this.cacheDir, 'serve');
      await this.ready;
      await atomicWrite(this.cacheDir, name, bytes).catch(() => undefined); // a full disk costs the cache, not the page
      return bytes;
    })();
    this.pending.set(name, work);
    try {
      return await work;
    } finally {
      this.pending.delete(name);
    }
  }

  /** JPEG thumbnail of a stored face (its photo path and box as the store holds them). */
  face(path: string, box: Box, size: ThumbnailSize): Promise<Buffer> {
    return this.cached(`face\n${path}\n${box.x},${box.y},${box.width},${box.height}\n${size}`, () => thumbnailBuffer(this.source(path), box, { size, quality: 82 }));
  }

  /** The whole photo, upright, at most {@link PHOTO_MAX_SIDE} pixels on its longer side, as JPEG. */
  photo(path: string): Promise<Buffer> {
    return this.cached(`photo\n${path}\n${PHOTO_MAX_SIDE}`, async () => {
      const { image } = await openUpright(this.source(path));
      return image.resize(PHOTO_MAX_SIDE, PHOTO_MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();
    });
  }
}
