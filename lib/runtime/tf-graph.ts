/**
 * tfjs graph models (`model.json` + weight shards) read from disk into the process's one tfjs instance
 * ({@link loadTf}): tfjs's own `file://` loader exists only in tfjs-node, so the artifacts are read here.
 * A missing, empty or unreadable file is an error naming it.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { loadTf, type TfRuntime } from './tf.ts';

export type GraphModel = import('@tensorflow/tfjs').GraphModel;

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: unknown;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[];
}

async function readNonEmpty(fn: string, path: string, what: string): Promise<Buffer> {
  const st = await stat(path).catch(() => undefined);
  if (!st || !st.isFile()) throw new FaceclusterError(fn, `the ${what} ${JSON.stringify(path)} does not exist; run \`npm run models:fetch\` (see models/README.md).`, 'path');
  if (st.size === 0) throw new FaceclusterError(fn, `the ${what} ${JSON.stringify(path)} is empty (0 bytes); delete it and run \`npm run models:fetch\`.`, 'path');
  return readFile(path);
}

/** Loads the graph model whose `model.json` is `path` (weights beside it); dispose it with `model.dispose()`. */
export async function loadGraphModelFile(path: string): Promise<{ model: GraphModel; runtime: TfRuntime }> {
  const fn = 'loadGraphModelFile';
  const runtime = await loadTf();
  const text = (await readNonEmpty(fn, path, 'model file')).toString('utf8');
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
    if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error('no modelTopology or weightsManifest');
  } catch (e) {
    throw new FaceclusterError(fn, `the model file ${JSON.stringify(path)} is not a tfjs graph model (${(e as Error).message}); delete it and run \`npm run models:fetch\`.`, 'path', { cause: e });
  }
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) shards.push(await readNonEmpty(fn, join(dirname(path), p), 'weight file'));
  }
  const weightData = new Uint8Array(shards.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of shards) {
    weightData.set(b, at);
    at += b.length;
  }
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const tf = runtime.tf;
  const artifacts: import('@tensorflow/tfjs').io.ModelArtifacts = {
    modelTopology: json.modelTopology as never,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature as never,
    userDefinedMetadata: json.userDefinedMetadata as never,
    weightSpecs,
    weightData: weightData.buffer,
  };
  try {
    const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    return { model, runtime };
  } catch (e) {
    throw new FaceclusterError(fn, `the model ${JSON.stringify(path)} could not be loaded (${(e as Error).message.split('\n')[0]}); its weight files may be truncated: delete them and run \`npm run models:fetch\`.`, 'path', { cause: e });
  }
}
