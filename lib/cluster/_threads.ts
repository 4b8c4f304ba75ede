/**
 * A small synchronous thread pool for the exact pair kernels (DBSCAN's and Chinese Whispers' neighbourhoods, exact
 * kNN, the radius search of clusterAuto, the k-means assignment), so that they run on every core while the public
 * functions stay synchronous and pure.
 *
 * - Workers are started once, on first use (`new Worker(source, { eval: true })`: plain JavaScript built from the
 *   tasks' own source, the WebAssembly module of _simd.ts in `workerData`, so no TypeScript loader is needed), and
 *   unref'd (they never keep the process alive).
 * - A call is split into a fixed number of chunks, chosen by the caller from the input alone. The calling thread and
 *   the workers claim chunks from a shared counter (`Atomics.add`); the calling thread works too, then blocks on
 *   `Atomics.wait` (allowed on Node's main thread) until the chunks the workers claimed are done, and collects their
 *   results with `receiveMessageOnPort`. Results come back in chunk order, so the output is the same whichever thread
 *   did which chunk, and the same for any number of threads (tested).
 * - A worker that is not running yet (starting, or failed to start) claims nothing: the calling thread then does all
 *   the chunks, so a call is never slower than one thread by more than the chunking; a worker that failed to start is
 *   reported by {@link threadWarning} (the clustering functions add it to their warnings).
 * - `FACECLUSTER_THREADS` (environment, read when the pool starts): how many threads, the calling one included;
 *   1 = no workers. Default: every core (`os.availableParallelism()`), at most {@link MAX_THREADS}.
 *
 * Inputs shared with the workers live in SharedArrayBuffers ({@link shared}); everything else a task needs it receives
 * as arguments. Tasks are self-contained functions (no imports, no closures): their source is what the workers run.
 * Private: inputs are assumed valid.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { dotKernelModule, dotKernelOf, type DotKernel } from './_simd.ts';

/** The most threads the pool starts, whatever the machine. */
export const MAX_THREADS = 16;

/**
 * A unit of parallel work. Every function is self-contained (it is shipped to the workers as source text): it may use
 * its arguments, the `helpers` (by name) and globals (Math, typed arrays), nothing else.
 */
export interface ThreadTask<A, S, R, F = undefined> {
  /** Unique name (the workers cache the compiled task under it). */
  name: string;
  /** Functions the others call by name, shipped with them. */
  helpers?: readonly ((...args: never[]) => unknown)[];
  /**
   * Once per call on each thread that claims a chunk: per-thread state (e.g. rows copied into a kernel from
   * `newKernel`: zeroed memory, as a fresh one; the thread keeps it for its later calls, see {@link kernelReuser}).
   */
  setup: (args: A, newKernel: () => DotKernel) => S;
  /** Chunk `c` of the call; the results reach the caller in chunk order. */
  chunk: (args: A, state: S, c: number) => R;
  /** Once per thread that claimed a chunk, after its last one: what it accumulated (the caller merges, any order). */
  finish?: (args: A, state: S) => F;
}

/** What a call returns: each chunk's result in chunk order, and the `finish` of every thread that took part. */
export interface ThreadRun<R, F> {
  chunks: R[];
  finals: F[];
  /** Threads that did at least one chunk (the calling one included). */
  threads: number;
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  known: Set<string>;
}

interface Pool {
  workers: PoolWorker[];
  /** Why a worker stopped or could not start (null while all is well). */
  failure: string | null;
}

let pool: Pool | null = null;
let configured: number | null = null;
let callId = 0;

/**
 * Sets the number of threads (the calling one included) for the calls that follow; restarts the pool when it
 * changes. For tests and benchmarks (users set `FACECLUSTER_THREADS`). `null`: back to the environment / every core.
 */
