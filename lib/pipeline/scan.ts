/**
 * Finding the photos of a folder: every file below it whose extension is an image format facecluster decodes, and
 * every other file whose first bytes are one (a JPEG with no extension, `IMG_0001.jpg_original`), skipping hidden
 * files and folders (names starting with `.`, which includes the `.facecluster` store), any `exclude`d folder, and
 * symbolic links to folders (no loops, nothing outside the tree). A file with a photo extension but other content is
 * listed all the same: decoding reports what it really is (by content, lib/image/magic.ts).
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { MAGIC_BYTES, sniffImageFormat } from '../image/magic.ts';
import type { ScannedFile } from '../store/write.ts';

/** Extensions (lower case) of the formats facecluster decodes (lib/image/decode.ts). */
export const PHOTO_EXTENSIONS: readonly string[] = [
  '.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.tif', '.tiff', '.gif',
  '.avif', '.heic', '.heif', '.hif',
  '.pgm', '.ppm', '.pnm', '.pbm', '.pam', '.bmp', '.dib',
];

export interface ScanResult {
  /** Photos, sorted by path; `path` is relative to the folder, `/`-separated. */
  files: ScannedFile[];
  /** Files skipped: neither a photo extension nor an image's first bytes. */
  skipped: number;
}

/** Lists the photos below `folder` (see the module comment for what is skipped). */
export async function scanPhotos(folder: string, exclude: readonly string[] = []): Promise<ScanResult> {
  const root = resolve(folder);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new FaceclusterError('scanPhotos', `folder must be an existing folder, got ${JSON.stringify(folder)}.`, 'folder');
  const excluded = new Set(exclude.map((e) => resolve(e)));
  const files: ScannedFile[] = [];
  let skipped = 0;
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (excluded.has(full)) continue;
      let info = await lstat(full).catch(() => undefined);
      if (!info) continue;
      if (info.isSymbolicLink()) {
        info = await stat(full).catch(() => undefined); // a link to a file is read; to a folder, skipped
        if (!info || info.isDirectory()) continue;
      }
      if (info.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!info.isFile()) continue;
      const dot = e.name.lastIndexOf('.');
      const ext = dot >= 0 ? e.name.slice(dot).toLowerCase() : '';
      if (!PHOTO_EXTENSIONS.includes(ext) && !(await looksLikeImage(full))) {
        skipped++;
        continue;
      }
      files.push({ path: relative(root, full).split(sep).join('/'), sizeBytes: info.size, mtimeMs: info.mtimeMs });
    }
  }
  await walk(root);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** Whether the file's first bytes are those of an image format facecluster decodes. */
async function looksLikeImage(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const head = new Uint8Array(MAGIC_BYTES);
    const { bytesRead } = await fh.read(head, 0, MAGIC_BYTES, 0);
    return sniffImageFormat(head.subarray(0, bytesRead)) !== undefined;
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

/** The `--labels folder` label of a relative photo path: its parent folder's name (null at the top). */
export function folderLabel(path: string): string | null {
  const parts = path.split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : null;
}
