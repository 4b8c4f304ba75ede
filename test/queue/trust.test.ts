/**
 * The encode queue trusts no one: jobs written straight into Redis are refused before any file is read,
 * signed jobs read photos only inside the photo folder and write only into the worker's store, a Redis off
 * this machine needs a secret, TLS with a CA file and a password work, and the password is never printed.
 *
 * Against Debian's redis-server on 127.0.0.1 (started here, stopped by pid). The workers run in this process
 * with an encode pool that reads nothing and counts the photos it is asked for (the pool is the only reader
 * of photos in a worker), so "nothing read" is the count of those calls: it would see every photo the worker
 * let through, and finds one fixed face in each, so a photo wrongly let through also leaves a face in the
 * batch file.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { DEFAULT_EMBEDDER, EMBEDDER_SPECS } from '../../lib/embed/registry.ts';
import { ENCODE_FOLDER_DEFAULTS, toParameters, type EncodePool } from '../../lib/pipeline/encode-folder.ts';
import { resolveFaceEncoderOptions, type PhotoResult } from '../../lib/pipeline/face-encoder.ts';
import { maskUrl, parseRedisUrl } from '../../lib/queue/connection.ts';
import { encodeFolderOnQueue } from '../../lib/queue/encode-on-queue.ts';
import { BATCH_JOB, writeRun, type BatchJobData, type BatchJobResult, type QueueRun } from '../../lib/queue/jobs.ts';
import { createQueueSigner, isLoopbackHost, loadQueueSecret, type QueueSigner } from '../../lib/queue/signing.ts';
import { runQueueWorker, type QueueWorkerEvent } from '../../lib/queue/worker.ts';
import { modelVersions, parametersKey } from '../../lib/store/manifest.ts';
import { openStore } from '../../lib/store/read.ts';
import { facesFromArrow, photosFromArrow } from '../../lib/store/schema.ts';
import { findData } from '../../lib/paths.ts';
import { cli, hasOpenssl, makeTestTls, redisServerPath, startRedis, stopCli, type TestRedis } from './_redis.ts';

const NO_REDIS = redisServerPath() ? false : 'redis-server not installed (apt-get install redis-server)';
const DIM = EMBEDDER_SPECS[DEFAULT_EMBEDDER].dimension;

const tmp = mkdtempSync(join(tmpdir(), 'fc-trust-'));
const SECRET = randomBytes(32).toString('hex');
const secretFile = join(tmp, 'queue.secret');
writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
const signer = createQueueSigner(Buffer.from(SECRET));
const otherSigner = createQueueSigner(randomBytes(32));
let redis: TestRedis | undefined;
const queues: Queue[] = [];
before(async () => {
  if (!NO_REDIS) redis = await startRedis();
});
after(async () => {
  for (const q of queues) await q.close();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** An encode pool that reads nothing: it records the paths it is given and finds one face in each. */
function countingPool(): { pool: EncodePool; asked: string[] } {
  const asked: string[] = [];
  const pool: EncodePool = {
    backend: 'counting test pool (no models)',
    dimension: DIM,
    size: 1,
    detectorCalls: () => asked.length,
    embed: async () => ({ status: 'failed', reason: 'the test pool only encodes' }),
    async encode(path: string): Promise<PhotoResult> {
      asked.push(path);
      const embedding = new Float32Array(DIM);
      embedding[0] = 1;
      return {
        status: 'ok', width: 250, height: 250, conversions: [],
        faces: [{ box: { x: 70, y: 70, width: 110, height: 130 }, score: 0.99, landmarks5: [{ x: 90, y: 110 }, { x: 160, y: 110 }, { x: 125, y: 145 }, { x: 95, y: 180 }, { x: 155, y: 180 }], embedding }],
      };
    },
    close: async () => undefined,
  };
  return { pool, asked };
}

/** The encode settings of a worker started with default flags (what its run record must name). */
function defaultSettings() {
  const parameters = toParameters({ ...ENCODE_FOLDER_DEFAULTS, ...resolveFaceEncoderOptions({}), labels: 'folder' }, DIM);
  const models = modelVersions();
  return { parameters, models, parametersKey: parametersKey(parameters, models) };
}

