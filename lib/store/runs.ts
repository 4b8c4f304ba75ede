/**
 * Clustering runs saved in the face store, so notebooks and the report can read back what the CLI (or a
 * notebook) clustered: which method with which parameters, the label of every face, the metrics when the
 * identities are known, and how long it took.
 *
 * Layout, inside the store folder:
 * ```
 * runs/<id>/run.json      metadata: id, createdAt, method, parameters, nClusters, nNoise, n, metrics, seconds, ...
 * runs/<id>/labels.arrow  Arrow IPC table: `label` (Int32, -1 = noise), and `faceId` (Utf8) when given
 * ```
 * A run is written into a temporary folder and renamed into place, so a crash never leaves half a run, and
 * nothing else in the store is touched. Ids are `<UTC time>-<method>` (`20261122T221530Z-dbscan`), unique.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { FaceclusterError, invalidParameter } from '../errors.ts';
import type { ClusteringMetrics } from '../evaluate/evaluate.ts';
import { countClusters } from '../evaluate/evaluate.ts';

/** What a caller gives {@link writeRun}. */
export interface NewClusterRun {
  /** Clustering method name, e.g. `dbscan` (see CLUSTER_METHODS). */
  method: string;
  /** The method's options as used (JSON-serialisable). */
  parameters: Record<string, unknown>;
  /** One label per face, in the store's face order; -1 is noise. */
  labels: ArrayLike<number>;
  /** Ids of the faces, in the same order (so a run can be matched to faces after the store grows). */
  faceIds?: readonly string[];
  /** Metrics against the known identities, when there are some. */
  metrics?: ClusteringMetrics;
  /** Seconds the clustering took. */
  seconds?: number;
  /** What was clustered (a store folder, a JSONL file), for the record. */
  input?: string;
  /** Free text. */
  note?: string;
}

/** A run's metadata, as listed (labels not loaded). */
export interface ClusterRunSummary {
  id: string;
  /** ISO 8601 UTC time of writing. */
  createdAt: string;
  method: string;
  parameters: Record<string, unknown>;
  /** Faces. */
  n: number;
  nClusters: number;
  nNoise: number;
  metrics?: ClusteringMetrics;
  seconds?: number;
  input?: string;
  note?: string;
}

/** A run read back in full. */
export interface ClusterRun extends ClusterRunSummary {
  labels: Int32Array;
  faceIds?: string[];
}

