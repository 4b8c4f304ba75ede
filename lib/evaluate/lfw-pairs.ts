/**
 * LFW's standard verification protocol ("View 2"): 6,000 fixed pairs in 10 folds of 300 same-person and 300
 * different-person pairs. For each fold, the distance threshold is chosen on the other 9 folds (the one that
 * classifies most of their pairs right) and the accuracy is measured on the held-out fold; the result is the
 * mean and standard deviation over the 10 folds (the number every face-recognition paper reports).
 *
 * A pair whose photo gave no face has no distance: it is left out of the threshold choice and counted as wrong
 * on its test fold (the strict convention; papers that re-detect with a fallback do not have such pairs).
 *
 * Huang, Ramesh, Berg, Learned-Miller, "Labeled Faces in the Wild: A Database for Studying Face Recognition in
 * Unconstrained Environments", UMass Amherst Technical Report 07-49, 2007.
 */
import { FaceclusterError } from '../errors.ts';

export interface LfwPair {
  /** Photo paths relative to the LFW root, `Name/Name_0001.jpg`. */
  a: string;
  b: string;
  same: boolean;
  /** 0-based fold. */
  fold: number;
}

const photo = (name: string, n: string) => `${name}/${name}_${n.padStart(4, '0')}.jpg`;

/** Parses `pairs.txt` (first line `folds perFold`, then per fold `perFold` same lines `name i j`, `perFold` different lines `n1 i n2 j`). */
export function parseLfwPairs(text: string): LfwPair[] {
  const fn = 'parseLfwPairs';
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0]?.trim().split(/\s+/).map(Number) ?? [];
  if (head.length !== 2 || !head.every((x) => Number.isInteger(x) && x > 0)) throw new FaceclusterError(fn, `the first line must be "<folds> <pairs per kind>", got ${JSON.stringify(lines[0])}.`, 'text');
  const [folds, per] = head;
  if (lines.length !== 1 + folds * 2 * per) throw new FaceclusterError(fn, `text must have ${1 + folds * 2 * per} lines for ${folds} folds of 2 x ${per} pairs, got ${lines.length}.`, 'text');
  const out: LfwPair[] = [];
  for (let f = 0; f < folds; f++) {
    for (let k = 0; k < 2 * per; k++) {
      const line = lines[1 + f * 2 * per + k];
      const t = line.trim().split(/\s+/);
      const same = k < per;
      if (same && t.length === 3) out.push({ a: photo(t[0], t[1]), b: photo(t[0], t[2]), same, fold: f });
      else if (!same && t.length === 4) out.push({ a: photo(t[0], t[1]), b: photo(t[2], t[3]), same, fold: f });
      else throw new FaceclusterError(fn, `line ${2 + f * 2 * per + k} must be a ${same ? 'same-person "name i j"' : 'different-person "name1 i name2 j"'} pair, got ${JSON.stringify(line)}.`, 'text');
    }
  }
  return out;
}

export interface TenFoldResult {
  /** Mean accuracy over the folds, in [0, 1]. */
  mean: number;
  /** Standard deviation of the fold accuracies (population, as the usual LFW scripts compute it). */
  std: number;
  /** Accuracy of each held-out fold. */
  folds: number[];
  /** Threshold chosen on the other folds, for each fold (a pair is "same" when distance <= threshold). */
  thresholds: number[];
  /** Pairs without a distance (a photo without a face), counted wrong. */
  missing: number;
}

/** The threshold that classifies most of `pairs` right (midway between neighbouring distances). */
function bestThreshold(d: readonly number[], same: readonly boolean[]): number {
  const idx = d.map((_, i) => i).sort((i, j) => d[i] - d[j]);
  let correct = same.filter((s) => !s).length; // threshold below every distance: all rejected
  let best = correct;
  let threshold = d.length > 0 ? d[idx[0]] - 1e-6 : 0;
  for (let k = 0; k < idx.length; k++) {
    correct += same[idx[k]] ? 1 : -1;
    if (k + 1 < idx.length && d[idx[k + 1]] === d[idx[k]]) continue;
    if (correct > best) {
      best = correct;
      threshold = k + 1 < idx.length ? (d[idx[k]] + d[idx[k + 1]]) / 2 : d[idx[k]];
    }
  }
  return threshold;
}

/**
 * 10-fold (or `folds`-fold) accuracy of `distance[i]` for `pairs[i]` (NaN = no face: wrong). See the module comment.
 */
export function lfwTenFold(pairs: readonly LfwPair[], distance: ArrayLike<number>): TenFoldResult {
  const fn = 'lfwTenFold';
  if (distance.length !== pairs.length) throw new FaceclusterError(fn, `distance must have one value per pair (${pairs.length}), got ${distance.length}.`, 'distance');
  const nFolds = pairs.reduce((m, p) => Math.max(m, p.fold + 1), 0);
  if (nFolds < 2) throw new FaceclusterError(fn, `pairs must span at least 2 folds, got ${nFolds}.`, 'pairs');
  const folds: number[] = [];
  const thresholds: number[] = [];
  let missing = 0;
  for (let i = 0; i < pairs.length; i++) if (!Number.isFinite(distance[i])) missing++;
  for (let f = 0; f < nFolds; f++) {
    const d: number[] = [];
    const s: boolean[] = [];
    pairs.forEach((p, i) => {
      if (p.fold !== f && Number.isFinite(distance[i])) {
        d.push(distance[i]);
        s.push(p.same);
      }
    });
    const t = bestThreshold(d, s);
    let right = 0, n = 0;
    pairs.forEach((p, i) => {
      if (p.fold !== f) return;
      n++;
      if (Number.isFinite(distance[i]) && (distance[i] <= t) === p.same) right++;
    });
    folds.push(right / n);
    thresholds.push(t);
  }
  const mean = folds.reduce((a, b) => a + b, 0) / nFolds;
  const std = Math.sqrt(folds.reduce((a, b) => a + (b - mean) ** 2, 0) / nFolds);
  return { mean, std, folds, thresholds, missing };
}
