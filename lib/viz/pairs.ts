/**
 * Distances of same-person and different-person pairs, for the distance histogram.
 *
 * All same-person pairs are used up to `maxPairs` (then a seeded sample); different-person pairs are sampled
 * uniformly (seeded) up to `maxPairs`: with n = 12k there are 76M pairs, and 20k of them draw the same histogram.
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import type { Metric } from '../types.ts';
import { mulberry32 } from '../reduce/_random.ts';

export interface PairDistanceOptions {
  /** Most pairs kept of each kind. @default 20000 (histogram bars within ~1% of the full-data shape) */
  maxPairs: number;
  /** @default 'euclidean' (face-api descriptors are compared by Euclidean distance; its threshold is 0.6) */
  metric: Metric;
  /** @default 42 */
  seed: number;
}

export const PAIR_DISTANCE_DEFAULTS: Readonly<PairDistanceOptions> = Object.freeze({ maxPairs: 20000, metric: 'euclidean' as const, seed: 42 });

export interface PairDistances {
  same: number[];
  different: number[];
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>, metric: Metric): number {
  if (metric === 'euclidean') {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
    return Math.sqrt(s);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? 1 - dot / Math.sqrt(na * nb) : 1;
}

/** Same-person and different-person pair distances (`labels` are true identities; -1 entries are ignored). */
export function pairDistances(embeddings: readonly ArrayLike<number>[], labels: ArrayLike<number>, options?: Partial<PairDistanceOptions>): PairDistances {
  const fn = 'pairDistances';
  const o = resolveOptions(fn, PAIR_DISTANCE_DEFAULTS, options);
  checkInteger(fn, 'maxPairs', o.maxPairs, 1);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  if (!Array.isArray(embeddings)) throw invalidParameter(fn, 'embeddings', 'an array of vectors', embeddings);
  if (labels.length !== embeddings.length) {
    throw new FaceclusterError(fn, `labels must have one entry per embedding (${embeddings.length}), got ${labels.length}.`, 'labels');
  }
  const random = mulberry32(o.seed);
  const n = embeddings.length;
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) continue;
    const g = byLabel.get(labels[i]);
    if (g) g.push(i);
    else byLabel.set(labels[i], [i]);
  }
  // Same-person pairs: all of them, or a uniform sample by reservoir.
  const same: number[] = [];
  let seen = 0;
  for (const g of byLabel.values()) {
    for (let a = 0; a < g.length; a++) {
      for (let b = a + 1; b < g.length; b++) {
        seen++;
        if (same.length < o.maxPairs) same.push(distance(embeddings[g[a]], embeddings[g[b]], o.metric));
        else {
          const r = Math.floor(random() * seen);
          if (r < o.maxPairs) same[r] = distance(embeddings[g[a]], embeddings[g[b]], o.metric);
        }
      }
    }
  }
  // Different-person pairs: random draws, rejecting same-label and unlabelled pairs.
  const labelled: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] >= 0) labelled.push(i);
  const different: number[] = [];
  if (byLabel.size >= 2) {
    const attempts = o.maxPairs * 20;
    for (let t = 0; t < attempts && different.length < o.maxPairs; t++) {
      const i = labelled[Math.floor(random() * labelled.length)];
      const j = labelled[Math.floor(random() * labelled.length)];
      if (labels[i] === labels[j]) continue;
      different.push(distance(embeddings[i], embeddings[j], o.metric));
    }
  }
  return { same, different };
}
