/**
 * Worker thread of the encode pool: its own tfjs (wasm is single-threaded, so N workers use N cores)
 * and its own models. Messages in: `{ id, path }`; out: `{ id, result }` with embeddings transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EmbedderName } from '../embed/registry.ts';
import type { Box } from '../types.ts';
import { createFaceEncoder, type EmbedResult, type FaceEncoderOptions, type PhotoResult, type StoredDetection } from './face-encoder.ts';

/**
 * Encode the photo at `path` (with `stored`: only the faces not among those boxes); or, with `faces` and
 * `embedders`, only embed those stored faces.
 */
export interface WorkerRequest {
  id: number;
  path: string;
  stored?: Box[];
  faces?: StoredDetection[];
  embedders?: EmbedderName[];
  /** Also measure the faces' quality (`embedFile`'s `quality`). */
  quality?: boolean;
}
/** Replies carry the worker's running count of detector calls. */
export type WorkerReply =
  | { id: number; result: PhotoResult; detectorCalls: number }
  | { id: number; embedded: EmbedResult; detectorCalls: number }
  | { ready: true; backend: string }
  | { fatal: string };

const port = parentPort;
if (port) {
  const options = workerData as FaceEncoderOptions;
  createFaceEncoder(options).then(
    (encoder) => {
      port.postMessage({ ready: true, backend: encoder.backend } satisfies WorkerReply);
      port.on('message', async (msg: WorkerRequest | 'close') => {
        if (msg === 'close') {
          encoder.dispose();
          port.close();
          return;
        }
        if (msg.faces && msg.embedders) {
          const embedded = await encoder.embedFile(msg.path, msg.faces, msg.embedders, msg.quality === true);
          const transfer = embedded.status === 'ok' ? Object.values(embedded.embeddings).flatMap((v) => v.map((e) => e.buffer as ArrayBuffer)) : [];
          port.postMessage({ id: msg.id, embedded, detectorCalls: encoder.detectorCalls } satisfies WorkerReply, [...new Set(transfer)]);
          return;
        }
        const result = await encoder.encodeFile(msg.path, msg.stored);
        const transfer = new Set(result.faces.flatMap((f) => [f.embedding.buffer as ArrayBuffer, ...Object.values(f.embeddings ?? {}).map((e) => e.buffer as ArrayBuffer)]));
        port.postMessage({ id: msg.id, result, detectorCalls: encoder.detectorCalls } satisfies WorkerReply, [...transfer]);
      });
    },
    (e: unknown) => port.postMessage({ fatal: (e as Error)?.message ?? String(e) } satisfies WorkerReply),
  );
}
