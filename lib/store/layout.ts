/**
 * Where the face store lives and how files get there safely.
 *
 * A store is one folder (default `facecluster-out/<photo folder name>/store/` in the current directory, never
 * inside the photo folder; stores of facecluster before 0.2 lived in `<photos>/.facecluster/` and are still read):
 *   manifest.json    tool version, models, parameters, counts
 *   photos.arrow     one row per photo        faces.arrow   one row per face
 *   batches/         work of a run in progress: `<name>.faces.arrow` then `<name>.photos.arrow`
 *                    (a batch counts once its photos file exists); merged into the two tables at the end
 *   lock             pid of the process writing the store
 *   people.*, people-faces.arrow, corrections.jsonl, people-index.*   the people (lib/people: table.ts,
 *                    journal.ts, face-index.ts)
 * Every file is written to a temporary name in the same folder and renamed into place, so a reader or
 * an interrupted run never sees half a file; symbolic links are never followed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync } from 'node:fs';
import { lstat, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FaceclusterError } from '../errors.ts';

/** Name of the store folder that facecluster before 0.2 wrote inside the photo folder (still read, never written). */
export const STORE_DIRNAME = '.facecluster';
/** The folder, in the current directory, that `facecluster run` writes to and `encode` puts its store in by default. */
export const OUTPUT_ROOT = 'facecluster-out';
export const MANIFEST_FILE = 'manifest.json';
export const PHOTOS_FILE = 'photos.arrow';
export const FACES_FILE = 'faces.arrow';
export const BATCHES_DIR = 'batches';
export const LOCK_FILE = 'lock';

/** The default output folder of a photo folder: `facecluster-out/<its name>` in `cwd`. */
export function defaultOutputDir(photoFolder: string, cwd = process.cwd()): string {
  return resolve(cwd, OUTPUT_ROOT, basename(resolve(photoFolder)));
}

/** The default store folder of a photo folder: `facecluster-out/<its name>/store` in `cwd` (outside the photos). */
export function defaultStoreDir(photoFolder: string, cwd = process.cwd()): string {
  return join(defaultOutputDir(photoFolder, cwd), 'store');
}

/** Where facecluster before 0.2 kept a photo folder's store: `<photos>/.facecluster` (read, never written). */
export function legacyStoreDir(photoFolder: string): string {
  return join(resolve(photoFolder), STORE_DIRNAME);
}

/**
 * The store folder for `dir`: `dir` itself when it holds a manifest, else `dir/.facecluster` when that
 * does; throws otherwise.
 */
export function resolveStoreDir(dir: string): string {
  const d = resolve(dir);
  if (existsSync(join(d, MANIFEST_FILE))) return d;
  if (existsSync(join(legacyStoreDir(d), MANIFEST_FILE))) return legacyStoreDir(d);
  throw new FaceclusterError('openStore', `dir must be a face store (a folder with ${MANIFEST_FILE}) or a photo folder holding ${STORE_DIRNAME}/, got ${JSON.stringify(dir)}; run \`facecluster encode\` first.`, 'dir');
}

/** Creates `dir` (and parents) unless it exists; refuses when it is a symbolic link or not a folder. */
export async function ensureRealDir(dir: string, fn: string): Promise<void> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) {
    await mkdir(dir, { recursive: true });
    return;
  }
  if (st.isSymbolicLink()) throw new FaceclusterError(fn, `the output folder ${JSON.stringify(dir)} is a symbolic link; refusing to follow it.`);
  if (!st.isDirectory()) throw new FaceclusterError(fn, `the output path ${JSON.stringify(dir)} exists and is not a folder.`);
}

/**
 * Writes `bytes` to `dir/name` atomically: a new temporary file (exclusive create: never through an
 * existing file or link) renamed over the target (rename replaces a link, it does not follow it).
 */
export async function atomicWrite(dir: string, name: string, bytes: Uint8Array | string): Promise<void> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, bytes, { flag: 'wx' });
  try {
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * Like {@link atomicWrite}, for a file too big to hold in memory: `write(fd)` writes into the temporary file
 * (opened for exclusive create), which is then closed and renamed into place; on an error it is removed.
 */
export async function atomicWriteWith(dir: string, name: string, write: (fd: number) => void): Promise<void> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    try {
      write(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Whether `path` is a regular file (not a link). */
export function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}