interface Scene {
  name: string;
  folder: string;
  store: string;
  /** A photo outside the folder (what a forged job would like read). */
  outside: string;
  queue: Queue<BatchJobData, BatchJobResult>;
  run: QueueRun;
  /** Puts a job of `run` on the queue; `sign` 'none' leaves it unsigned, `after` changes the data once signed. */
  add(files: string[], o?: { sign?: QueueSigner | 'none'; run?: QueueRun; change?: (d: BatchJobData) => void }): Promise<string>;
}

/**
 * A photo folder (Person/a.jpg, b.jpg, a link inside to a.jpg, a link to a file outside), a store that an
 * encode holds (batches/, its lock), and the signed run record of that encode on queue `name`.
 */
async function scene(name: string, o: { runSigner?: QueueSigner | 'none' } = {}): Promise<Scene> {
  const base = join(tmp, name);
  const folder = join(base, 'photos');
  const store = join(base, 'store');
  mkdirSync(join(folder, 'Person'), { recursive: true });
  mkdirSync(join(store, 'batches'), { recursive: true });
  for (const n of ['a.jpg', 'b.jpg']) writeFileSync(join(folder, 'Person', n), `photo ${n}`);
  const outside = join(base, 'outside.jpg');
  writeFileSync(outside, 'a private photo');
  symlinkSync(outside, join(folder, 'Person', 'link-out.jpg'));
  symlinkSync('a.jpg', join(folder, 'Person', 'link-in.jpg'));
  writeFileSync(join(store, 'lock'), `lock of ${name}`);
  const queue = new Queue<BatchJobData, BatchJobResult>(name, { connection: { host: '127.0.0.1', port: redis!.port } });
  queues.push(queue);
  const run: QueueRun = {
    run: `${Date.now()}-test-${name}`, folder, storeDir: store, ...defaultSettings(), lock: `lock of ${name}`,
    batches: 1, photos: 2, host: 'test', startedAt: new Date().toISOString(),
  };
  const runSigner = o.runSigner ?? signer;
  if (runSigner !== 'none') run.signature = runSigner.sign('run', run);
  await writeRun(queue, run);
  let seq = 0;
  return {
    name, folder, store, outside, queue, run,
    async add(files, a = {}) {
      const r = a.run ?? run;
      const jobId = `${r.run}-${String(seq++).padStart(6, '0')}`;
      const data: BatchJobData = { run: r.run, folder: r.folder, storeDir: r.storeDir, parametersKey: r.parametersKey, lock: r.lock, files: files.map((path) => ({ path, sizeBytes: 10, mtimeMs: 1700000000000 })) };
      const s = a.sign ?? signer;
      if (s !== 'none') data.signature = s.sign('job', { ...data, jobId });
      a.change?.(data);
      await queue.add(BATCH_JOB, data, { jobId, attempts: 3 });
      return jobId;
    },
  };
}

/** Runs a worker (the counting pool) on the scene's queue until the queue is idle for 1 s. */
async function work(s: Scene, o: { secretFile?: string; withEnvSecret?: boolean } = {}) {
  const { pool, asked } = countingPool();
  const events: QueueWorkerEvent[] = [];
  const saved = process.env.FACECLUSTER_QUEUE_SECRET;
  delete process.env.FACECLUSTER_QUEUE_SECRET;
  try {
    const summary = await runQueueWorker({ queue: redis!.url, queueName: s.name, pool, secretFile: o.secretFile, lockSeconds: 5, idleExitSeconds: 1 }, (e) => events.push(e));
    return { summary, asked, events };
  } finally {
    if (saved !== undefined) process.env.FACECLUSTER_QUEUE_SECRET = saved;
  }
}

const batchFiles = (store: string) => readdirSync(join(store, 'batches')).sort();
const refusals = (events: QueueWorkerEvent[]) => events.filter((e): e is Extract<QueueWorkerEvent, { type: 'job-refused' }> => e.type === 'job-refused');

