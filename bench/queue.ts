/**
 * Encoding on the BullMQ queue: `npm run bench:queue [-- --folder DIR] [--workers 1,2,3] [--photos N]
 * [--overhead-photos N] [--batch-sizes 1,8,32] [--overhead-only]`.
 *
 * Starts its own Debian redis-server (127.0.0.1, free port, temporary folder; stopped by pid), then
 *  1. the queue's own cost per photo: `encodeFolderOnQueue` (in this process: its CPU time is the
 *     coordinator's) and one worker process whose encode pool does no work (one made-up 128-d face per
 *     photo, test/queue/_crashing-worker.ts), on N empty files, at batch sizes 1, 8 and 32: scan, plan,
 *     enqueue, dispatch, progress, batch files, merge;
 *  2. real encoding of the folder (default the LFW 120-face subset, 234 photos) by 1, 2 and 3
 *     `facecluster worker --jobs 1` processes, with local `facecluster encode --jobs 1` and `--jobs 2`
 *     beside them: wall time of the encode command, worker start (model loading) included;
 *  3. a paper estimate for 100 machines and 10M photos from these figures.
 * Every timing prints the load average (the machine is shared: compare rows of one run).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findData, PROJECT_ROOT } from '../lib/paths.ts';
import { encodeFolderOnQueue } from '../lib/queue/encode-on-queue.ts';
import { BIN, startRedis } from '../test/queue/_redis.ts';

const { values } = parseArgs({
  options: {
    folder: { type: 'string' },
    workers: { type: 'string', default: '1,2,3' },
    photos: { type: 'string' },
    'overhead-photos': { type: 'string', default: '2000' },
    'overhead-only': { type: 'boolean' },
    'batch-sizes': { type: 'string', default: '1,8,32' },
    // README Results, bench:encode on a quiet machine: 6.05 photos/s with 2 jobs (ssd-mobilenet) = 0.33 s per photo per core
    'quiet-core-seconds': { type: 'string', default: '0.33' },
  },
});
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (s: string) => console.log(s);

/** User + system CPU seconds of process `pid` so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function overhead(url: string, n: number): Promise<{ coordinatorMs: number; workerMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fc-bench-queue-'));
  try {
    for (let i = 0; i < n; i++) {
      if (i % 100 === 0) mkdirSync(join(dir, `p${i / 100}`));
      writeFileSync(join(dir, `p${Math.floor(i / 100)}`, `${i}.jpg`), '');
    }
    log(`\n1. queue overhead: ${n} photos, a worker process whose encode pool does no work (one made-up face per photo)`);
    log('| batch size | wall s | wall ms / photo | coordinator CPU ms / photo | worker CPU ms / photo | load |');
    log('|---:|---:|---:|---:|---:|---|');
    const at32 = { coordinatorMs: NaN, workerMs: NaN };
    for (const batchSize of String(values['batch-sizes']).split(',').map(Number)) {
      const out = join(dir, '..', `${dir.split('/').pop()}-store-${batchSize}`);
      const worker = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test', 'queue', '_crashing-worker.ts'), url, 'no-photo-ends-like-this'], { stdio: 'ignore' });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const s = await encodeFolderOnQueue(dir, { queue: url, out, batchSize }); // default poll (0.25 s)
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const workerCpu = cpuSeconds(worker.pid!); // includes its start (tsx, ~1 s)
      process.kill(worker.pid!, 'SIGTERM');
      await new Promise((r) => worker.on('exit', r));
      rmSync(out, { recursive: true, force: true });
      const coordinatorMs = (cpu.user + cpu.system) / 1000 / s.encoded;
      if (batchSize === 32) Object.assign(at32, { coordinatorMs, workerMs: (1000 * workerCpu) / s.encoded });
      log(`| ${batchSize} | ${wall.toFixed(1)} | ${((1000 * wall) / s.encoded).toFixed(2)} | ${coordinatorMs.toFixed(3)} | ${((1000 * workerCpu) / s.encoded).toFixed(2)} | ${load()} |`);
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

function estimate(at32: { coordinatorMs: number; workerMs: number }, measuredCoreSeconds: number): void {
  const photos = 10_000_000, machines = 100, cores = 16;
  const quiet = Number(values['quiet-core-seconds']);
  const hours = (coreSeconds: number) => (photos * coreSeconds) / (machines * cores) / 3600;
  const coordinator = (photos * at32.coordinatorMs) / 1000 / 3600;
  log(`\n3. paper estimate: 10M photos on ${machines} machines of ${cores} cores (\`worker --jobs ${cores}\`), batches of 32`);
  log(`- encoding: ${quiet} s of one core per photo on a quiet machine (bench:encode) -> ${hours(quiet).toFixed(2)} h over ${machines * cores} cores;`);
  if (Number.isFinite(measuredCoreSeconds)) log(`  at this run's ${measuredCoreSeconds.toFixed(2)} s (local --jobs 1 above, this machine at its load) -> ${hours(measuredCoreSeconds).toFixed(2)} h`);
  log(`  (one ${cores}-core machine, quiet: ${((photos * quiet) / cores / 86400).toFixed(1)} days)`);
  log(`- workers' queue work: ${at32.workerMs.toFixed(2)} ms of CPU per photo (${((100 * at32.workerMs) / 1000 / quiet).toFixed(2)}% of a quiet encode), spread over the workers`);
  log(`- the coordinator's queue work is serial: ${at32.coordinatorMs.toFixed(3)} ms of CPU per photo -> ${coordinator.toFixed(2)} h for 10M photos:`);
  log(`  ${coordinator < hours(quiet) ? 'less than the encoding, so it keeps up' : 'MORE than the encoding: the coordinator would be the bottleneck'}`);
  log(`- Redis: ${(photos / 32).toLocaleString('en')} jobs; at most 1000 batches (~3 MB) are queued at a time`);
  log('- not measured here: scanning 10M files before the start, and merging the batches into one table at the end');
  log('  (10M x 128 float32 = 5.1 GB of embeddings), both on the coordinator, both like a local encode of that size.');
}

const r = await startRedis();
try {
  const at32 = await overhead(r.url, Number(values['overhead-photos']));
  if (values['overhead-only']) estimate(at32, NaN);
  else {
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
