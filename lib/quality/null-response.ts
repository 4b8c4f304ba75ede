/**
 * Poor faces told from the embeddings alone: an embedder's answer to a face with no identity in it.
 *
 * A face too small, blurred or turned away to be recognised gives the embedder little to go on, and its vector falls
 * near the one the embedder gives to no face at all. That "null response" needs no data: it is the unit mean of the
 * embeddings of a few synthetic chips with no identity in them (flat grey at three levels, two of uniform noise, a
 * plain ellipse; {@link identitylessChips}). The cosine of a face's vector to it flags the faces under the quality bar
 * (`faceQuality` < 0.6) with ROC AUC 0.91 on all of LFW, 0.81 celeba, 0.79 pins, 0.89 families, 0.90 LFW's
 * one-photo people (mobilefacenet512). It is what keeps crowds of background faces out of people when there is no
 * quality score (embeddings from elsewhere, a notebook): `clusterGoodFaces` with {@link embeddingQuality} in place of
 * the score.
 *
 * Measured by `npm run bench:transfer` (column "quality ignored: null response").
 */
import type { Embedder } from '../embed/embedder.ts';
import { createEmbedder, isEmbedderName, type EmbedderName } from '../embed/registry.ts';
import { invalidParameter } from '../errors.ts';
import type { RgbImage } from '../types.ts';

/**
 * A face is poor when the cosine of its vector to the null response is above this: the score
 * {@link embeddingQuality} is 1 minus the cosine, so the bar on it is `1 - NULL_SIMILARITY_BAR`. @default 0.2 —
 * mobilefacenet512's: the best mean BCubed F of `auto` on every face of the eight collections of bench:transfer with
 * the store's quality ignored (bars 0.1 / 0.2 / 0.3 / 0.4: 0.941 / 0.950 / 0.948 / 0.947), and the pick of the others
 * for every collection left out (`npm run bench:transfer -- --null-bars 0.1,0.2,0.3,0.4`; README "Every face").
 */
export const NULL_SIMILARITY_BAR = 0.2;

/**
 * The bar per embedder, where measured: {@link NULL_SIMILARITY_BAR} for mobilefacenet512 (the default embedder; the
 * only one whose stores bench:transfer holds). The others have none: their null response is not trusted as a bar.
 */
export const NULL_SIMILARITY_BARS: Readonly<Partial<Record<EmbedderName, number>>> = Object.freeze({ mobilefacenet512: NULL_SIMILARITY_BAR });

/** The synthetic chips with no identity in them (`size` x `size`, deterministic): their embeddings make the null response. */
export function identitylessChips(size: number): RgbImage[] {
  if (!Number.isInteger(size) || size < 8) throw invalidParameter('identitylessChips', 'size', 'an integer >= 8', size);
  const flat = (v: number): RgbImage => ({ data: new Uint8Array(size * size * 3).fill(v), width: size, height: size });
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const noise = (): RgbImage => {
    const data = new Uint8Array(size * size * 3);
    for (let i = 0; i < data.length; i++) data[i] = 96 + Math.floor(64 * rand());
    return { data, width: size, height: size };
  };
  const ellipse = (): RgbImage => {
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const inside = ((x - size / 2) / (0.34 * size)) ** 2 + ((y - 0.54 * size) / (0.45 * size)) ** 2 < 1;
      const v = inside ? 170 : 60;
      data.set([v, Math.round(v * 0.85), Math.round(v * 0.75)], (y * size + x) * 3);
    }
    return { data, width: size, height: size };
  };
  return [flat(128), flat(60), flat(200), noise(), noise(), ellipse()];
}

/** The embedder's null response: the unit mean of its embeddings of {@link identitylessChips}. */
export async function embedderNullResponse(embedder: Embedder): Promise<Float32Array> {
  const vectors = await embedder.embed(identitylessChips(embedder.inputSize));
  const mean = new Float64Array(embedder.dimension);
  for (const v of vectors) for (let t = 0; t < mean.length; t++) mean[t] += v[t];
  const norm = Math.hypot(...mean);
  return Float32Array.from(mean, (v) => v / norm);
}

/**
 * Each face's quality from its embedding alone: 1 minus the cosine of its vector to `nullResponse` (higher: farther
 * from no face; a face is poor below `1 - NULL_SIMILARITY_BAR`). Rows need not be unit vectors.
 */
export function embeddingQuality(x: readonly Float32Array[], nullResponse: Float32Array): Float32Array {
  const fn = 'embeddingQuality';
  const d = nullResponse.length;
  return Float32Array.from(x, (v, i) => {
    if (!v || v.length !== d) throw invalidParameter(fn, `x[${i}]`, `a vector of ${d} numbers (the null response's length)`, v?.length);
    let dot = 0, nv = 0;
    for (let t = 0; t < d; t++) { dot += v[t] * nullResponse[t]; nv += v[t] * v[t]; }
    return nv > 0 ? 1 - dot / Math.sqrt(nv) : 0;
  });
}

/**
 * Each face's quality from its embedding alone, for vectors that come with no quality score (a store encoded before
 * scores existed, embeddings from elsewhere): loads `embedder`, takes its null response ({@link embedderNullResponse})
 * and scores the rows ({@link embeddingQuality}). `minQuality` is the bar on that score, `1 - ` the embedder's
 * {@link NULL_SIMILARITY_BARS} entry. Null when the embedder (or a fusion `a+b`) has no measured bar: then nothing is
 * told apart, and the caller should say so. Pass the result to `clusterGoodFaces` as the quality and its bar.
 */
export async function nullResponseQuality(embedder: string, x: readonly Float32Array[]): Promise<{ quality: Float32Array; minQuality: number; bar: number } | null> {
  if (!isEmbedderName(embedder)) return null;
  const bar = NULL_SIMILARITY_BARS[embedder];
  if (bar === undefined) return null;
  const e = await createEmbedder(embedder);
  try {
    return { quality: embeddingQuality(x, await embedderNullResponse(e)), minQuality: 1 - bar, bar };
  } finally {
    e.dispose();
  }
}
