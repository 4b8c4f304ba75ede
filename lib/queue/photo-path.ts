/**
 * Which photo a queue worker may read for a job: only a file inside the photo folder it resolved at start.
 * A job names its photos by paths relative to that folder; a path that is absolute, climbs out with `..`, or
 * leads out through a symbolic link (links resolved, as `checkOutsidePhotoFolder` resolves them) is refused
 * with a reason, before anything of it is opened. The reason never names a link's target: it is reported back
 * through Redis.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, win32 } from 'node:path';
import { isSameOrInside } from '../paths.ts';

/** A photo a worker may read (its real path), or why not. */
export type PhotoPathCheck = { path: string; reason?: undefined } | { path?: undefined; reason: string };

/**
 * Resolves `relativePath` (a job's photo path) inside `realFolder` (the photo folder, links already resolved):
 * its real path when that is inside the folder, else the reason it is refused.
 */
export async function photoInFolder(realFolder: string, relativePath: unknown): Promise<PhotoPathCheck> {
  if (typeof relativePath !== 'string' || relativePath === '' || relativePath.includes('\0')) {
    return { reason: `refused: the photo path must be a path relative to the photo folder, got ${JSON.stringify(relativePath)}` };
  }
  if (isAbsolute(relativePath) || win32.isAbsolute(relativePath)) {
    return { reason: 'refused: an absolute path; a queue worker reads only paths relative to the photo folder' };
  }
  if (relativePath.split(/[\\/]/).includes('..')) {
    return { reason: "refused: the path climbs out of the photo folder ('..'); a queue worker reads only inside it" };
  }
  let real: string;
  try {
    real = await realpath(join(realFolder, relativePath));
  } catch (e) {
    return { reason: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (!isSameOrInside(real, realFolder) || real === realFolder) {
    return { reason: 'refused: a symbolic link that leads outside the photo folder; a queue worker reads only inside it' };
  }
  return { path: real };
}