export function configureThreads(threads: number | null): void {
  if (threads !== null && !(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`configureThreads: threads must be an integer >= 1 or null, got ${threads}.`);
  if (threads === configured) return;
  configured = threads;
  if (pool) for (const w of pool.workers) void w.worker.terminate();
  pool = null;
}

/** Threads the pool runs on (the calling one included): {@link configureThreads}, else `FACECLUSTER_THREADS`, else every core. */
export function threadCount(): number {
  if (configured !== null) return configured;
  const env = Number(process.env.FACECLUSTER_THREADS);
  const want = Number.isInteger(env) && env >= 1 ? env : availableParallelism();
  return Math.max(1, Math.min(MAX_THREADS, want));
}

/** Why the pool could not use its workers (the calls fell back to one thread), or null. */
export function threadWarning(): string | null {
  return pool?.failure ? `the worker threads could not run (${pool.failure}), so this ran on one thread; set FACECLUSTER_THREADS=1 to silence this.` : null;
}

/**
 * Buffers of at least this many bytes that a caller gave back ({@link releaseShared}) are handed out again by
 * {@link shared}: the first touch of fresh memory costs page faults (measured on this VM: 25 MB, the bounds of
 * k-means on LFW x 500 centres, 130–260 ms), a reused buffer only a zeroing (a few ms).
 */
const SPARE_MIN_BYTES = 1 << 20;
/** Given-back buffers, held weakly (the garbage collector may still take them). */
let spares: WeakRef<SharedArrayBuffer>[] = [];

/**
 * A typed array of `length` elements on a SharedArrayBuffer (what tasks read on every thread), zeroed: a given-back
 * buffer that fits (at most twice the size), else a fresh one.
 */
export function shared<T extends Float32Array | Float64Array | Int32Array | Int16Array | Uint8Array>(ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  // whole multiples of 8 bytes, so that a buffer given back by one type fits any other
  const bytes = Math.max(8, Math.ceil((length * ctor.BYTES_PER_ELEMENT) / 8) * 8);
  let buffer: SharedArrayBuffer | null = null;
  if (bytes >= SPARE_MIN_BYTES) {
    spares = spares.filter((r) => r.deref() !== undefined);
    let at = -1;
    spares.forEach((r, i) => {
      const b = r.deref()!;
      if (b.byteLength >= bytes && b.byteLength <= 2 * bytes && (at < 0 || b.byteLength < spares[at].deref()!.byteLength)) at = i;
    });
    if (at >= 0) {
      buffer = spares[at].deref()!;
      spares.splice(at, 1);
      new Uint8Array(buffer).fill(0, 0, bytes);
    }
  }
  buffer ??= new SharedArrayBuffer(bytes);
  return new ctor(buffer).subarray(0, length) as T;
}

/**
 * Gives arrays from {@link shared} back for later calls to reuse; the caller must not touch them afterwards (nor may
 * any thread: give back only after the calls that read them returned).
 */
export function releaseShared(...arrays: (Float32Array | Float64Array | Int32Array | Int16Array | Uint8Array)[]): void {
  for (const a of arrays) {
    const b = a.buffer;
    if (b instanceof SharedArrayBuffer && b.byteLength >= SPARE_MIN_BYTES && !spares.some((r) => r.deref() === b)) spares.push(new WeakRef(b));
  }
  if (spares.length > 16) spares = spares.slice(-16);
}

/** Kernels up to this size (bytes of memory) are kept by their thread for the calls that follow; larger ones are dropped. */
const KEEP_KERNEL_BYTES = 64 << 20;

/**
 * A thread's kernels, reused from call to call: instantiating one costs milliseconds (a fresh memory: a new mapping,
 * page faults; measured on this VM: 25 kernels of 330 KB, 40–130 ms), and k-means alone makes two calls an iteration.
 * `begin` starts a call; `next` is the call's `newKernel`: the call's n-th kernel is the n-th kept one, its memory
 * zeroed up to what the call ensures (its first page at once), so that a task sees what a fresh kernel shows.
 * Self-contained (its source goes to the workers).
 */
export function kernelReuser(make: () => DotKernel, keepBytes: number): { begin: () => void; end: () => void; next: () => DotKernel } {
  let kept: DotKernel[] = [];
  let used = 0;
  return {
    begin() {
      used = 0;
    },
    /** After a call: lets go of the kernels that grew past keepBytes. */
    end() {
      kept = kept.filter((k) => k.f32().byteLength <= keepBytes);
    },
    next() {
      const slot = used++;
      const old = kept[slot];
      if (!old) {
        const fresh = make();
        kept[slot] = fresh;
        return fresh;
      }
      const dirty = old.f32().byteLength;
      let zeroed = 0;
      const zeroTo = (bytes: number) => {
        const end = Math.min(bytes, dirty);
        if (end > zeroed) new Uint8Array(old.f32().buffer).fill(0, zeroed, end);
        if (end > zeroed) zeroed = end;
      };
      zeroTo(65536);
      return {
        f32: old.f32,
        ensure(bytes: number) {
          old.ensure(bytes);
          zeroTo(bytes);
        },
        dots4: old.dots4,
        nearest4: old.nearest4,
        bounds4: old.bounds4,
        dots4i16: old.dots4i16,
      };
    },
  };
}

/**
 * `a` itself when it lies on a SharedArrayBuffer (a matrix from `toMatrix` with `shared` as its allocator), else a copy on one: at a
 * million 512-d faces, the 2 GB copy the threads would otherwise need.
 */
export function onShared(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = shared(Float32Array, a.length);
  out.set(a);
  return out;
}

/** The worker's program: compiles the tasks it is sent, claims chunks, posts results. Plain JavaScript. */
function workerSource(): string {
  return `'use strict';
const { workerData } = require('node:worker_threads');
// the helper esbuild (tsx) inserts to keep function names
const __name = (f) => f;
const dotKernelOf = (${dotKernelOf.toString()});
const kernelReuser = (${kernelReuser.toString()});
const kernels = kernelReuser(() => dotKernelOf(workerData.module), ${KEEP_KERNEL_BYTES});
const newKernel = kernels.next;
const port = workerData.port;
const tasks = new Map();
function transferables(value, out) {
  if (ArrayBuffer.isView(value)) { if (!(value.buffer instanceof SharedArrayBuffer)) out.push(value.buffer); }
  else if (value && typeof value === 'object') for (const k of Object.keys(value)) transferables(value[k], out);
  return out;
}
function compile(src) {
  return new Function('__name', '"use strict";' + src.helpers.join('\\n') + '\\nreturn { setup: (' + src.setup + '), chunk: (' + src.chunk + '), finish: ' + (src.finish ? '(' + src.finish + ')' : 'null') + ' };')(__name);
}
port.on('message', (job) => {
  let task = tasks.get(job.name);
  if (!task) { task = compile(job.source); tasks.set(job.name, task); }
  const counter = job.counter;
  kernels.begin();
  let state = null, joined = false, current = -1;
  try {
    while (Atomics.load(counter, 4) === 0) {
      const c = Atomics.add(counter, 0, 1);
      if (c >= job.nChunks) break;
      current = c;
      if (!joined) { joined = true; Atomics.add(counter, 2, 1); state = task.setup(job.args, newKernel); }
      const result = task.chunk(job.args, state, c);
      port.postMessage({ call: job.call, chunk: c, result }, transferables(result, []));
      current = -1;
      Atomics.add(counter, 1, 1);
      Atomics.notify(counter, 1);
    }
    if (joined) {
      const fin = task.finish ? task.finish(job.args, state) : null;
      port.postMessage({ call: job.call, final: fin }, transferables(fin, []));
    }
  } catch (e) {
    // claims stop; the failed chunk counts as done (its message is the error), and the final says it failed
    Atomics.store(counter, 4, 1);
    const error = String((e && e.stack) || e);
    if (current >= 0) { port.postMessage({ call: job.call, chunk: current, error }); Atomics.add(counter, 1, 1); }
    if (!joined) { joined = true; Atomics.add(counter, 2, 1); }
    port.postMessage({ call: job.call, final: null, error });
  }
  kernels.end();
  if (joined) { Atomics.add(counter, 3, 1); Atomics.notify(counter, 1); }
});
`;
}

function startPool(): Pool {
  const p: Pool = { workers: [], failure: null };
  const want = threadCount() - 1;
  if (want <= 0) return p;
  try {
    const source = workerSource();
    const module = dotKernelModule();
    for (let t = 0; t < want; t++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, { eval: true, workerData: { module, port: port2 }, transferList: [port2], execArgv: [], stdout: false, stderr: false });
      worker.unref();
      port1.unref();
      const fail = (why: string) => { p.failure ??= why; };
      worker.on('error', (e) => fail((e as Error).message));
      worker.on('exit', (code) => { if (code !== 0 && pool === p) fail(`a worker exited with code ${code}`); });
      p.workers.push({ worker, port: port1, known: new Set() });
    }
  } catch (e) {
    p.failure = (e as Error).message;
    for (const w of p.workers) void w.worker.terminate();
    p.workers = [];
  }
  return p;
}

