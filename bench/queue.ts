/**
 * Encoding on the BullMQ queue: `npm run bench:queue [-- --folder DIR] [--workers 1,2,3] [--photos N]
 * [--overhead-photos N] [--overhead-only]`.
 *
 * Starts its own Debian redis-server (127.0.0.1, free port, temporary folder; stopped by pid), then
 *  1. the queue's own cost per photo: `encodeFolderOnQueue` and one in-process `runQueueWorker` whose
 *     encode pool does no work (it returns one 128-d face per photo at once), on N empty files, at batch
 *     sizes 1, 8 and 32: scan, plan, enqueue, dispatch, per-photo progress, batch files, merge, all of it;
 *  2. real encoding of the folder (default the LFW 120-face subset, 234 photos) by 1, 2 and 3
 *     `facecluster worker --jobs 1` processes, with local `facecluster encode --jobs 1` and `--jobs 2`
 *     beside them: wall time of the encode command, worker start (model loading) included;
 *  3. a paper estimate for 100 machines and 10M photos from these figures.
 * Every timing prints the load average (the machine is shared: compare rows of one run).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findData } from '../lib/paths.ts';
import type { EncodePool } from '../lib/pipeline/encode-folder.ts';
import type { PhotoResult } from '../lib/pipeline/face-encoder.ts';
import { encodeFolderOnQueue } from '../lib/queue/encode-on-queue.ts';
import { runQueueWorker, type QueueWorkerEvent } from '../lib/queue/worker.ts';
import type { Landmarks5 } from '../lib/types.ts';
import { BIN, startRedis } from '../test/queue/_redis.ts';

const { values } = parseArgs({
  options: {
    folder: { type: 'string' },
    workers: { type: 'string', default: '1,2,3' },
    photos: { type: 'string' },
    'overhead-photos': { type: 'string', default: '2000' },
    'overhead-only': { type: 'boolean' },
  },
});
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (s: string) => console.log(s);

/** A pool that does no work: one fixed 128-d face per photo, at once. */
function idlePool(): EncodePool {
  const landmarks5: Landmarks5 = [{ x: 90, y: 110 }, { x: 160, y: 110 }, { x: 125, y: 145 }, { x: 95, y: 180 }, { x: 155, y: 180 }];
  return {
    backend: 'no-op pool (bench)',
    embed: async () => ({ status: 'failed', reason: 'the bench pool only encodes' }),
    detectorCalls: () => 0,
    dimension: 128,
    size: 1,
    encode: async (): Promise<PhotoResult> => ({
      status: 'ok', width: 250, height: 250, conversions: [],
      faces: [{ box: { x: 70, y: 70, width: 110, height: 130 }, score: 0.99, landmarks5, embedding: new Float32Array(128).fill(0.088) }],
    }),
    close: async () => undefined,
  };
}

