/**
 * The quality signals of every face of a cached collection store, for bench:quality: the stored ones (box side,
 * detector score, pose from the 5 points) and those that need the photo's pixels (sharpness of the aligned chip, the
 * raw embedding norm of mobilefacenet512), computed by decoding each photo again (no detection) and cached as JSON
 * under `out/quality/` of the checkout (never in the collection stores).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedder, decodeImage, normCrop, openStore } from '../lib/index.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { faceQuality } from '../lib/quality/face-quality.ts';
import { chipSharpness } from '../lib/quality/sharpness.ts';
import { QUALITY_CHIP, qualitySignals } from '../lib/quality/signals.ts';
import type { Landmarks5 } from '../lib/types.ts';
import { storeDirOf } from './_collections.ts';

export interface PixelSignals {
  /** Per face of the store (store order): sharpness of the arcface 112 chip, raw mobilefacenet512 norm (NaN: photo unreadable). */
  sharpness: number[];
  rawNorm: number[];
}

/** Pixel signals of collection `name`, computed once and cached. */
export async function pixelSignals(name: string, log: (s: string) => void): Promise<PixelSignals> {
  const dir = join(PROJECT_ROOT, 'out', 'quality');
  const file = join(dir, `${name}.pixels.json`);
  const store = await openStore(storeDirOf(name));
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as PixelSignals & { faces: number };
    if (cached.faces === store.faces.length) return cached;
  }
  const embedder = await createEmbedder('mobilefacenet512');
  const { maxPixels, maxSide } = store.manifest.parameters;
  const sharpness = new Array<number>(store.faces.length).fill(NaN);
  const rawNorm = new Array<number>(store.faces.length).fill(NaN);
  const byPath = new Map<string, number[]>();
  store.faces.forEach((f, i) => (byPath.get(f.path) ?? byPath.set(f.path, []).get(f.path)!).push(i));
  let done = 0;
  for (const [path, idx] of byPath) {
    try {
      const d = await decodeImage(join(store.manifest.photoFolder, path), { maxPixels, maxSide });
      const chips = idx.map((i) => {
        const lm = store.faces[i].landmarks5.map((p) => ({ x: p.x * d.scale, y: p.y * d.scale })) as Landmarks5;
        return normCrop(d.image, lm, QUALITY_CHIP.template, QUALITY_CHIP.size).chip;
      });
      const r = await embedder.embedWithNorms!(chips);
      idx.forEach((i, k) => {
        sharpness[i] = chipSharpness(chips[k]);
        rawNorm[i] = r.norms[k];
      });
    } catch (e) {
      log(`${name}: ${path}: ${(e as Error).message}`);
    }
    if (++done % 500 === 0) log(`${name}: pixels of ${done}/${byPath.size} photos`);
  }
  embedder.dispose();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify({ faces: store.faces.length, sharpness, rawNorm }));
  return { sharpness, rawNorm };
}

/** The shipped quality score (`faceQuality`) of every face of collection `name` (store order), from its signals. */
export async function shippedQuality(name: string, log: (s: string) => void): Promise<Float32Array> {
  const store = await openStore(storeDirOf(name));
  const px = await pixelSignals(name, log);
  return Float32Array.from(store.faces, (f, i) => faceQuality({ ...qualitySignals(f), sharpness: px.sharpness[i], embeddingNorm: px.rawNorm[i] }));
}