const RUNS = 'runs';
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Writes a clustering run into `storeDir/runs/` and returns it as stored (with its id). */
export async function writeRun(storeDir: string, run: NewClusterRun): Promise<ClusterRun> {
  const fn = 'writeRun';
  if (typeof storeDir !== 'string' || storeDir === '') throw invalidParameter(fn, 'storeDir', 'a folder path', storeDir);
  if (!existsSync(storeDir)) throw invalidParameter(fn, 'storeDir', 'an existing store folder', storeDir);
  if (!run || typeof run !== 'object') throw invalidParameter(fn, 'run', 'an object', run);
  if (typeof run.method !== 'string' || !/^[a-z0-9-]+$/.test(run.method)) throw invalidParameter(fn, 'run.method', 'a method name (lowercase letters, digits, -)', run.method);
  if (!run.parameters || typeof run.parameters !== 'object') throw invalidParameter(fn, 'run.parameters', 'an object', run.parameters);
  if (!run.labels || typeof run.labels.length !== 'number') throw invalidParameter(fn, 'run.labels', 'an array of labels', run.labels);
  const labels = Int32Array.from(run.labels);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < -1 || labels[i] !== run.labels[i]) throw invalidParameter(fn, `run.labels[${i}]`, 'an integer >= -1', run.labels[i]);
  }
  if (run.faceIds !== undefined && (!Array.isArray(run.faceIds) || run.faceIds.length !== labels.length)) {
    throw new FaceclusterError(fn, `run.faceIds must have one id per label (${labels.length}), got ${Array.isArray(run.faceIds) ? `length ${run.faceIds.length}` : typeof run.faceIds}.`, 'run.faceIds');
  }
  const runsDir = join(resolve(storeDir), RUNS);
  await mkdir(runsDir, { recursive: true });
  const now = new Date();
  const base = `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${run.method}`;
  let id = base;
  for (let k = 2; existsSync(join(runsDir, id)); k++) id = `${base}-${k}`;
  const { nClusters, nNoise } = countClusters(labels);
  const summary: ClusterRunSummary = {
    id,
    createdAt: now.toISOString(),
    method: run.method,
    parameters: run.parameters,
    n: labels.length,
    nClusters,
    nNoise,
    ...(run.metrics ? { metrics: run.metrics } : {}),
    ...(run.seconds !== undefined ? { seconds: run.seconds } : {}),
    ...(run.input !== undefined ? { input: run.input } : {}),
    ...(run.note !== undefined ? { note: run.note } : {}),
  };
  const table = run.faceIds ? tableFromArrays({ label: labels, faceId: [...run.faceIds] }) : tableFromArrays({ label: labels });
  const tmp = join(runsDir, `.${id}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    await writeFile(join(tmp, 'labels.arrow'), tableToIPC(table, 'file'));
    await writeFile(join(tmp, 'run.json'), `${JSON.stringify(summary, jsonNumbers, 2)}\n`);
    await rename(tmp, join(runsDir, id));
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { ...summary, labels, ...(run.faceIds ? { faceIds: [...run.faceIds] } : {}) };
}

/** The runs of a store, oldest first (metadata only). An empty list when the store has none. */
export async function listRuns(storeDir: string): Promise<ClusterRunSummary[]> {
  const runsDir = join(resolve(storeDir), RUNS);
  if (!existsSync(storeDir)) throw invalidParameter('listRuns', 'storeDir', 'an existing store folder', storeDir);
  if (!existsSync(runsDir)) return [];
  const out: ClusterRunSummary[] = [];
  for (const name of await readdir(runsDir)) {
    if (!ID_PATTERN.test(name) || !existsSync(join(runsDir, name, 'run.json'))) continue;
    out.push(await readSummary(runsDir, name));
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Reads one run in full; `id` may be `'latest'` for the newest run. */
export async function readRun(storeDir: string, id: string): Promise<ClusterRun> {
  const fn = 'readRun';
  const runsDir = join(resolve(storeDir), RUNS);
  if (id === 'latest') {
    const all = await listRuns(storeDir);
    if (all.length === 0) throw new FaceclusterError(fn, `the store ${JSON.stringify(storeDir)} has no runs yet.`, 'id');
    id = all[all.length - 1].id;
  }
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw invalidParameter(fn, 'id', 'a run id (see listRuns) or "latest"', id);
  if (!existsSync(join(runsDir, id, 'run.json'))) {
    const ids = existsSync(runsDir) ? (await listRuns(storeDir)).map((r) => r.id) : [];
    throw new FaceclusterError(fn, `id must be one of the store's runs (${ids.length ? ids.join(', ') : 'none'}), got ${JSON.stringify(id)}.`, 'id');
  }
  const summary = await readSummary(runsDir, id);
  const table = tableFromIPC(await readFile(join(runsDir, id, 'labels.arrow')));
  const labelColumn = table.getChild('label');
  if (!labelColumn || table.numRows !== summary.n) throw new FaceclusterError(fn, `run ${id} is damaged: labels.arrow does not hold ${summary.n} labels.`);
  const labels = Int32Array.from(labelColumn.toArray() as Int32Array);
  const faceColumn = table.getChild('faceId');
  return { ...summary, labels, ...(faceColumn ? { faceIds: (faceColumn.toArray() as string[]).map(String) } : {}) };
}

async function readSummary(runsDir: string, id: string): Promise<ClusterRunSummary> {
  const s = JSON.parse(await readFile(join(runsDir, id, 'run.json'), 'utf8')) as ClusterRunSummary;
  if (s.metrics) {
    // JSON has no NaN: undefined metrics (e.g. singletonShare without one-face people) were written as null.
    for (const [k, v] of Object.entries(s.metrics)) if (v === null) (s.metrics as unknown as Record<string, number>)[k] = NaN;
  }
  return s;
}

/** JSON replacer: typed arrays as plain arrays (NaN/Infinity become null, as JSON.stringify does). */
function jsonNumbers(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
}
