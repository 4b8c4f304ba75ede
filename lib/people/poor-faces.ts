/**
 * Faces too poor to recognise (quality below the bar, see `UPDATE_PEOPLE_DEFAULTS.minQuality`) never make a person
 * (assign.ts: a person needs `minFaces` good faces). A poor face left in no person joins one afterwards only when it
 * is clearly close to that person's good faces: the rule's own join test, the average linkage of `sameFaceRule` (root
 * mean squared distance to the person's good faces), below `poorJoinFactor` times the collection's threshold (1 -
 * mean cosine for cosine rules), the smallest winning ({@link placePoorFaces}). The others are *unsorted*: kept in
 * the store, in no person.
 *
 * Complexity: O(poor faces x people x d) after one pass over the placed good faces.
 */
import { personSums, unit } from './_person-sums.ts';
import { allowedIn, type PeopleConstraints } from './constraints.ts';
import type { FaceStatus, PersonRecord } from './assign.ts';
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
  const row = (i: number) => (cosine ? unit(embeddings[i]) : embeddings[i]);
  // Each person: count, sum of its good faces and of their squared norms.
  const { ids, sums, sq, count } = personSums(good, personOf, row, d);
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
 * After the rule placed every face: the people, with faces too poor to recognise (`poor[i]` 1) settled.
 * 1. An unnamed person with fewer than `minFaces` good faces (faces placed by hand count as good; the bar was raised
 *    since it was made) is dissolved: its poor faces are unsorted, its good faces unassigned (confirmed faces stay).
 *    A named one keeps its good faces.
 * 2. A person whose good faces are fewer than `minGoodShare` of its faces loses its poor faces (not those placed by
 *    hand): a crowd of poor faces the clustering joined to a few good ones.
 * 3. Every poor face in no person then joins the person whose good faces it is clearly close to
 *    ({@link placePoorFaces} at `joinDistance`), or is unsorted.
 * Sets `personOf` and `status`; returns how many poor faces joined in step 3.
 */
export function settlePoorFaces(
  poor: Uint8Array, active: readonly number[], embeddings: readonly Float32Array[], faceIds: readonly string[], constraints: PeopleConstraints,
  persons: ReadonlyMap<number, PersonRecord>, personOf: Int32Array, status: FaceStatus[],
  o: { minFaces: number; minGoodShare: number; metric: Metric; joinDistance: number },
): number {
  const isGood = (i: number) => !poor[i] || status[i] === 'confirmed';
  const members = new Map<number, number[]>();
  for (const i of active) if (personOf[i] >= 0) (members.get(personOf[i]) ?? members.set(personOf[i], []).get(personOf[i])!).push(i);
  for (const [p, m] of members) {
    const good = m.filter(isGood).length;
    if (good === m.length) continue;
    const dissolve = good < o.minFaces;
    if (!dissolve && good >= o.minGoodShare * m.length) continue;
    const named = persons.get(p)?.name != null;
    for (const i of m) {
      if (status[i] === 'confirmed' || (!poor[i] && (!dissolve || named))) continue;
      personOf[i] = -1;
      status[i] = poor[i] ? 'unsorted' : 'unassigned';
    }
  }
  const left = active.filter((i) => personOf[i] < 0 && poor[i]);
  const good = active.filter((i) => personOf[i] >= 0 && isGood(i));
  return placePoorFaces(left, good, embeddings, faceIds, constraints, o.metric, o.joinDistance, personOf, status);
}

/**
 * A clustering in which faces too poor to recognise make no cluster (`facecluster cluster --min-quality`), by the
 * rules of {@link settlePoorFaces} steps 1 and 2: `cluster` runs on every face; in a cluster with fewer than
 * `minGood` faces of quality at least `minQuality` (NaN: no score, counts as good), or whose good faces are fewer
 * than `minGoodShare` of its faces, the poor faces get label -1 and are listed in `unsorted` (indices). Clusters are
 * not renumbered.
 */
export function clusterGoodFaces<R extends { labels: Int32Array; nClusters: number; warnings: string[] }>(
  x: readonly Float32Array[], quality: Float32Array | null, minQuality: number, cluster: (x: Float32Array[], steering: boolean[] | null) => R,
  options: { minGood: number; minGoodShare: number },
): { result: R; unsorted: number[] } {
  // poor faces do not steer a clustering that chooses its own cut (auto): they would lift it for everyone
  const steering = quality === null || minQuality <= 0 ? null : Array.from(quality, (q) => !(q < minQuality));
  const result = cluster([...x], steering);
  if (quality === null || minQuality <= 0) return { result, unsorted: [] };
  const poor = (i: number) => quality[i] < minQuality;
  const good = new Map<number, number>();
  const size = new Map<number, number>();
  result.labels.forEach((c, i) => {
    if (c < 0) return;
    size.set(c, (size.get(c) ?? 0) + 1);
    if (!poor(i)) good.set(c, (good.get(c) ?? 0) + 1);
  });
  const keepsPoor = (c: number) => c >= 0 && (good.get(c) ?? 0) >= options.minGood && (good.get(c) ?? 0) >= options.minGoodShare * size.get(c)!;
  const labels = Int32Array.from(result.labels);
  const unsorted: number[] = [];
  labels.forEach((c, i) => {
    if (poor(i) && !keepsPoor(c)) { labels[i] = -1; unsorted.push(i); }
  });
  return { result: { ...result, labels }, unsorted };
}
