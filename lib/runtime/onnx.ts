/**
 * The ONNX runtime: `onnxruntime-node` (native, CPU, multi-threaded), loaded on first use. This is the only
 * place sessions are created; models ask {@link createOnnxSession} for one and give it back with
 * `release()`. {@link openOnnxSessions} counts the sessions not yet released (for leak tests).
 *
 * `onnxruntime-node` installs with `onnxruntime-node-install=skip` in the project `.npmrc` (its postinstall
 * would otherwise try to download GPU providers); the CPU provider ships in the package.
 */
import { createRequire } from 'node:module';
import { readFile, stat } from 'node:fs/promises';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';

const require = createRequire(import.meta.url);

type Ort = typeof import('onnxruntime-node');

/** A float32 tensor handed to or returned by a session. */
export interface OnnxTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface OnnxSession {
  /** The model file it was loaded from. */
  readonly path: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Shapes of the inputs as the model declares them (strings or -1 for free dimensions). */
  readonly inputShapes: readonly (readonly (number | string)[])[];
  /** Runs the model on float32 inputs; returns every output as float32. */
  run(feeds: Record<string, OnnxTensor>): Promise<Record<string, OnnxTensor>>;
  /** Frees the session (idempotent). */
  release(): Promise<void>;
}

export interface OnnxSessionOptions {
  /**
   * Threads of one session's operators. @default 1 (the encode pool runs one worker per core; a 512-d
   *   112x112 MobileFaceNet took 68 ms/face on 1 thread, 43 on 2, on this project's 2-core machine)
   */
  threads: number;
}

export const ONNX_SESSION_DEFAULTS: Readonly<OnnxSessionOptions> = Object.freeze({ threads: 1 });

let ort: Ort | undefined;
let open = 0;

/** The onnxruntime-node module (loaded once); throws a clear error when it is not installed. */
export function loadOrt(): Ort {
  if (ort) return ort;
  try {
    ort = require('onnxruntime-node') as Ort;
  } catch (e) {
    throw new FaceclusterError('loadOrt', `onnxruntime-node could not be loaded (${(e as Error).message.split('\n')[0]}); run \`npm install\`.`, undefined, { cause: e });
  }
  return ort;
}

/** Version of onnxruntime-node, for manifests. */
export function onnxRuntimeVersion(): string {
  try {
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Number of sessions created and not yet released in this process. */
export function openOnnxSessions(): number {
  return open;
}

/**
 * Loads the ONNX model file `path` into a CPU session. A missing, empty or unreadable file, or one that
 * is not an ONNX model, is an error naming the file.
 */
export async function createOnnxSession(path: string, options?: Partial<OnnxSessionOptions>): Promise<OnnxSession> {
  const fn = 'createOnnxSession';
  const o = resolveOptions(fn, ONNX_SESSION_DEFAULTS, options);
  checkInteger(fn, 'threads', o.threads, 1, 256);
  const st = await stat(path).catch(() => undefined);
  if (!st || !st.isFile()) throw new FaceclusterError(fn, `the model file ${JSON.stringify(path)} does not exist; run \`npm run models:fetch\` (see models/README.md).`, 'path');
  if (st.size === 0) throw new FaceclusterError(fn, `the model file ${JSON.stringify(path)} is empty (0 bytes); delete it and run \`npm run models:fetch\`.`, 'path');
  const runtime = loadOrt();
  const bytes = await readFile(path);
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await runtime.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: o.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new FaceclusterError(fn, `the model file ${JSON.stringify(path)} is not a valid ONNX model (${(e as Error).message.split('\n')[0]}); delete it and run \`npm run models:fetch\`.`, 'path', { cause: e });
  }
  open++;
  let released = false;
  const inputShapes = session.inputNames.map((name, i) => {
    const meta = (session.inputMetadata as unknown as { name: string; shape?: (number | string)[] }[])[i];
    return meta?.name === name && meta.shape ? meta.shape : [];
  });
  return {
    path,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputShapes,
    async run(feeds) {
      if (released) throw new FaceclusterError('OnnxSession.run', `the session of ${JSON.stringify(path)} was released.`);
      const inputs: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) inputs[name] = new runtime.Tensor('float32', t.data, t.dims as number[]);
      const out = await session.run(inputs);
      const result: Record<string, OnnxTensor> = {};
      for (const [name, t] of Object.entries(out)) {
        result[name] = { data: Float32Array.from(t.data as Float32Array), dims: t.dims };
        t.dispose();
      }
      return result;
    },
    async release() {
      if (released) return;
      released = true;
      open--;
      await session.release();
    },
  };
}
