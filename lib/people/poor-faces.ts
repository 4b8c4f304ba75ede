/**
 * Faces too poor to recognise (quality below the bar, see `UPDATE_PEOPLE_DEFAULTS.minQuality`) never start a person:
 * they are left out of the clustering, and afterwards each joins a person only when it is close to that person's
 * good faces under the rule's own join test, the average linkage of `sameFaceRule` (root mean squared distance to
 * the person's good faces below the collection's threshold; 1 - mean cosine for cosine rules), the smallest
 * winning. The others are *unsorted*: kept in the store, in no person.
 *
 * Complexity: O(poor faces x people x d) after one pass over the placed good faces.
 */
import { allowedIn, type PeopleConstraints } from './constraints.ts';
import type { FaceStatus } from './assign.ts';
import type { Metric } from '../types.ts';

/**
 * Places `poor` faces (indices) into the people of the `good` placed faces (indices with `personOf[i] >= 0`);
 * sets `personOf` and `status` ('assigned' or 'unsorted'). Returns how many joined a person.
 */
export function placePoorFaces(
  poor: readonly number[], good: readonly number[], embeddings: readonly Float32Array[], faceIds: readonly string[], constraints: PeopleConstraints,
  metric: Metric, threshold: number, personOf: Int32Array, status: FaceStatus[],
): number {
  if (poor.length === 0) return 0;
  const cosine = metric === 'cosine';
  const d = embeddings[poor[0]].length;
  const row = (i: number) => {
    const v = embeddings[i];
    if (!cosine) return v;
    let s = 0;
    for (let t = 0; t < d; t++) s += v[t] * v[t];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    return Float32Array.from(v, (x) => x * inv);
  };
  // Each person: count, sum of its good faces and of their squared norms.
  const ids: number[] = [];
  const index = new Map<number, number>();
  const sums: Float64Array[] = [];
  const sq: number[] = [];
  const count: number[] = [];
  for (const i of good) {
    const p = personOf[i];
    if (p < 0) continue;
    let k = index.get(p);
    if (k === undefined) { k = ids.length; index.set(p, k); ids.push(p); sums.push(new Float64Array(d)); sq.push(0); count.push(0); }
    const v = row(i);
    const s = sums[k];
    let n2 = 0;
    for (let t = 0; t < d; t++) { s[t] += v[t]; n2 += v[t] * v[t]; }
    sq[k] += n2;
    count[k]++;
  }
  let joined = 0;
  for (const i of poor) {
    const q = row(i);
    let q2 = 0;
    for (let t = 0; t < d; t++) q2 += q[t] * q[t];
    let best = -1;
    let bestLink = threshold;
    for (let k = 0; k < ids.length; k++) {
      let dot = 0;
      const s = sums[k];
      for (let t = 0; t < d; t++) dot += q[t] * s[t];
      // mean over the person's faces f of |q - f|² = |q|² - 2 q.mean + mean |f|²; cosine: 1 - q.mean
      const link = cosine ? 1 - dot / count[k] : Math.sqrt(Math.max(0, q2 - (2 * dot) / count[k] + sq[k] / count[k]));
      if (link < bestLink && allowedIn(constraints, faceIds[i], ids[k])) { best = k; bestLink = link; }
    }
    if (best < 0) {
      personOf[i] = -1;
      status[i] = 'unsorted';
      continue;
    }
    personOf[i] = ids[best];
    status[i] = 'assigned';
    joined++;
  }
  return joined;
}

/**
 * A clustering of the good faces only (`facecluster cluster --min-quality`): `cluster` runs on the faces whose
 * quality is at least `minQuality` (NaN: no score, counts as good); the poor ones get label -1 and are listed in
 * `unsorted` (indices), so that they never make a cluster of their own.
 */
export function clusterGoodFaces<R extends { labels: Int32Array; nClusters: number; warnings: string[] }>(
  x: readonly Float32Array[], quality: Float32Array | null, minQuality: number, cluster: (x: Float32Array[]) => R,
): { result: R; unsorted: number[] } {
  if (quality === null || minQuality <= 0) return { result: cluster([...x]), unsorted: [] };
  const good: number[] = [];
  const unsorted: number[] = [];
  x.forEach((_, i) => (quality[i] < minQuality ? unsorted : good).push(i));
  const inner = cluster(good.map((i) => x[i]));
  const labels = new Int32Array(x.length).fill(-1);
  good.forEach((i, k) => (labels[i] = inner.labels[k]));
  return { result: { ...inner, labels }, unsorted };
}
