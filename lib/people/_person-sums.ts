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

/** Each person's centroid and spread, as placing new faces by average linkage needs them (see personCentroids). */
export interface PersonCentroids {
  /** Person id of each entry (in the order the faces first name them). */
  ids: number[];
  /** Entry of each person id. */
  index: Map<number, number>;
  /** Mean of the person's faces (float32, from float64 sums). */
  centroids: Float32Array[];
  /** Mean squared norm of the faces minus the centroid's squared norm (>= 0): the mean squared distance to a face q is `|q - c|^2 + spread`. */
  spread: Float64Array;
  count: Int32Array;
}

/**
 * The centroid and spread of every person of the faces `faces` (indices; a face whose `personOf` is below 0 counts for
 * no one), each read through `row`: the numbers `personSums` gives (the same float64 sums, in the same order), summed
 * one person at a time into one buffer instead of a float64 vector per person (at a million faces of 139,000 people:
 * 570 MB less, and the sums stay in cache). O(faces d).
 */
export function personCentroids(faces: readonly number[], personOf: Int32Array, row: (i: number) => Float32Array, d: number): PersonCentroids {
  const index = new Map<number, number>();
  const ids: number[] = [];
  const entryOf = new Int32Array(faces.length);
  faces.forEach((i, f) => {
    const p = personOf[i];
    if (p < 0) { entryOf[f] = -1; return; }
    let k = index.get(p);
    if (k === undefined) { k = ids.length; index.set(p, k); ids.push(p); }
    entryOf[f] = k;
  });
  const m = ids.length;
  // the faces of each entry, in the order of `faces` (a stable counting sort)
  const start = new Int32Array(m + 1);
  for (const k of entryOf) if (k >= 0) start[k + 1]++;
  for (let k = 0; k < m; k++) start[k + 1] += start[k];
  const order = new Int32Array(start[m]);
  const next = start.slice(0, m);
  faces.forEach((i, f) => { if (entryOf[f] >= 0) order[next[entryOf[f]]++] = i; });
  const sum = new Float64Array(d);
  const centroids: Float32Array[] = new Array(m);
  const spread = new Float64Array(m);
  const count = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    sum.fill(0);
    let sq = 0;
    for (let e = start[k]; e < start[k + 1]; e++) {
      const v = row(order[e]);
      let n2 = 0;
      for (let t = 0; t < d; t++) { sum[t] += v[t]; n2 += v[t] * v[t]; }
      sq += n2;
    }
    const n = start[k + 1] - start[k];
    const c = new Float32Array(d);
    let c2 = 0;
    for (let t = 0; t < d; t++) { c[t] = sum[t] / n; c2 += c[t] * c[t]; }
    centroids[k] = c;
    spread[k] = Math.max(0, sq / n - c2);
    count[k] = n;
  }
  return { ids, index, centroids, spread, count };
}