test('signing: a signature covers every field and the kind; another secret, a changed field or a bare record fail', () => {
  const job = { run: 'r1', folder: '/p', storeDir: '/s', parametersKey: 'k', lock: '42', files: [{ path: 'A/x.jpg', sizeBytes: 1, mtimeMs: 2 }], jobId: 'r1-000000' };
  const signature = signer.sign('job', job);
  assert.match(signature, /^[0-9a-f]{64}$/);
  assert.equal(signer.verify('job', { ...job, signature }), true);
  // key order does not matter (canonical JSON), a JSON round trip neither
  assert.equal(signer.verify('job', JSON.parse(JSON.stringify({ signature, files: job.files, lock: '42', jobId: 'r1-000000', parametersKey: 'k', storeDir: '/s', folder: '/p', run: 'r1' }))), true);
  for (const changed of [{ storeDir: '/other' }, { folder: '/' }, { jobId: 'r1-000001' }, { files: [{ path: '../x.jpg', sizeBytes: 1, mtimeMs: 2 }] }, { extra: 1 }]) {
    assert.equal(signer.verify('job', { ...job, ...changed, signature }), false, JSON.stringify(changed));
  }
  assert.equal(signer.verify('run', { ...job, signature }), false, 'a job signature is no run signature');
  assert.equal(otherSigner.verify('job', { ...job, signature }), false, 'another secret');
  assert.equal(signer.verify('job', job), false, 'no signature');
  assert.equal(signer.verify('job', { ...job, signature: signature.toUpperCase() }), false, 'not lower-case hex');
  assert.equal(signer.verify('job', { ...job, signature: signature.slice(2) }), false, 'too short');
  assert.equal(signer.verify('job', null), false);
});

test('signing: the secret comes from a file (trailing newline dropped) or the environment, at least 16 bytes', () => {
  const fromFile = loadQueueSecret('t', secretFile, {});
  assert.equal(fromFile?.toString(), SECRET, 'file content without its newline');
  assert.equal(loadQueueSecret('t', undefined, { FACECLUSTER_QUEUE_SECRET: SECRET })?.toString(), SECRET);
  assert.equal(loadQueueSecret('t', secretFile, { FACECLUSTER_QUEUE_SECRET: 'x'.repeat(40) })?.toString(), SECRET, 'the file wins');
  assert.equal(loadQueueSecret('t', undefined, {}), undefined);
  const short = join(tmp, 'short.secret');
  writeFileSync(short, 'fifteen-bytes!!\n');
  assert.throws(() => loadQueueSecret('t', short, {}), /^FaceclusterError: t: the queue secret must be at least 16 bytes, got 15 from secretFile ".*short\.secret"/);
  assert.throws(() => loadQueueSecret('t', join(tmp, 'missing'), {}), /t: secretFile must be a readable file, got ".*missing" \(ENOENT\)\./);
  assert.throws(() => loadQueueSecret('t', undefined, { FACECLUSTER_QUEUE_SECRET: 'short' }), /got 5 from \$FACECLUSTER_QUEUE_SECRET/);
});

test('loopback: only 127.0.0.0/8, ::1 and localhost as written count as this machine', () => {
  const host = (url: string) => parseRedisUrl('t', url).host;
  const table: [string, boolean][] = [
    ['redis://127.0.0.1:6379', true], ['redis://127.8.9.10', true], ['redis://localhost:6379', true], ['redis://LOCALHOST', true],
    ['redis://[::1]:6379', true], ['redis://[0:0:0:0:0:0:0:1]:6379', true], // URL parsing compresses IPv6
    ['redis://10.0.0.5:6379', false], ['redis://0.0.0.0:6379', false], ['redis://128.0.0.1', false], ['redis://[::2]', false],
    ['redis://localhost.example.com', false], ['redis://127.0.0.1.example.com', false], ['redis://redis-host', false],
  ];
  for (const [url, loopback] of table) assert.equal(isLoopbackHost(host(url)), loopback, url);
});

