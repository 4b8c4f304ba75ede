/** Toy data for the reducer tests: well-separated Gaussian blobs (seeded). */
import { gaussian, mulberry32 } from '../../lib/reduce/_random.ts';

export function blobs(nBlobs: number, perBlob: number, dim: number, spread: number, seed: number): { x: Float32Array[]; labels: number[] } {
  const g = gaussian(mulberry32(seed));
  const x: Float32Array[] = [];
  const labels: number[] = [];
  for (let b = 0; b < nBlobs; b++) {
    for (let i = 0; i < perBlob; i++) {
      const v = new Float32Array(dim);
      // centre b: 10 along axis b (centres are 10 * sqrt(2) apart), noise sd `spread`
      for (let j = 0; j < dim; j++) v[j] = (j === b ? 10 : 0) + spread * g();
      x.push(v);
      labels.push(b);
    }
  }
  return { x, labels };
}

/** Fraction of points whose k nearest map neighbours all share their label. */
export function knnPurity(points: number[][], labels: number[], k: number): number {
  let good = 0;
  for (let i = 0; i < points.length; i++) {
    const d = points.map((p, j) => [(p[0] - points[i][0]) ** 2 + (p[1] - points[i][1]) ** 2, j]).filter(([, j]) => j !== i);
    d.sort((a, b) => a[0] - b[0]);
    if (d.slice(0, k).every(([, j]) => labels[j] === labels[i])) good++;
  }
  return good / points.length;
}

/** Mean fraction of each point's k nearest neighbours in `high` kept among its k nearest in `low`. */
export function knnPreservation(high: ArrayLike<number>[], low: number[][], k: number): number {
  const nn = (rows: ArrayLike<number>[], i: number): Set<number> => {
    const d: [number, number][] = [];
    for (let j = 0; j < rows.length; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < rows[i].length; t++) s += (rows[i][t] - rows[j][t]) ** 2;
      d.push([s, j]);
    }
    d.sort((a, b) => a[0] - b[0]);
    return new Set(d.slice(0, k).map(([, j]) => j));
  };
  let total = 0;
  for (let i = 0; i < high.length; i++) {
    const a = nn(high, i);
    const b = nn(low, i);
    let c = 0;
    for (const j of a) if (b.has(j)) c++;
    total += c / k;
  }
  return total / high.length;
}
