/** ROC AUC and a weighted logistic fit, for bench:quality. */
/** ROC AUC (Mann-Whitney, ties halved) of `score` for positives `y`. */
export function rocAuc(score: ArrayLike<number>, y: ArrayLike<boolean>): number {
  const idx = Array.from({ length: score.length }, (_, i) => i).filter((i) => Number.isFinite(score[i]));
  idx.sort((a, b) => score[a] - score[b]);
  let pos = 0, neg = 0, rankSum = 0;
  for (let k = 0; k < idx.length;) {
    let e = k;
    while (e + 1 < idx.length && score[idx[e + 1]] === score[idx[k]]) e++;
    const rank = (k + e) / 2 + 1;
    for (let t = k; t <= e; t++) if (y[idx[t]]) { pos++; rankSum += rank; } else neg++;
    k = e + 1;
  }
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** Fits the logistic model's coefficients (Newton / IRLS with a small ridge) on rows `x` (features) and `y`. */
export function fitLogistic(x: number[][], y: boolean[], weight: number[], ridge = 1e-3): number[] {
  const p = x[0].length + 1;
  const w = new Array<number>(p).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(p).fill(0);
    const h = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < x.length; i++) {
      const row = [1, ...x[i]];
      let z = 0;
      for (let k = 0; k < p; k++) z += w[k] * row[k];
      const q = 1 / (1 + Math.exp(-z));
      const r = weight[i] * ((y[i] ? 1 : 0) - q);
      for (let k = 0; k < p; k++) {
        g[k] += r * row[k];
        for (let l = 0; l < p; l++) h[k][l] += weight[i] * q * (1 - q) * row[k] * row[l];
      }
    }
    const total = weight.reduce((a, b) => a + b, 0);
    for (let k = 1; k < p; k++) { g[k] -= ridge * total * w[k]; h[k][k] += ridge * total; }
    const step = solve(h, g);
    let delta = 0;
    for (let k = 0; k < p; k++) { w[k] += step[k]; delta = Math.max(delta, Math.abs(step[k])); }
    if (delta < 1e-8) break;
  }
  return w;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((r, i) => (r[i] === 0 ? 0 : r[n] / r[i]));
}

