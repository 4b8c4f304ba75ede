/**
 * Encoding on a BullMQ queue with a real Redis (Debian redis-server started here on a free port, stopped
 * by its pid): 3 worker processes, one killed with SIGKILL in the middle of a batch, must give the store a
 * local encode of the same folder gives; bad input (URL, busy queue, other settings, unreachable folder,
 * Redis lost) gives clear errors and loses nothing.
 *
 * The LFW subset is `lfw-subset/2faces` (33 photos, fast); FACECLUSTER_QUEUE_TEST_SUBSET=120faces runs
 * the 234-photo subset instead.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DETECTOR } from '../../lib/detect/registry.ts';
import { findData } from '../../lib/paths.ts';
import { openStore, type FaceStore } from '../../lib/store/read.ts';
import { spawn } from 'node:child_process';
import { cli, redisServerPath, startRedis, stopCli, type TestRedis } from './_redis.ts';

const SUBSET = process.env.FACECLUSTER_QUEUE_TEST_SUBSET ?? '2faces';
const photos = findData(`lfw-subset/${SUBSET}`);
const NO_REDIS = redisServerPath() ? false : 'redis-server not installed (apt-get install redis-server)';
const SKIP = NO_REDIS || (photos ? false : `lfw-subset/${SUBSET} not found (set FACECLUSTER_DATA; see data/README.md)`);

let redis: TestRedis | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'fc-queue-'));
// signing on in every test of this file: the CLI processes it starts inherit the secret (the kill test gives it as a file)
process.env.FACECLUSTER_QUEUE_SECRET = randomBytes(32).toString('hex');
const secretFile = join(tmp, 'queue.secret');
writeFileSync(secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
before(async () => {
  if (!NO_REDIS) redis = await startRedis();
});
after(async () => {
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A person of the subset with at least 6 photos (source of the small folders below). */
function person(): string {
  const name = readdirSync(photos!).sort().find((d) => readdirSync(join(photos!, d)).length >= 6);
  if (!name) throw new Error(`no person with 6 photos in ${photos}`);
  return name;
}

/** A copy of the subset with a corrupt JPEG added (the photo folder of the test). */
function photoFolder(name: string): string {
  const dir = join(tmp, name);
  cpSync(photos!, dir, { recursive: true });
  mkdirSync(join(dir, 'Broken_Files'));
  const good = readFileSync(join(dir, person(), readdirSync(join(dir, person()))[0]));
  writeFileSync(join(dir, 'Broken_Files', 'corrupt.jpg'), Buffer.concat([good.subarray(0, 300), Buffer.alloc(2000, 0x55)]));
  return dir;
}

function assertSameStore(queued: FaceStore, local: FaceStore): void {
  assert.deepEqual(queued.photos.map((p) => p.path), local.photos.map((p) => p.path), 'same photos');
  assert.equal(new Set(queued.photos.map((p) => p.path)).size, queued.photos.length, 'no photo twice');
  assert.equal(new Set(queued.faces.map((f) => `${f.path}#${f.faceIndex}`)).size, queued.faces.length, 'no face twice');
  for (let i = 0; i < local.photos.length; i++) {
    const [q, l] = [queued.photos[i], local.photos[i]];
    assert.deepEqual({ ...q }, { ...l }, `photo record of ${l.path}`);
  }
  assert.equal(queued.faces.length, local.faces.length, 'same face count');
  for (let i = 0; i < local.faces.length; i++) {
    const [q, l] = [queued.faces[i], local.faces[i]];
    assert.equal(q.path, l.path);
    assert.equal(q.faceIndex, l.faceIndex);
    let worst = 0;
    for (let k = 0; k < l.embedding.length; k++) worst = Math.max(worst, Math.abs(q.embedding[k] - l.embedding[k]));
    assert.ok(worst <= 1e-5, `embedding of ${l.path}#${l.faceIndex} differs by ${worst}`);
  }
  const failed = (s: FaceStore) => s.photos.filter((p) => p.status === 'failed').map((p) => `${p.path}: ${p.reason}`);
  assert.deepEqual(failed(queued), failed(local), 'same failed photos, same reasons');
  assert.ok(failed(local).length >= 1, 'the corrupt file is among them');
}