const mainKernels = kernelReuser(() => dotKernelOf(dotKernelModule()), KEEP_KERNEL_BYTES);

/**
 * Runs chunks `0 .. nChunks-1` of `task` on the pool, the calling thread included, and returns their results in chunk
 * order (plus each taking-part thread's `finish`). Synchronous. `args` must be structured-cloneable; put large
 * inputs on SharedArrayBuffers ({@link shared}) so that they are not copied.
 */
export function runTask<A, S, R, F = undefined>(task: ThreadTask<A, S, R, F>, args: A, nChunks: number): ThreadRun<R, F> {
  pool ??= startPool();
  const workers = pool.failure ? [] : pool.workers;
  const call = ++callId;
  // [next chunk to claim, chunks done, threads that joined, threads that finished, 1 when a thread failed]
  const counter = new Int32Array(new SharedArrayBuffer(5 * 4));
  if (nChunks > 1) {
    for (const w of workers) {
      const source = w.known.has(task.name) ? undefined : {
        helpers: (task.helpers ?? []).map((h) => h.toString()),
        setup: task.setup.toString(), chunk: task.chunk.toString(), finish: task.finish?.toString(),
      };
      w.known.add(task.name);
      w.port.postMessage({ call, name: task.name, source, args, counter, nChunks });
    }
  }
  const chunks: R[] = new Array(nChunks);
  const finals: F[] = [];
  let state: S | null = null;
  let failure: unknown = null;
  mainKernels.begin();
  let mine = 0;
  let current = -1;
  try {
    while (Atomics.load(counter, 4) === 0) {
      const c = Atomics.add(counter, 0, 1);
      if (c >= nChunks) break;
      current = c;
      state ??= task.setup(args, mainKernels.next);
      chunks[c] = task.chunk(args, state, c);
      current = -1;
      mine++;
      Atomics.add(counter, 1, 1);
    }
    if (state !== null && task.finish) finals.push(task.finish(args, state));
    mainKernels.end();
  } catch (e) {
    mainKernels.end();
    failure = e;
    // claims stop; the failed chunk counts as done
    Atomics.store(counter, 4, 1);
    if (current >= 0) { mine++; Atomics.add(counter, 1, 1); }
  }
  // wait for the chunks the workers claimed, and for their finish
  for (;;) {
    const done = Atomics.load(counter, 1);
    const claimed = Math.min(nChunks, Atomics.load(counter, 0));
    if (done >= claimed && Atomics.load(counter, 3) === Atomics.load(counter, 2)) break;
    Atomics.wait(counter, 1, done, 50);
  }
  // collect the workers' messages: one per chunk they did, one final (or error) per worker that joined
  let expected = Atomics.load(counter, 1) - mine + Atomics.load(counter, 2);
  let workerError: string | null = null;
  let took = state !== null ? 1 : 0;
  while (expected > 0) {
    let got = false;
    for (const w of workers) {
      for (let msg = receiveMessageOnPort(w.port); msg; msg = receiveMessageOnPort(w.port)) {
        const m = msg.message as { call: number; chunk?: number; result?: R; final?: F; error?: string };
        if (m.call !== call) continue; // left over from a call that failed
        got = true;
        expected--;
        if (m.error !== undefined) workerError ??= m.error;
        else if (m.chunk !== undefined) chunks[m.chunk] = m.result as R;
        else { took++; if (task.finish) finals.push(m.final as F); }
      }
    }
    // posted before the counters moved, so due at once; yield a millisecond if not yet visible
    if (!got && expected > 0) Atomics.wait(counter, 2, Atomics.load(counter, 2), 1);
  }
  if (failure) throw failure;
  if (workerError) throw new Error(`${task.name} (worker thread): ${workerError}`);
  return { chunks, finals, threads: took };
}

/**
 * Splits rows `0 .. n` into about `parts` runs of rows (each starting at a multiple of 4) of equal work, where row i
 * costs `cost(i)`. Returns the run starts and n (length = runs + 1). Depends on n and parts only: never on the threads.
 */
export function splitRows(n: number, parts: number, cost: (i: number) => number = () => 1): Int32Array {
  let total = 0;
  for (let i = 0; i < n; i += 4) total += cost(i);
  const bounds = [0];
  let acc = 0;
  for (let i = 0; i < n; i += 4) {
    acc += cost(i);
    if (acc >= (total * bounds.length) / parts && i + 4 < n && bounds.length < parts) bounds.push(i + 4);
  }
  bounds.push(n);
  return Int32Array.from(bounds);
}
