/**
 * A queue worker process for the tests whose encode pool does no real work (one fixed face per photo, no
 * models) and kills its own process (SIGKILL, as a decoder crash in native code would) on any photo whose
 * path ends with argv[3]. Usage: node --import tsx _crashing-worker.ts redis://HOST:PORT POISON_SUFFIX
 */
import type { EncodePool } from '../../lib/pipeline/encode-folder.ts';
import type { PhotoResult } from '../../lib/pipeline/face-encoder.ts';
import { runQueueWorker } from '../../lib/queue/worker.ts';
import { DEFAULT_EMBEDDER, EMBEDDER_SPECS } from '../../lib/embed/registry.ts';

/** The default embedder's size: the encode the test starts uses the default settings. */
const DIM = EMBEDDER_SPECS[DEFAULT_EMBEDDER].dimension;

const [url, poison] = process.argv.slice(2);
const pool: EncodePool = {
  backend: 'test pool (no models)',
  embed: async () => ({ status: 'failed', reason: 'the test pool only encodes' }),
  detectorCalls: () => 0,
  dimension: DIM,
  size: 1,
  async encode(path: string): Promise<PhotoResult> {
    if (path.endsWith(poison)) process.kill(process.pid, 'SIGKILL');
    const embedding = new Float32Array(DIM);
    embedding[path.length % DIM] = 1;
    return {
      status: 'ok', width: 250, height: 250, conversions: [],
      faces: [{ box: { x: 70, y: 70, width: 110, height: 130 }, score: 0.99, landmarks5: [{ x: 90, y: 110 }, { x: 160, y: 110 }, { x: 125, y: 145 }, { x: 95, y: 180 }, { x: 155, y: 180 }], embedding }],
    };
  },
  close: async () => undefined,
};
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
await runQueueWorker({ queue: url, pool, lockSeconds: 2, signal: controller.signal }, (e) => {
  if (e.type === 'batch-start') process.stderr.write(`batch ${e.job}: ${e.photos} photo(s)\n`);
});
