/**
 * Each person as three numbers and a vector: its face count, the sum of its faces' vectors and of their squared
 * norms, from which average linkage against a face is exact in O(d) (the mean squared distance is the squared
 * distance to the centroid plus the person's spread). Shared by the placement of new faces (assign.ts) and of poor
 * faces (poor-faces.ts). Private to lib/people.
 */

/** `v` scaled to unit length (a copy), for the cosine metric. */
export function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let t = 0; t < v.length; t++) s += v[t] * v[t];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return Float32Array.from(v, (x) => x * inv);
}

export interface PersonSums {
  /** Person id of each entry. */
  ids: number[];
  /** Entry of each person id. */
  index: Map<number, number>;
  sums: Float64Array[];
  sq: number[];
  count: number[];
}

/** The sums of the faces `faces` (indices) whose `personOf` is a person (>= 0), each read through `row`. */
export function personSums(faces: Iterable<number>, personOf: Int32Array, row: (i: number) => Float32Array, d: number): PersonSums {
  const out: PersonSums = { ids: [], index: new Map(), sums: [], sq: [], count: [] };
  for (const i of faces) {
    const p = personOf[i];
    if (p < 0) continue;
    let k = out.index.get(p);
    if (k === undefined) { k = out.ids.length; out.index.set(p, k); out.ids.push(p); out.sums.push(new Float64Array(d)); out.sq.push(0); out.count.push(0); }
    const v = row(i);
    const s = out.sums[k];
    let n2 = 0;
    for (let t = 0; t < d; t++) { s[t] += v[t]; n2 += v[t] * v[t]; }
    out.sq[k] += n2;
    out.count[k]++;
  }
  return out;
}
