/**
 * The neural-net runtime: one tfjs instance for the whole process, shared by face-api and MTCNN.
 *
 * Backend choice, best first:
 *   1. `tensorflow` (native libtensorflow via the optional `@tensorflow/tfjs-node`), when it loads;
 *   2. `wasm` (`@tensorflow/tfjs-backend-wasm`, SIMD, single thread in Node).
 * The pure-JS `cpu` backend is never used: it is ~40x slower than wasm. If neither backend can start,
 * `loadTf` throws, saying why.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FaceclusterError } from '../errors.ts';

const require = createRequire(import.meta.url);

/** The tfjs namespace (same instance that face-api's node-wasm build uses). */
export type Tf = typeof import('@tensorflow/tfjs');

export interface TfRuntime {
  tf: Tf;
  /** `tensorflow` (tfjs-node) or `wasm`. */
  backend: 'tensorflow' | 'wasm';
  /** Human-readable description for logs and manifests, e.g. `wasm (SIMD, 1 thread), tfjs 4.22.0`. */
  description: string;
  /** Whether `@tensorflow/tfjs-node` was used (then face-api's node build must be used too). */
  native: boolean;
}

let runtime: Promise<TfRuntime> | undefined;

/** Loads tfjs once per process and picks the fastest available backend. Set `FACECLUSTER_BACKEND=wasm` to skip tfjs-node. */
export function loadTf(): Promise<TfRuntime> {
  runtime ??= init();
  return runtime;
}

async function init(): Promise<TfRuntime> {
  const errors: string[] = [];
  if (process.env.FACECLUSTER_BACKEND !== 'wasm') {
    try {
      const tf = require('@tensorflow/tfjs-node') as Tf;
      await tf.setBackend('tensorflow');
      await tf.ready();
      if (tf.getBackend() === 'tensorflow') {
        return { tf, backend: 'tensorflow', native: true, description: `tensorflow (tfjs-node, native), tfjs ${tf.version.tfjs}` };
      }
    } catch (e) {
      errors.push(`tfjs-node: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    const tf = require('@tensorflow/tfjs') as Tf;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const distDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
    wasm.setWasmPaths(distDir.endsWith('/') ? distDir : `${distDir}/`);
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    if (!ok || tf.getBackend() !== 'wasm') throw new Error(`setBackend('wasm') gave ${tf.getBackend()}`);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    return { tf, backend: 'wasm', native: false, description: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-thread' : '1 thread'}), tfjs ${tf.version.tfjs}` };
  } catch (e) {
    errors.push(`wasm: ${(e as Error).message.split('\n')[0]}`);
  }
  throw new FaceclusterError('loadTf', `no fast tfjs backend could start (the pure-JS cpu backend is never used): ${errors.join('; ')}.`);
}
