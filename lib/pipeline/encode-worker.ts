/**
 * Worker thread of the encode pool: its own tfjs (wasm is single-threaded, so N workers use N cores)
 * and its own models. Messages in: `{ id, path }`; out: `{ id, result }` with embeddings transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFaceEncoder, type FaceEncoderOptions, type PhotoResult } from './face-encoder.ts';

export interface WorkerRequest {
  id: number;
  path: string;
}
export type WorkerReply = { id: number; result: PhotoResult } | { ready: true; backend: string } | { fatal: string };

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
        const result = await encoder.encodeFile(msg.path);
        const transfer = result.faces.map((f) => f.embedding.buffer as ArrayBuffer);
        port.postMessage({ id: msg.id, result } satisfies WorkerReply, transfer);
      });
    },
    (e: unknown) => port.postMessage({ fatal: (e as Error)?.message ?? String(e) } satisfies WorkerReply),
  );
}