async function overhead(url: string, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fc-bench-queue-'));
  try {
    for (let i = 0; i < n; i++) {
      if (i % 100 === 0) mkdirSync(join(dir, `p${i / 100}`));
      writeFileSync(join(dir, `p${Math.floor(i / 100)}`, `${i}.jpg`), '');
    }
    log(`\n1. queue overhead: ${n} photos, a no-op encode pool, 1 in-process worker (load ${load()})`);
    log('| batch size | wall s | ms / photo | worker ms / job (checks, progress, batch files) | load |');
    log('|---:|---:|---:|---:|---|');
    let at32 = 0;
    for (const batchSize of [1, 8, 32]) {
      const out = join(dir, '..', `${dir.split('/').pop()}-store-${batchSize}`);
      const controller = new AbortController();
      const perBatch: number[] = [];
      const worker = runQueueWorker({ queue: url, pool: idlePool(), signal: controller.signal, lockSeconds: 30 }, (e: QueueWorkerEvent) => {
        if (e.type === 'batch-done') perBatch.push(e.result.seconds); // all of it is queue work: the pool does nothing
      });
      const t0 = performance.now();
      const s = await encodeFolderOnQueue(dir, { queue: url, out, batchSize, pollSeconds: 0.05 });
      const wall = (performance.now() - t0) / 1000;
      controller.abort();
      await worker;
      rmSync(out, { recursive: true, force: true });
      const perPhoto = (1000 * wall) / s.encoded;
      if (batchSize === 32) at32 = perPhoto;
      const mean = perBatch.reduce((a, b) => a + b, 0) / Math.max(1, perBatch.length);
      log(`| ${batchSize} | ${wall.toFixed(1)} | ${perPhoto.toFixed(2)} | ${(1000 * mean).toFixed(1)} | ${load()} |`);
    }
    return at32;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('nice', ['-n', '5', process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** Wall seconds of `facecluster encode` from its summary line. */
function seconds(out: string): number {
  const m = /encoded (\d+) photo\(s\) in ([\d.]+) s/.exec(out);
  if (!m) throw new Error(`bench:queue: no summary in\n${out}`);
  return Number(m[2]);
}

async function realEncode(url: string, folder: string, workerCounts: number[]): Promise<{ perPhotoCore: number }> {
  const photos = (readdirSync(folder, { recursive: true }) as string[]).filter((f) => /\.(jpe?g|png)$/i.test(String(f))).length;
  log(`\n2. encoding ${folder} (${photos} photos), ${availableParallelism()} cores; worker start (model loading) included`);
  log('| run | wall s | photos/s | load before | load after |');
  log('|---|---:|---:|---|---|');
  const tmp = mkdtempSync(join(tmpdir(), 'fc-bench-queue-enc-'));
  let perPhotoCore = NaN;
  try {
    for (const jobs of [1, 2]) {
      const before = load();
      const r = await run(['encode', folder, '--out', join(tmp, `local-${jobs}`), '--jobs', String(jobs)]);
      const s = seconds(r.out);
      if (jobs === 1) perPhotoCore = s / photos;
      log(`| local \`encode --jobs ${jobs}\` | ${s.toFixed(1)} | ${(photos / s).toFixed(2)} | ${before} | ${load()} |`);
    }
    for (const w of workerCounts) {
      const before = load();
      const workers = Array.from({ length: w }, () => spawn('nice', ['-n', '5', process.execPath, BIN, 'worker', '--queue', url, '--jobs', '1'], { stdio: 'ignore' }));
      const r = await run(['encode', folder, '--out', join(tmp, `queue-${w}`), '--queue', url]);
      for (const c of workers) process.kill(c.pid!, 'SIGTERM');
      await Promise.all(workers.map((c) => new Promise((res) => (c.exitCode !== null ? res(null) : c.on('exit', res)))));
      const s = seconds(r.out);
      log(`| queue, ${w} \`worker --jobs 1\` process(es) | ${s.toFixed(1)} | ${(photos / s).toFixed(2)} | ${before} | ${load()} |`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { perPhotoCore };
}

function estimate(overheadMs: number, perPhotoCore: number): void {
  const photos = 10_000_000, machines = 100, cores = 16;
  const encode = (photos * perPhotoCore) / (machines * cores);
  log(`\n3. paper estimate: ${photos.toExponential(0)} photos on ${machines} machines of ${cores} cores (\`worker --jobs ${cores}\`)`);
  log(`- encoding: ${perPhotoCore.toFixed(3)} s per photo per core (measured above, 1 job) -> ${(encode / 3600).toFixed(1)} h of wall time`);
  log(`  (one machine of ${cores} cores: ${((photos * perPhotoCore) / cores / 86400).toFixed(1)} days)`);
  log(`- queue: ${overheadMs.toFixed(2)} ms per photo of queue work at batch size 32 on this machine, in one process; spread`);
  log(`  over ${machines} workers, the workers' share is hidden in the encoding; Redis serves ${(photos / 32).toLocaleString('en')} jobs`);
  log('  (~40 commands each, mostly per-photo progress) = ~12M commands, minutes of one Redis core over the run;');
  log('  with at most 1000 batches queued at a time it holds ~3 MB of jobs, not the ~1 GB of all 312,500.');
  log(`- the coordinator: scanning 10M files and merging the batches into one table (10M x 128 float32 = 5.1 GB of`);
  log('  embeddings plus ~1 GB of rows) is one machine\'s job, minutes on local disk, more on a network volume.');
}

const r = await startRedis();
try {
  const at32 = await overhead(r.url, Number(values['overhead-photos']));
  if (!values['overhead-only']) {
    let folder = values.folder ?? findData('lfw-subset/120faces');
    if (!folder) throw new Error('bench:queue: no --folder and the LFW subset is absent (set FACECLUSTER_DATA).');
    let cleanup: string | undefined;
    if (values.photos) {
      // the first N photos of the folder, copied
      const n = Number(values.photos);
      cleanup = mkdtempSync(join(tmpdir(), 'fc-bench-queue-sub-'));
      const files = (readdirSync(folder, { recursive: true }) as string[]).filter((f) => /\.(jpe?g|png)$/i.test(String(f))).sort().slice(0, n);
      for (const f of files) cpSync(join(folder, f), join(cleanup, f), { recursive: true });
      folder = cleanup;
    }
    const counts = String(values.workers).split(',').map(Number);
    const { perPhotoCore } = await realEncode(r.url, folder, counts);
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
    estimate(at32, perPhotoCore);
  }
} finally {
  await r.stop();
}
