/**
 * The questions worth a person's look, asked of the people as they stand (not of a fresh clustering): the pairs
 * of people closest to being one person, and the faces closest to belonging to another person. Each is a
 * "same person?" question; the answers are ordinary corrections (yes to a pair: {@link mergePeople}; yes to a
 * face: {@link moveFace} into its own person, which confirms it; no to a face: {@link splitPerson} of that one
 * face; no to a pair: {@link markDistinct}, after which the pair is not asked again). The measure is {@link leastCertain}'s (root mean squared distance between members, candidate pairs from
 * the k-nearest-neighbour graph), with person ids as the labels; faces already confirmed are not asked about.
 *
 * Complexity: as leastCertain, O(n^2 d) for the exact kNN graph (an inverted file above 50,000 faces).
 *
 * @example
 * const q = reviewQuestions(await openPeople('out/store'));
 * q.pairs[0]   // { a: 3, b: 17, distance: 0.52 }: are people 3 and 17 one person?
 * q.faces[0]   // { face: 'Ann/Ann_0004.jpg#0', person: 3, nearestPerson: 9, margin: 0.01 }
 */
import { leastCertain } from '../cluster/least-certain.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import { areDistinct } from './constraints.ts';
import type { StorePeople } from './people.ts';

export interface ReviewPair {
  /** Two people, a < b. */
  a: number;
  b: number;
  /** Root mean squared distance between the faces of a and those of b. */
  distance: number;
}

export interface ReviewFace {
  /** The face id. */
  face: string;
  /** The person it is in, and the nearest other person. */
  person: number;
  nearestPerson: number;
  /** Distance to the nearest other person minus the distance to its own: the smaller, the less certain. */
  margin: number;
}

export interface ReviewQuestions {
  /** Closest pairs of people first (pairs answered "not one person", `distinct`, left out). */
  pairs: ReviewPair[];
  /** Least certain faces first (faces confirmed by hand are left out). */
  faces: ReviewFace[];
}

export interface ReviewOptions {
  /** Pairs of people to return. @default 20 — as the report's "Decisions to check" */
  maxPairs: number;
  /** Faces to return. @default 20 */
  maxFaces: number;
}

export const REVIEW_DEFAULTS: Readonly<ReviewOptions> = Object.freeze({ maxPairs: 20, maxFaces: 20 });

/** The least certain decisions of the people of a store, as "same person?" questions. Pure. */
export function reviewQuestions(people: StorePeople, options?: Partial<ReviewOptions>): ReviewQuestions {
  const fn = 'reviewQuestions';
  const o = resolveOptions(fn, REVIEW_DEFAULTS, options);
  checkInteger(fn, 'maxPairs', o.maxPairs, 0);
  checkInteger(fn, 'maxFaces', o.maxFaces, 0);
  const { state, faces } = people;
  if (state.persons.length < 2 || faces.length < 3) return { pairs: [], faces: [] };
  const confirmed = state.status.map((s) => s === 'confirmed');
  const extra = confirmed.filter(Boolean).length;
  const answered = people.constraints.distinct.length;
  const r = leastCertain(faces.map((f) => f.embedding), state.personOf, { maxMerges: o.maxPairs + answered, maxFaces: o.maxFaces + extra });
  return {
    pairs: r.merges.filter((m) => !areDistinct(people.constraints, m.a, m.b)).slice(0, o.maxPairs).map((m) => ({ a: m.a, b: m.b, distance: m.distance })),
    faces: r.leavers
      .filter((l) => !confirmed[l.face])
      .slice(0, o.maxFaces)
      .map((l) => ({ face: state.faceIds[l.face], person: l.cluster, nearestPerson: l.nearestCluster, margin: l.margin })),
  };
}