test(`queue: 3 workers on lfw-subset/${SUBSET}, one SIGKILLed mid-batch, give the store of a local encode`, { skip: SKIP, timeout: 900_000 }, async () => {
  const folder = photoFolder('kill');
  const localStore = join(tmp, 'kill-local');
  const queueStore = join(tmp, 'kill-queue');
  const local = cli(['encode', folder, '--out', localStore, '--jobs', '2']);
  assert.equal(await local.exited, 1, local.output()); // 1: the corrupt file failed
  const url = redis!.url;
  // the coordinator first; the workers take batches of 3 photos (lock 4 s: a dead worker's batch returns within 4-8 s)
  const coordinator = cli(['encode', folder, '--out', queueStore, '--queue', url, '--queue-secret-file', secretFile, '--batch-size', '3', '--redis-timeout', '30']);
  await coordinator.waitFor(/encode 0\/\d+/, 'the plan');
  const workerArgs = ['worker', '--queue', url, '--queue-secret-file', secretFile, '--jobs', '1', '--lock-seconds', '4', '--verbose'];
  const victim = cli(workerArgs);
  const others = [cli(workerArgs), cli(workerArgs)];
  try {
    // kill the first worker once it has finished 1 of the 3 photos of a batch (2 still to do)
    const m = await victim.waitFor(/batch (\S+): 3 photo\(s\)\n {2}1\/3 /, 'a batch under way');
    process.kill(victim.child.pid!, 'SIGKILL');
    assert.equal(await victim.exited, -1);
    const killedBatch = m[1];
    const code = await coordinator.exited;
    const out = coordinator.output();
    assert.equal(code, 1, out); // 1: the corrupt file is listed as failed
    assert.match(out, new RegExp(`batch ${killedBatch}: finished by \\S+ after an earlier worker stopped`));
    assert.match(out, /failed: 1\n {4}Broken_Files\/corrupt\.jpg: /);
    assert.equal((out.match(/Broken_Files\/corrupt\.jpg/g) ?? []).length, 2, 'reported once while running, once in the summary'); // progress line + summary
    const over = out.match(/done by (\d) worker\(s\); (\d+) batch\(es\) taken over/);
    assert.ok(over && Number(over[2]) >= 1, 'the killed batch was taken over');
    assert.equal(over[1], '2', 'the killed worker finished no batch');
    assertSameStore(await openStore(queueStore), await openStore(localStore));
    assert.deepEqual(readdirSync(join(queueStore, 'batches')), [], 'every batch merged into the tables');
    assert.ok(!existsSync(join(queueStore, 'lock')), 'lock released');
    // a rerun finds nothing to do: same incremental rules as a local encode
    const again = cli(['encode', folder, '--out', queueStore, '--queue', url, '--queue-secret-file', secretFile]);
    assert.equal(await again.exited, 0, again.output());
    assert.match(again.output(), /encoded 0 photo\(s\): nothing new or changed/);
  } finally {
    for (const w of [victim, ...others]) await stopCli(w);
  }
  for (const w of others) assert.match(w.output(), /worker \S+: \d+ batch\(es\)/); // stopped cleanly by SIGTERM
});

