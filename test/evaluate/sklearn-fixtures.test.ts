// Our metrics against scikit-learn 1.2.1 (NMI, ARI, homogeneity/completeness/V-measure) and against a brute-force
// Python implementation of pairwise and BCubed scores, on the committed fixtures of
// test/fixtures/make-metric-fixtures.py (toy labels, random and structured, with noise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adjustedRandIndex, bcubedScores, evaluateClustering, normalizedMutualInfo, pairwiseScores, vMeasureScores } from '../../lib/index.ts';

interface Case {
  name: string; pred: number[]; truth: number[];
  nmi: number; ari: number; homogeneity: number; completeness: number; v_measure: number;
  pairwise: [number, number, number]; bcubed: [number, number, number];
}
const load = (name: string): Case[] => JSON.parse(readFileSync(new URL(`../fixtures/metrics/${name}.json`, import.meta.url), 'utf8')).cases;
const TOL = 1e-9;

for (const file of ['structured', 'random']) {
  const cases = load(file);
  test(`${file} fixtures: ${cases.length} cases, every metric matches the reference to 1e-9`, () => {
    assert.ok(cases.length >= 10);
    for (const c of cases) {
      const m = evaluateClustering(c.pred, c.truth);
      const v = vMeasureScores(c.pred, c.truth);
      const pw = pairwiseScores(c.pred, c.truth);
      const b3 = bcubedScores(c.pred, c.truth);
      const checks: [string, number, number][] = [
        ['nmi', normalizedMutualInfo(c.pred, c.truth), c.nmi], ['nmi (all)', m.nmi, c.nmi],
        ['ari', adjustedRandIndex(c.pred, c.truth), c.ari], ['ari (all)', m.ari, c.ari],
        ['homogeneity', v.homogeneity, c.homogeneity], ['homogeneity (all)', m.homogeneity, c.homogeneity],
        ['completeness', v.completeness, c.completeness], ['completeness (all)', m.completeness, c.completeness],
        ['vMeasure', v.vMeasure, c.v_measure], ['vMeasure (all)', m.vMeasure, c.v_measure],
        ['pairwise precision', pw.precision, c.pairwise[0]], ['pairwise recall', pw.recall, c.pairwise[1]], ['pairwise f1', pw.f1, c.pairwise[2]],
        ['pairwise f1 (all)', m.pairwiseF1, c.pairwise[2]],
        ['bcubed precision', b3.precision, c.bcubed[0]], ['bcubed recall', b3.recall, c.bcubed[1]], ['bcubed f1', b3.f1, c.bcubed[2]],
        ['bcubed f1 (all)', m.bcubedF1, c.bcubed[2]],
      ];
      for (const [what, got, want] of checks) {
        assert.ok(Math.abs(got - want) <= TOL, `${c.name}: ${what} = ${got}, reference ${want}`);
      }
    }
  });
}

test('fixtures cover noise, the n = 0 and n = 1 cases and negative ARI', () => {
  const cases = [...load('structured'), ...load('random')];
  assert.ok(cases.some((c) => c.pred.length === 0));
  assert.ok(cases.some((c) => c.pred.length === 1));
  assert.ok(cases.filter((c) => c.pred.includes(-1)).length >= 5);
  assert.ok(cases.some((c) => c.ari < 0));
});
