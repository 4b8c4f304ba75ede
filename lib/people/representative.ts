/**
 * The face that stands for a person on a card (the People page, a review question): the face nearest the mean
 * of the person's faces (the medoid's cheap stand-in: one pass, O(n d)), so a stranger in a person or a poor
 * detection is never its face. Faces confirmed by hand are preferred when the person has any: a person's own
 * choice beats the mean.
 *
 * @example
 * const rep = representativeFaces(await openPeople('out/store'));
 * rep.get(3)   // 'Ann/Ann_0002.jpg#0'
 */
import type { StorePeople } from './people.ts';

/** Person id -> the face id that represents it (people with no face are absent). Pure. */
export function representativeFaces(people: StorePeople): Map<number, string> {
  const { state, faces } = people;
  const n = state.faceIds.length;
  const d = n > 0 ? faces[0].embedding.length : 0;
  const hasConfirmed = new Set<number>();
  for (let i = 0; i < n; i++) if (state.personOf[i] >= 0 && state.status[i] === 'confirmed') hasConfirmed.add(state.personOf[i]);
  const counts = (i: number) => state.personOf[i] >= 0 && (!hasConfirmed.has(state.personOf[i]) || state.status[i] === 'confirmed');
  const sums = new Map<number, Float64Array>();
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!counts(i)) continue;
    const p = state.personOf[i];
    let s = sums.get(p);
    if (!s) sums.set(p, (s = new Float64Array(d)));
    sizes.set(p, (sizes.get(p) ?? 0) + 1);
    const e = faces[i].embedding;
    for (let t = 0; t < d; t++) s[t] += e[t];
  }
  // |e - sum/m|^2 = |e|^2 - 2 e.sum/m + const: the smallest |e|^2 - 2 e.sum/m is nearest the mean.
  const best = new Map<number, { face: string; score: number }>();
  for (let i = 0; i < n; i++) {
    if (!counts(i)) continue;
    const p = state.personOf[i];
    const s = sums.get(p)!;
    const e = faces[i].embedding;
    let dot = 0, q = 0;
    for (let t = 0; t < d; t++) { dot += e[t] * s[t]; q += e[t] * e[t]; }
    const score = q - (2 * dot) / sizes.get(p)!;
    const cur = best.get(p);
    if (!cur || score < cur.score || (score === cur.score && state.faceIds[i] < cur.face)) best.set(p, { face: state.faceIds[i], score });
  }
  return new Map([...best].map(([p, b]) => [p, b.face]));
}
