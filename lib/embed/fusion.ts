/**
 * Fusion of embedders: each face's vectors from two or more embedders, each L2-normalised and weighted, are
 * concatenated and the result scaled to unit length. With weights w_k the cosine similarity of two fused
 * vectors is the weighted mean of the parts' similarities, sum(w_k² cos_k) / sum(w_k²), so the fused distance
 * ranks pairs by a blend of the embedders' opinions (score-level fusion by concatenation).
 *
 * Fusion works on vectors already computed (a store with several embedders, `encode --embedder a,b`), not on
 * chips: the parts were trained on different alignments (dlib 150 px, ArcFace 112 px, ...), so each needs its
 * own chip of the photo. Name a fusion `a+b` (equal weights) wherever an embedder of a store is chosen
 * (`cluster --embedder a+b`, `openStore(dir, { embedder: 'a+b' })`, `bench:verify --embedder a+b`).
 *
 * Kittler, Hatef, Duin, Matas, "On combining classifiers", IEEE TPAMI 20(3), 1998 (the sum rule).
 */
import { FaceclusterError } from '../errors.ts';
import type { Embedding } from '../types.ts';

/** Separator of a fusion name: `mobilefacenet512+faceres`. */
export const FUSION_SEPARATOR = '+';

/** The parts of a fusion name (`a+b` -> [a, b]); a plain name gives itself alone. */
export function fusionParts(name: string): string[] {
  return name.split(FUSION_SEPARATOR);
}

/**
 * `parts[k][i]` is face i's vector from embedder k; returns each face's fused unit vector (length: the sum
 * of the parts' dimensions). `weights` (one per part, > 0) default to 1 each.
 */
export function fuseEmbeddings(parts: readonly (readonly Embedding[])[], weights?: readonly number[]): Embedding[] {
  const fn = 'fuseEmbeddings';
  if (parts.length < 2) throw new FaceclusterError(fn, `parts must hold at least 2 embedders' vectors, got ${parts.length}.`, 'parts');
  const n = parts[0].length;
  for (const [k, p] of parts.entries()) {
    if (p.length !== n) throw new FaceclusterError(fn, `parts[${k}] must have ${n} vectors (one per face, as parts[0]), got ${p.length}.`, 'parts');
  }
  const w = weights ?? parts.map(() => 1);
  if (w.length !== parts.length || w.some((x) => !(Number.isFinite(x) && x > 0))) {
    throw new FaceclusterError(fn, `weights must be ${parts.length} finite numbers > 0, got ${JSON.stringify(w)}.`, 'weights');
  }
  const dims = parts.map((p) => (n > 0 ? p[0].length : 0));
  const total = dims.reduce((a, b) => a + b, 0);
  const scale = 1 / Math.sqrt(w.reduce((s, x) => s + x * x, 0));
  const out: Embedding[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(total);
    let at = 0;
    for (let k = 0; k < parts.length; k++) {
      const x = parts[k][i];
      if (x.length !== dims[k]) throw new FaceclusterError(fn, `parts[${k}][${i}] must have length ${dims[k]}, got ${x.length}.`, 'parts');
      let s = 0;
      for (let j = 0; j < x.length; j++) s += x[j] * x[j];
      const norm = Math.sqrt(s);
      if (!(norm > 0)) throw new FaceclusterError(fn, `parts[${k}][${i}] must not be the zero vector.`, 'parts');
      const f = (w[k] * scale) / norm;
      for (let j = 0; j < x.length; j++) v[at + j] = x[j] * f;
      at += x.length;
    }
    out.push(v);
  }
  return out;
}