test('queue: a wrong URL or an unreachable Redis is a clear error (exit 2 / 3) and writes nothing', { skip: NO_REDIS }, async () => {
  const folder = join(tmp, 'url');
  mkdirSync(folder);
  const out = join(tmp, 'url-store');
  let r = cli(['encode', folder, '--out', out, '--queue', 'http://127.0.0.1:6379']);
  assert.equal(await r.exited, 2);
  assert.match(r.output(), /--queue must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/127\.0\.0\.1:6379"/);
  r = cli(['encode', folder, '--out', out, '--queue', 'redis://']);
  assert.equal(await r.exited, 2);
  assert.match(r.output(), /--queue must .*got "redis:\/\/"/);
  r = cli(['worker', '--queue', 'localhost:6379']);
  assert.equal(await r.exited, 2);
  assert.match(r.output(), /--queue must be a redis:\/\/ or rediss:\/\/ URL, got "localhost:6379"/);
  const closed = `redis://127.0.0.1:${(await import('./_redis.ts').then((m) => m.freePort()))}`;
  r = cli(['encode', folder, '--out', out, '--queue', closed]);
  assert.equal(await r.exited, 3);
  assert.match(r.output(), new RegExp(`cannot reach the Redis server of queue ${closed}: .*ECONNREFUSED.*nothing was changed`));
  assert.ok(!existsSync(out), 'no store written');
  r = cli(['worker', '--queue', closed]);
  assert.equal(await r.exited, 3);
  assert.match(r.output(), new RegExp(`cannot reach the Redis server of queue ${closed}`));
});

test('queue: another folder on a busy queue, a worker with other settings or without the folder: clear errors, no job lost', { skip: SKIP, timeout: 300_000 }, async () => {
  const url = redis!.url;
  const a = join(tmp, 'busy-a');
  mkdirSync(join(a, 'Person'), { recursive: true });
  const names = readdirSync(join(photos!, person())).sort().slice(0, 4);
  for (const n of names) copyFileSync(join(photos!, person(), n), join(a, 'Person', n));
  const b = join(tmp, 'busy-b');
  cpSync(a, b, { recursive: true });
  // a worker with other settings already waiting when the jobs come: it takes one, gives it back, exits 3
  const early = cli(['worker', '--queue', url, '--detector', 'tiny']);
  await early.waitFor(/ready/);
  // encode A waits on the queue (no other worker): 2 batches
  const coordA = cli(['encode', a, '--out', join(tmp, 'busy-a-store'), '--queue', url, '--batch-size', '2']);
  await coordA.waitFor(/encode 0\/4/);
  assert.equal(await early.exited, 3, early.output());
  assert.match(early.output(), new RegExp(`other encode settings than this worker's: detector: "${DEFAULT_DETECTOR}" \\(queue\\) vs "tiny" \\(this worker\\)`));
  assert.doesNotMatch(early.output(), /committed/);
  const { Queue } = await import('bullmq');
  const queue = new Queue('facecluster-encode', { connection: { host: '127.0.0.1', port: redis!.port } });
  try {
    let waiting = 0;
    for (let i = 0; i < 200 && waiting < 2; i++) {
      waiting = await queue.getWaitingCount();
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(waiting, 2, 'encode A put 2 batches on the queue');
    for (const job of await queue.getWaiting()) assert.match(job.data.signature ?? '', /^[0-9a-f]{64}$/, 'signed jobs');

    const coordB = cli(['encode', b, '--out', join(tmp, 'busy-b-store'), '--queue', url]);
    assert.equal(await coordB.exited, 3);
    assert.match(coordB.output(), new RegExp(`holds 2 unfinished batch\\(es\\) of another encode: folder ${a}, store ${join(tmp, 'busy-a-store')}`));
    assert.match(coordB.output(), /--queue-name/);
    assert.ok(!existsSync(join(tmp, 'busy-b-store')), 'encode B wrote nothing');

    const tiny = cli(['worker', '--queue', url, '--detector', 'tiny', '--min-face', '20']);
    assert.equal(await tiny.exited, 3);
    assert.match(tiny.output(), new RegExp(`other encode settings than this worker's: detector: "${DEFAULT_DETECTOR}" \\(queue\\) vs "tiny" \\(this worker\\)`));
    assert.match(tiny.output(), /minFaceSize: 0 \(queue\) vs 20 \(this worker\)/);

    const blind = cli(['worker', '--queue', url, '--folder', join(tmp, 'not-mounted')]);
    assert.equal(await blind.exited, 3);
    assert.match(blind.output(), new RegExp(`cannot read the photo folder ${join(tmp, 'not-mounted')} of the queue's encode`));

    assert.equal(await queue.getWaitingCount(), 2, 'both batches still on the queue, untouched');
    assert.equal(await queue.getFailedCount(), 0);
    // Ctrl-C on encode A: waiting batches dropped, state kept for a rerun
    process.kill(coordA.child.pid!, 'SIGINT');
    assert.equal(await coordA.exited, 130, coordA.output());
    assert.match(coordA.output(), /interrupted/);
    assert.deepEqual(readdirSync(join(photos!, person())).sort().slice(0, 4), names); // (the data folder is never written)
    assert.deepEqual(readdirSync(a).sort(), ['Person'], 'nothing written into the photo folder');
  } finally {
    await stopCli(coordA);
    await queue.close();
  }
});

test('queue: Redis restarted without its data mid-run: clear error (exit 3), committed batches kept, the rerun resumes', { skip: SKIP, timeout: 300_000 }, async () => {
  const url = redis!.url;
  const dir = join(tmp, 'restart');
  mkdirSync(join(dir, 'Person'), { recursive: true });
  const names = readdirSync(join(photos!, person())).sort().slice(0, 6); // one photo a batch: the restart comes long before the end
  for (const n of names) copyFileSync(join(photos!, person(), n), join(dir, 'Person', n));
  const store = join(tmp, 'restart-store');
  const coordinator = cli(['encode', dir, '--out', store, '--queue', url, '--batch-size', '1', '--redis-timeout', '20']);
  await coordinator.waitFor(/encode 0\/6/);
  const worker = cli(['worker', '--queue', url, '--jobs', '1', '--lock-seconds', '4', '--redis-timeout', '60']);
  try {
    await worker.waitFor(/batch \S+ committed/, 'a committed batch');
    await redis!.restart();
    assert.equal(await coordinator.exited, 3, coordinator.output());
    assert.match(coordinator.output(), /lost the \d+ unfinished batch\(es\) of this run \(Redis restarted without its data.*run the same command again to resume/);
    const kept = (await openStore(store)).photos.length;
    assert.ok(kept >= 1 && kept < 6, `the committed batches are in the store (${kept} photos)`);
    // the same command resumes: only the photos not committed yet are encoded (by the same worker, reconnected)
    const rerun = cli(['encode', dir, '--out', store, '--queue', url, '--batch-size', '2']);
    assert.equal(await rerun.exited, 0, rerun.output() + worker.output());
    assert.match(rerun.output(), new RegExp(`encoded ${6 - kept} photo\\(s\\)`));
    assert.match(rerun.output(), new RegExp(`${kept} unchanged`));
    const s = await openStore(store);
    assert.deepEqual(s.photos.map((p) => p.path), names.map((n) => `Person/${n}`));
    assert.equal(s.manifest.complete, true);
  } finally {
    await stopCli(worker);
    await stopCli(coordinator);
  }
});

test('queue: a photo that kills every worker that touches it is reported failed once; its batch-mates are stored', { skip: NO_REDIS, timeout: 300_000 }, async () => {
  const url = redis!.url;
  const dir = join(tmp, 'poison');
  mkdirSync(join(dir, 'Someone'), { recursive: true });
  const names = ['a.jpg', 'b.jpg', 'c.jpg', 'poison.jpg', 'd.jpg', 'e.jpg', 'f.jpg'];
  for (const n of names) writeFileSync(join(dir, 'Someone', n), ''); // never decoded: the test pool makes up the faces
  const store = join(tmp, 'poison-store');
  const coordinator = cli(['encode', dir, '--out', store, '--queue', url, '--batch-size', '4']);
  await coordinator.waitFor(/encode 0\/7/);
  // two workers at all times: each dies on poison.jpg (SIGKILL), a new one takes its place
  const script = join(import.meta.dirname, '_crashing-worker.ts');
  let deaths = 0;
  let stopping = false;
  const live = new Set<ReturnType<typeof spawn>>();
  const start = () => {
    const w = spawn(process.execPath, ['--import', 'tsx', script, url, 'poison.jpg'], { stdio: 'ignore' });
    live.add(w);
    w.on('exit', (_code, signal) => {
      live.delete(w);
      if (signal === 'SIGKILL') deaths++;
      if (!stopping) start();
    });
  };
  start();
  start();
  try {
    const code = await coordinator.exited;
    const out = coordinator.output();
    assert.equal(code, 1, out);
    // the batch e, f, poison stalled twice (maxStalledCount 1), was split, and poison.jpg alone stalled twice
    assert.match(out, /batch \S+ failed for good \(job stalled more than allowable limit\); its 3 photos go back on the queue one by one/);
    assert.equal((out.match(/failed: Someone\/poison\.jpg/g) ?? []).length, 1, 'reported once while running');
    assert.doesNotMatch(out, /missing from the store/);
    assert.match(out, /failed: 1\n {4}Someone\/poison\.jpg: the queue workers failed on this photo: job stalled more than allowable limit/);
    assert.ok(deaths >= 4, `workers killed by poison.jpg: ${deaths}`);
    const s = await openStore(store);
    assert.deepEqual(s.photos.map((p) => `${p.path} ${p.status}`), names.sort().map((n) => `Someone/${n} ${n === 'poison.jpg' ? 'failed' : 'ok'}`));
    assert.equal(s.faces.length, 6, 'one face for each good photo, none twice');
  } finally {
    stopping = true;
    for (const w of live) process.kill(w.pid!, 'SIGTERM');
    await stopCli(coordinator);
  }
});