test('masking: a password never shows in a queue URL as printed, however it is spelled', () => {
  assert.equal(maskUrl('redis://:s3cret@10.0.0.5:6379/2'), 'redis://:***@10.0.0.5:6379/2');
  assert.equal(maskUrl('rediss://user:p%40ss:w@host'), 'rediss://user:***@host');
  assert.equal(maskUrl('redis://user:a{b}c@host:1'), 'redis://user:***@host:1'); // characters the URL parser would re-encode
  assert.equal(maskUrl('redis://user:p@ss@host'), 'redis://user:***@host'); // the last @ ends the user part (as URL parsing reads it)
  assert.equal(maskUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(maskUrl('redis://name@host'), 'redis://name@host'); // a user name alone is no password
  assert.equal(parseRedisUrl('t', 'redis://user:a{b}c@host:1').display, 'redis://user:***@host:1');
  // the password can come from the environment instead (never on a command line); the URL's wins
  assert.equal(parseRedisUrl('t', 'redis://10.0.0.5', { FACECLUSTER_QUEUE_PASSWORD: 'from-env' }).password, 'from-env');
  assert.equal(parseRedisUrl('t', 'redis://:in%40url@10.0.0.5', { FACECLUSTER_QUEUE_PASSWORD: 'from-env' }).password, 'in@url');
  assert.equal(parseRedisUrl('t', 'redis://10.0.0.5', {}).password, undefined);
  assert.throws(() => parseRedisUrl('t', 'http://u:hunter2@host'), (e: Error) => !e.message.includes('hunter2') && /got "http:\/\/u:\*\*\*@host"/.test(e.message));
});

test('queue: jobs pushed straight into Redis without a valid signature are refused, nothing is read, the worker goes on', { skip: NO_REDIS, timeout: 120_000 }, async () => {
  const s = await scene('forged');
  const unsigned = await s.add(['Person/a.jpg', '../outside.jpg'], { sign: 'none' });
  const foreign = await s.add(['Person/b.jpg', '../outside.jpg'], { sign: otherSigner });
  const altered = await s.add(['Person/b.jpg'], { change: (d) => (d.files[0].path = '../outside.jpg') }); // signed, then changed
  const renamed = await s.add(['Person/b.jpg'], { change: (d) => (d.storeDir = join(tmp, 'forged-elsewhere')) });
  const good = await s.add(['Person/a.jpg', 'Person/b.jpg']);
  const { summary, asked, events } = await work(s, { secretFile });
  // the pool (the worker's only reader of photos) was asked for the good job's two photos, nothing else
  assert.deepEqual(asked, [join(s.folder, 'Person/a.jpg'), join(s.folder, 'Person/b.jpg')]);
  assert.deepEqual(batchFiles(s.store), [`q-${good}.faces.arrow`, `q-${good}.photos.arrow`], 'one batch file, the good job\'s');
  assert.equal(summary.batches, 1);
  const refused = new Map(refusals(events).map((e) => [e.job, e.reason]));
  assert.deepEqual([...refused.keys()].sort(), [unsigned, foreign, altered, renamed].sort());
  assert.match(refused.get(unsigned)!, /does not come from the queue's encode \(it carries no signature\); nothing was read/);
  for (const id of [foreign, altered, renamed]) assert.match(refused.get(id)!, /its signature does not verify with this worker's secret/);
  for (const id of [unsigned, foreign, altered, renamed]) {
    const job = (await s.queue.getJob(id))!;
    assert.equal(await job.getState(), 'failed', `${id} failed`);
    assert.equal(job.attemptsMade, 1, 'refused once, never retried');
    assert.match(job.failedReason, /^refused by worker \S+: the job does not come from the queue's encode/);
  }
  assert.equal(await (await s.queue.getJob(good))!.getState(), 'completed');
  assert.ok(!existsSync(join(tmp, 'forged-elsewhere')), 'nothing created where the altered job pointed');
});

test('queue: signed jobs with ../, an absolute path or a link out of the folder store no face of them and say why; the batch goes on', { skip: NO_REDIS, timeout: 120_000 }, async () => {
  const s = await scene('paths');
  const files = ['Person/a.jpg', '../outside.jpg', 'Person/../../outside.jpg', s.outside, 'Person/link-out.jpg', 'Person/link-in.jpg', 'Person/b.jpg', 'Person/missing.jpg'];
  const id = await s.add(files);
  const { asked, events } = await work(s, { secretFile });
  // read: the two photos and the link that stays inside (as its real path); nothing outside
  assert.deepEqual(asked, [join(s.folder, 'Person/a.jpg'), join(s.folder, 'Person/a.jpg'), join(s.folder, 'Person/b.jpg')]);
  const photos = photosFromArrow(readFileSync(join(s.store, 'batches', `q-${id}.photos.arrow`)));
  const byPath = new Map(photos.map((p) => [p.path, p]));
  assert.deepEqual(photos.map((p) => p.path), files, 'every photo of the batch has its record');
  const reason = (p: string) => `${byPath.get(p)!.status}: ${byPath.get(p)!.reason}`;
  assert.match(reason('../outside.jpg'), /^failed: refused: the path climbs out of the photo folder \('\.\.'\)/);
  assert.match(reason('Person/../../outside.jpg'), /^failed: refused: the path climbs out of the photo folder/);
  assert.match(reason(s.outside), /^failed: refused: an absolute path; a queue worker reads only paths relative to the photo folder/);
  assert.match(reason('Person/link-out.jpg'), /^failed: refused: a symbolic link that leads outside the photo folder/);
  assert.doesNotMatch(reason('Person/link-out.jpg'), /outside\.jpg/, 'the link target is not reported (it goes back through Redis)');
  assert.match(reason('Person/missing.jpg'), /^failed: cannot read the file: ENOENT/);
  for (const p of ['Person/a.jpg', 'Person/link-in.jpg', 'Person/b.jpg']) assert.equal(byPath.get(p)!.status, 'ok', p);
  const faces = facesFromArrow(readFileSync(join(s.store, 'batches', `q-${id}.faces.arrow`)));
  assert.deepEqual(faces.map((f) => f.path), ['Person/a.jpg', 'Person/link-in.jpg', 'Person/b.jpg'], 'no face of a refused photo');
  const outcomes = (events.find((e) => e.type === 'batch-done') as Extract<QueueWorkerEvent, { type: 'batch-done' }>).result.photos;
  assert.equal(outcomes.filter((o) => /^refused/.test(o.reason ?? '')).length, 4, 'the reasons go back to the coordinator');
});

test('queue: a job naming another store writes nothing there; a later encode of another store is left to another worker', { skip: NO_REDIS, timeout: 120_000 }, async () => {
  const s = await scene('stores');
  const other = join(tmp, 'stores', 'other-store');
  mkdirSync(join(other, 'batches'), { recursive: true });
  writeFileSync(join(other, 'lock'), 'lock of stores'); // the same lock text: only the worker's own store keeps it out
  // a job of the run, signed over another store (a coordinator bug, or a leaked secret): its run names the worker's
  const signedOther = await s.add(['Person/a.jpg'], { run: { ...s.run, storeDir: other } }); // signed over the other store
  const second = await work(s, { secretFile });
  assert.equal(second.summary.batches, 0);
  assert.match(refusals(second.events).find((e) => e.job === signedOther)?.reason ?? '', /the job's storeDir differ from its run's \(job store ".*other-store", run store ".*stores\/store"\); nothing was read or written/);
  assert.deepEqual(second.asked, []);
  assert.deepEqual(batchFiles(other), [], 'nothing written into the other store');

  // a worker serving this store; then the queue gets a (signed) encode of another store: the worker leaves its job on the queue and stops
  const first = await s.add(['Person/a.jpg']);
  const { pool, asked: read } = countingPool();
  const committed: string[] = [];
  let onCommit = () => {};
  const stop = new AbortController();
  const running = runQueueWorker({ queue: redis!.url, queueName: s.name, pool, secretFile, lockSeconds: 5, signal: stop.signal }, (e) => {
    if (e.type === 'batch-done') committed.push(e.job), onCommit();
  });
  try {
    await new Promise<void>((r) => (onCommit = r));
    assert.deepEqual(batchFiles(s.store), [`q-${first}.faces.arrow`, `q-${first}.photos.arrow`]);
    const run2: QueueRun = { ...s.run, run: `${Date.now()}-test-stores2`, storeDir: other, signature: undefined };
    run2.signature = signer.sign('run', run2);
    await writeRun(s.queue, run2);
    const jobOfRun2 = await s.add(['Person/b.jpg'], { run: run2 });
    const doneThere = new Promise<never>((_, reject) => (onCommit = () => reject(new Error(`the worker committed ${committed.at(-1)} of the other store`))));
    await assert.rejects(Promise.race([running, doneThere]), /runQueueWorker: the queue holds an encode of folder .* into store .*other-store; this worker serves folder .*stores\/photos and store .*stores\/store \(those of the first encode it took\) and writes nowhere else/);
    assert.deepEqual(batchFiles(other), [], 'nothing written into the other store');
    assert.equal(await (await s.queue.getJob(jobOfRun2))!.getState(), 'waiting', 'left on the queue for a worker of that encode');
  } finally {
    stop.abort();
    await running.catch(() => undefined);
  }
  assert.deepEqual(read, [join(s.folder, 'Person/a.jpg')]);
});

test('queue: a worker with another secret, or none, does not take the jobs of a signed run (they stay on the queue)', { skip: NO_REDIS, timeout: 120_000 }, async () => {
  const s = await scene('wrong-secret');
  const id = await s.add(['Person/a.jpg']);
  const wrong = join(tmp, 'wrong.secret');
  writeFileSync(wrong, randomBytes(32).toString('hex'));
  await assert.rejects(work(s, { secretFile: wrong }), /the queue's run record cannot be trusted \(its signature does not verify with this worker's secret\): the encode runs with another secret or none .* This worker read no photo\./);
  await assert.rejects(work(s), /the queue's run cannot be trusted by this worker \(it is signed and this worker has no secret to check it\): give this worker the encode's secret/);
  assert.equal(await (await s.queue.getJob(id))!.getState(), 'waiting');
  assert.deepEqual(batchFiles(s.store), []);
  // an unsigned run (a loopback queue without a secret) is not taken by a worker that has one
  const u = await scene('unsigned-run', { runSigner: 'none' });
  await u.add(['Person/a.jpg'], { sign: 'none' });
  await assert.rejects(work(u, { secretFile }), /run record cannot be trusted \(it carries no signature\)/);
  // ...and a worker without one (loopback) takes it, still only inside the folder
  const taken = await u.add(['../outside.jpg', 'Person/b.jpg'], { sign: 'none' });
  const { asked } = await work(u);
  assert.deepEqual(asked, [join(u.folder, 'Person/a.jpg'), join(u.folder, 'Person/b.jpg')]);
  const rows = photosFromArrow(readFileSync(join(u.store, 'batches', `q-${taken}.photos.arrow`)));
  assert.match(rows[0].reason ?? '', /climbs out of the photo folder/);
});

test('queue: a Redis off this machine without a secret is refused before anything is touched; the password is never printed', { skip: NO_REDIS, timeout: 60_000 }, async () => {
  const folder = join(tmp, 'offhost');
  mkdirSync(folder);
  const out = join(tmp, 'offhost-store');
  const url = 'redis://:hunter2-not-printed@10.255.255.1:6379';
  const env = { FACECLUSTER_QUEUE_SECRET: undefined };
  for (const args of [['encode', folder, '--out', out, '--queue', url], ['worker', '--queue', url]]) {
    const r = cli(args, env);
    assert.equal(await r.exited, 3, r.output());
    assert.match(r.output(), /secretFile must be given for a Redis server that is not on this machine, got none for queue redis:\/\/:\*\*\*@10\.255\.255\.1:6379 \(host 10\.255\.255\.1\)\..*--queue-secret-file FILE .*Nothing was changed\./s);
    assert.doesNotMatch(r.output(), /hunter2/);
  }
  assert.ok(!existsSync(out), 'no store created');
  // with a secret it goes on to connect (refused: nothing listens there) and still hides the password
  const closed = `redis://:hunter2-not-printed@127.0.0.2:${redis!.port}`; // (loopback, but redis listens on 127.0.0.1 only)
  const r = cli(['worker', '--queue', closed, '--queue-secret-file', secretFile, '--redis-timeout', '2'], env);
  assert.equal(await r.exited, 3, r.output());
  assert.match(r.output(), /cannot reach the Redis server of queue redis:\/\/:\*\*\*@127\.0\.0\.2:/);
  assert.doesNotMatch(r.output(), /hunter2/);
  const ca = cli(['worker', '--queue', redis!.url, '--queue-ca-file', secretFile], env);
  assert.equal(await ca.exited, 3);
  assert.match(ca.output(), /caFile goes with a TLS queue URL \(rediss:\/\/HOST:PORT\)/);
});

test('queue: TLS (rediss://) with a CA file and a password: a signed encode runs through, the password is in no output or record', { skip: NO_REDIS || (hasOpenssl() ? false : 'openssl not installed'), timeout: 120_000 }, async () => {
  const dir = join(tmp, 'tls');
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const tls = makeTestTls(join(dir, 'certs'));
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const server = await startRedis({ tls, password });
  try {
    assert.match(server.url, /^rediss:\/\/:pw-[0-9a-f]+@127\.0\.0\.1:\d+$/);
    const folder = join(dir, 'photos');
    mkdirSync(join(folder, 'Person'), { recursive: true });
    for (const n of ['a.jpg', 'b.jpg', 'c.jpg']) writeFileSync(join(folder, 'Person', n), `photo ${n}`);
    const store = join(dir, 'store');
    const messages: string[] = [];
    // without the CA file the server's certificate is not trusted: a clear error, the password masked
    await assert.rejects(
      encodeFolderOnQueue(folder, { queue: server.url, out: store, secretFile, redisTimeoutSeconds: 5 }),
      (e: Error) => /cannot reach the Redis server of queue rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(self-signed|certificate)/i.test(e.message) && !e.message.includes(password),
    );
    const coordinator = encodeFolderOnQueue(folder, { queue: server.url, out: store, secretFile, caFile: tls.ca, batchSize: 2, pollSeconds: 0.1 }, (_d, _t, info) => {
      const m = (info as { message?: string })?.message;
      if (m) messages.push(m);
    });
    const { pool, asked } = countingPool();
    const stop = new AbortController();
    // the worker's password from the environment (its URL has none)
    process.env.FACECLUSTER_QUEUE_PASSWORD = password;
    const worker = runQueueWorker({ queue: server.url.replace(/:[^:@/]+@/, ''), caFile: tls.ca, secretFile, pool, lockSeconds: 5, signal: stop.signal }, (e) => messages.push(JSON.stringify(e)));
    delete process.env.FACECLUSTER_QUEUE_PASSWORD; // (read when the worker starts, before its first await)
    const summary = await coordinator;
    stop.abort();
    const w = await worker;
    assert.equal(w.photos, 3);
    assert.equal(summary.encoded, 3);
    assert.equal(asked.length, 3);
    const s = await openStore(store);
    assert.equal(s.faces.length, 3, 'one face per photo, through TLS');
    const everything = [messages.join('\n'), JSON.stringify(summary), readFileSync(join(store, 'manifest.json'), 'utf8')].join('\n');
    assert.ok(!everything.includes(password), 'the password is in no message, summary or manifest');
  } finally {
    await server.stop();
  }
});

const photos = findData('lfw-subset/2faces');

test('facecluster encode --queue / worker: a forged job is refused and reported by both; the signed encode finishes', { skip: NO_REDIS || (photos ? false : 'lfw-subset/2faces not found (set FACECLUSTER_DATA)'), timeout: 300_000 }, async () => {
  const person = readdirSync(photos!).sort().find((d) => readdirSync(join(photos!, d)).length >= 2)!;
  const folder = join(tmp, 'cli', 'photos');
  mkdirSync(join(folder, person), { recursive: true });
  const names = readdirSync(join(photos!, person)).sort().slice(0, 2);
  for (const n of names) copyFileSync(join(photos!, person, n), join(folder, person, n));
  const store = join(tmp, 'cli', 'store');
  const env = { FACECLUSTER_QUEUE_SECRET: undefined };
  const queueName = 'cli-forged';
  const coordinator = cli(['encode', folder, '--out', store, '--queue', redis!.url, '--queue-name', queueName, '--queue-secret-file', secretFile, '--batch-size', '1'], env);
  let worker: ReturnType<typeof cli> | undefined;
  try {
    await coordinator.waitFor(/encode 0\/2/, 'the plan');
    const queue = new Queue<BatchJobData, BatchJobResult>(queueName, { connection: { host: '127.0.0.1', port: redis!.port } });
    queues.push(queue);
    let waiting = 0;
    for (let i = 0; i < 200 && waiting < 2; i++) {
      waiting = await queue.getWaitingCount();
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(waiting, 2, 'the encode queued its 2 batches');
    const [real] = await queue.getWaiting();
    // a copy of a real job pointing out of the folder, unsigned, at the head of the queue
    const forged = `${real.data.run}-999999`;
    await queue.add(BATCH_JOB, { ...real.data, signature: undefined, files: [{ path: '../../outside.jpg', sizeBytes: 1, mtimeMs: 1 }] }, { jobId: forged, lifo: true });
    worker = cli(['worker', '--queue', redis!.url, '--queue-name', queueName, '--queue-secret-file', secretFile, '--jobs', '1'], env);
    assert.equal(await coordinator.exited, 0, coordinator.output() + worker.output());
    // (the forged job was first on the queue: refused before the encode's batches were done)
    assert.match(worker.output(), new RegExp(`job ${forged} refused: the job does not come from the queue's encode \\(it carries no signature\\); nothing was read`));
    assert.match(coordinator.output(), new RegExp(`job ${forged} on the queue is not one of this run's; a worker refused it: refused by worker \\S+: the job does not come from the queue's encode`));
    assert.match(coordinator.output(), /encoded 2 photo\(s\)/);
    const s = await openStore(store);
    assert.deepEqual(s.photos.map((p) => p.path), names.map((n) => `${person}/${n}`), 'the two photos, nothing else');
  } finally {
    if (worker) await stopCli(worker);
    await stopCli(coordinator);
  }
});
