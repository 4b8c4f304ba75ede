/**
 * What travels on the encode queue: one BullMQ job per batch of photos, the batch's result, and the
 * queue's run record (one Redis key per queue naming the folder, store and parameters of the encode
 * that owns it), which workers read before they take anything and coordinators check for conflicts.
 */
import type { Queue } from 'bullmq';
import type { EncodeParameters, StoreManifest } from '../store/manifest.ts';
import { stableStringify } from '../store/manifest.ts';
import type { PhotoStatus } from '../store/schema.ts';
import type { ScannedFile } from '../store/write.ts';

/** Default BullMQ queue name (several encodes can share one Redis with `queueName`). */
export const DEFAULT_QUEUE_NAME = 'facecluster-encode';

/** Name of the BullMQ jobs (one batch of photos each). */
export const BATCH_JOB = 'encode-batch';

/** What a batch job id looks like (`<run id>-<6 digits>`): it becomes a file name in the store. */
export const JOB_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** What the coordinator (`encode --queue`) records about its run; jobs refer to it by `run`. */
export interface QueueRun {
  /** Unique id of this encode run (also the prefix of its job ids and batch files). */
  run: string;
  /** Absolute photo folder and store folder, as the coordinator sees them. */
  folder: string;
  storeDir: string;
  parameters: EncodeParameters;
  models: StoreManifest['models'];
  /** `parametersKey(parameters, models)`: what a worker must match. */
  parametersKey: string;
  /** Content of the store's lock file while this run holds it. */
  lock: string;
  batches: number;
  photos: number;
  host: string;
  startedAt: string;
  /** HMAC of the rest of the record with the queue's secret (signing.ts); absent on an unsigned loopback queue. */
  signature?: string;
}

/**
 * Data of one batch job. Its BullMQ job id names the batch file a worker commits, so it is signed with the
 * data (see signing.ts) and must match {@link JOB_ID}.
 */
export interface BatchJobData {
  run: string;
  folder: string;
  storeDir: string;
  parametersKey: string;
  lock: string;
  files: ScannedFile[];
  /** HMAC of the rest of the data and the BullMQ job id with the queue's secret (signing.ts); absent on an unsigned loopback queue. */
  signature?: string;
}

/** One photo's outcome as reported back to the coordinator. */
export interface PhotoOutcome {
  path: string;
  status: PhotoStatus;
  faces: number;
  reason?: string;
}

/** Return value of a batch job. */
export interface BatchJobResult {
  /** Batch file name in `<store>/batches/` (empty when the job was stale and nothing was written). */
  batch: string;
  /** true when the job belonged to a run that is over (nothing written). */
  stale: boolean;
  worker: string;
  backend: string;
  photos: PhotoOutcome[];
  /** Seconds spent encoding, committing, and in the whole job. */
  encodeSeconds: number;
  commitSeconds: number;
  seconds: number;
}

/** Redis key of the run record of `queue`. */
export function runKey(queue: Queue): string {
  return `${queue.opts.prefix ?? 'bull'}:${queue.name}:facecluster-run`;
}

/**
 * The run record of `queue`, as found in Redis: anyone who can write there can change it, so a worker checks
 * its signature before it believes a word of it. Text that is not a JSON object reads as `{}` (no run).
 */
export async function readRun(queue: Queue): Promise<QueueRun | undefined> {
  const client = await queue.client;
  const text = await client.get(runKey(queue));
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}) as QueueRun;
  } catch {
    return {} as QueueRun;
  }
}

export async function writeRun(queue: Queue, run: QueueRun): Promise<void> {
  const client = await queue.client;
  await client.set(runKey(queue), JSON.stringify(run));
}

export async function deleteRun(queue: Queue): Promise<void> {
  const client = await queue.client;
  await client.del(runKey(queue));
}

/** Jobs of `queue` not finished yet (waiting, delayed, active, ...). */
export async function unfinishedJobs(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/**
 * The settings that differ between two parameter sets (and model versions), as `name: a vs b`
 * lines, e.g. `detector: "ssd-mobilenet" (queue) vs "tiny" (this worker)`; empty when they match.
 */
export function parameterDifferences(
  queue: { parameters: EncodeParameters; models: StoreManifest['models'] },
  mine: { parameters: EncodeParameters; models: StoreManifest['models'] },
  names: [string, string],
): string[] {
  const out: string[] = [];
  const a = { ...queue.parameters, 'models.faceApi': queue.models.faceApi, 'models.landmarks': queue.models.landmarks } as Record<string, unknown>;
  const b = { ...mine.parameters, 'models.faceApi': mine.models.faceApi, 'models.landmarks': mine.models.landmarks } as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = stableStringify(a[key]);
    const y = stableStringify(b[key]);
    if (x !== y) out.push(`${key}: ${x} (${names[0]}) vs ${y} (${names[1]})`);
  }
  return out;
}
