/**
 * face-api (`@vladmandic/face-api`) bound to the process's one tfjs instance.
 *
 * With the wasm backend we load face-api's `node-wasm` build (it requires `@tensorflow/tfjs`, the same
 * instance {@link loadTf} set up); with native tfjs-node its `node` build. Both are CommonJS, loaded with
 * `createRequire`. Each network's weights are read from face-api's own `model/` folder once per process
 * ({@link loadFaceApiNet}); detectors and embedders share them and release them with {@link releaseFaceApiNet}.
 */
import { createRequire } from 'node:module';
import { faceApiModelDir } from '../paths.ts';
import { installFusedSsd } from '../detect/_ssd-fused.ts';
import { loadTf, type TfRuntime } from './tf.ts';

const require = createRequire(import.meta.url);

/** The face-api namespace (types from its node-wasm build). */
export type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');

/** The face-api networks facecluster uses. */
export type FaceApiNetName = 'ssdMobilenetv1' | 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceRecognitionNet';

let faceApi: Promise<{ faceapi: FaceApi; runtime: TfRuntime }> | undefined;
const loading = new Map<FaceApiNetName, Promise<void>>();
const users = new Map<FaceApiNetName, number>();
const uninstall = new Map<FaceApiNetName, () => void>();

/** Loads tfjs, then the matching face-api build, once per process. */
export function loadFaceApi(): Promise<{ faceapi: FaceApi; runtime: TfRuntime }> {
  faceApi ??= (async () => {
    const runtime = await loadTf();
    const faceapi = (runtime.native
      ? require('@vladmandic/face-api/dist/face-api.node.js')
      : require('@vladmandic/face-api/dist/face-api.node-wasm.js')) as FaceApi;
    return { faceapi, runtime };
  })();
  return faceApi;
}

/**
 * Loads one face-api network's weights (once per process; later calls share them) and counts a user.
 * Each call must be paired with one {@link releaseFaceApiNet}.
 */
export async function loadFaceApiNet(name: FaceApiNetName): Promise<{ faceapi: FaceApi; runtime: TfRuntime }> {
  const loaded = await loadFaceApi();
  let p = loading.get(name);
  if (!p) {
    p = loaded.faceapi.nets[name].loadFromDisk(faceApiModelDir()).then(() => {
      // SSD: one fused op per layer instead of face-api's conv/batchNorm/add/clip (same outputs, ~20% faster)
      if (name === 'ssdMobilenetv1') uninstall.set(name, installFusedSsd(loaded.runtime.tf, loaded.faceapi.nets.ssdMobilenetv1 as never));
    });
    loading.set(name, p);
    p.catch(() => loading.delete(name));
  }
  await p;
  users.set(name, (users.get(name) ?? 0) + 1);
  return loaded;
}

/** Drops one user of a network; the last user frees its weights (tensors). */
export async function releaseFaceApiNet(name: FaceApiNetName): Promise<void> {
  const n = (users.get(name) ?? 0) - 1;
  if (n > 0) {
    users.set(name, n);
    return;
  }
  users.delete(name);
  if (!loading.has(name)) return;
  loading.delete(name);
  const { faceapi } = await loadFaceApi();
  uninstall.get(name)?.();
  uninstall.delete(name);
  const net = faceapi.nets[name];
  if (net.isLoaded) net.dispose(true);
}
