// Metric properties, run from a registry: each metric declares which properties hold for it, and every property
// is checked on many seeded random labellings (with noise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adjustedRandIndex, bcubedScores, evaluateClustering, majorityPurity, normalizedMutualInfo, pairwiseScores, singletonShare, vMeasureScores,
} from '../../lib/index.ts';
import type { Labels } from '../../lib/index.ts';

type L = number[];
interface MetricSpec {
  name: string;
  f: (pred: Labels, truth: Labels) => number;
  /** f(a, b) == f(b, a) (noise-free labellings). */
  symmetric: boolean;
  /** The metric whose value f(a, b) equals at f(b, a) (precision <-> recall), when not symmetric. */
  mirror?: string;
  lo: number;
  hi: number;
  /** f(truth, truth) == 1 for any truth (where the metric is defined). */
  perfectIsOne: boolean;
}

const METRICS: MetricSpec[] = [
  { name: 'pairwisePrecision', f: (p, t) => pairwiseScores(p, t).precision, symmetric: false, mirror: 'pairwiseRecall', lo: 0, hi: 1, perfectIsOne: true },
  { name: 'pairwiseRecall', f: (p, t) => pairwiseScores(p, t).recall, symmetric: false, mirror: 'pairwisePrecision', lo: 0, hi: 1, perfectIsOne: true },
  { name: 'pairwiseF1', f: (p, t) => pairwiseScores(p, t).f1, symmetric: true, lo: 0, hi: 1, perfectIsOne: true },
  { name: 'bcubedPrecision', f: (p, t) => bcubedScores(p, t).precision, symmetric: false, mirror: 'bcubedRecall', lo: 0, hi: 1, perfectIsOne: true },
  { name: 'bcubedRecall', f: (p, t) => bcubedScores(p, t).recall, symmetric: false, mirror: 'bcubedPrecision', lo: 0, hi: 1, perfectIsOne: true },
  { name: 'bcubedF1', f: (p, t) => bcubedScores(p, t).f1, symmetric: true, lo: 0, hi: 1, perfectIsOne: true },
  { name: 'nmi', f: normalizedMutualInfo, symmetric: true, lo: 0, hi: 1, perfectIsOne: true },
  { name: 'ari', f: adjustedRandIndex, symmetric: true, lo: -1, hi: 1, perfectIsOne: true },
  { name: 'homogeneity', f: (p, t) => vMeasureScores(p, t).homogeneity, symmetric: false, mirror: 'completeness', lo: 0, hi: 1, perfectIsOne: true },
  { name: 'completeness', f: (p, t) => vMeasureScores(p, t).completeness, symmetric: false, mirror: 'homogeneity', lo: 0, hi: 1, perfectIsOne: true },
  { name: 'vMeasure', f: (p, t) => vMeasureScores(p, t).vMeasure, symmetric: true, lo: 0, hi: 1, perfectIsOne: true },
  { name: 'singletonShare', f: singletonShare, symmetric: false, lo: 0, hi: 1, perfectIsOne: true },
  { name: 'majorityPurity', f: majorityPurity, symmetric: false, lo: 0, hi: 1, perfectIsOne: true },
];
const byName = new Map(METRICS.map((m) => [m.name, m]));

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomLabels(r: () => number, n: number, k: number, noise = 0): L {
  return Array.from({ length: n }, () => (r() < noise ? -1 : Math.floor(r() * k)));
}
/** 60 seeded (pred, truth) pairs of sizes 1..80; truth noise-free, pred with noise in half of them. */
function samples(): [L, L][] {
  const r = rng(1985);
  const out: [L, L][] = [];
  for (let s = 0; s < 60; s++) {
    const n = 1 + Math.floor(r() * 80);
    out.push([randomLabels(r, n, 1 + Math.floor(r() * 12), s % 2 ? 0.2 : 0), randomLabels(r, n, 1 + Math.floor(r() * 12))]);
  }
  return out;
}
const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12;

for (const m of METRICS) {
  test(`${m.name}: bounds [${m.lo}, ${m.hi}]`, () => {
    for (const [p, t] of samples()) {
      const v = m.f(p, t);
      if (Number.isNaN(v) && (m.name === 'singletonShare' || m.name === 'majorityPurity')) continue; // documented NaN
      assert.ok(v >= m.lo - 1e-12 && v <= m.hi + 1e-12, `${m.name} = ${v}`);
    }
  });

  test(`${m.name}: invariant to renumbering the clusters and to reordering the points`, () => {
    const r = rng(7);
    for (const [p, t] of samples()) {
      const base = m.f(p, t);
      // Renumber: cluster c -> 1000 - 3c (noise stays -1); identities -> strings.
      const renumbered = m.f(p.map((c) => (c === -1 ? -1 : 1000 - 3 * c)), t.map((c) => `id${c}`));
      assert.ok(same(base, renumbered), `${m.name}: ${base} vs renumbered ${renumbered}`);
      const order = p.map((_, i) => i).sort(() => r() - 0.5);
      const shuffled = m.f(order.map((i) => p[i]), order.map((i) => t[i]));
      assert.ok(Math.abs(base - shuffled) <= 1e-9 || same(base, shuffled), `${m.name}: ${base} vs shuffled ${shuffled}`);
    }
  });

  if (m.perfectIsOne) {
    test(`${m.name}: a perfect clustering scores 1`, () => {
      for (const [, t] of samples()) {
        const v = m.f(t, t);
        if (Number.isNaN(v) && (m.name === 'singletonShare' || m.name === 'majorityPurity')) continue;
        assert.ok(Math.abs(v - 1) <= 1e-12, `${m.name}(t, t) = ${v} for ${JSON.stringify(t)}`);
      }
    });
  }

  if (m.symmetric || m.mirror) {
    test(`${m.name}: ${m.symmetric ? 'symmetric' : `swapping prediction and truth gives ${m.mirror}`}`, () => {
      const other = m.symmetric ? m : byName.get(m.mirror!)!;
      // Noise-free pairs: -1 means "own cluster" on both sides anyway, but keep the check plain.
      for (const [p, t] of samples().filter(([p]) => !p.includes(-1))) {
        assert.ok(Math.abs(m.f(p, t) - other.f(t, p)) <= 1e-12, `${m.name}(p, t) = ${m.f(p, t)}, ${other.name}(t, p) = ${other.f(t, p)}`);
      }
    });
  }
}

test('evaluateClustering returns the same values as the single metrics', () => {
  for (const [p, t] of samples()) {
    const all = evaluateClustering(p, t) as unknown as Record<string, number>;
    for (const m of METRICS) assert.ok(same(all[m.name], m.f(p, t)), `${m.name}: ${all[m.name]} vs ${m.f(p, t)}`);
  }
});

test('evaluateClustering handles a million points (O(n) memory, sorted once)', () => {
  const r = rng(3);
  const n = 1_000_000;
  const truth = new Int32Array(n);
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    truth[i] = Math.floor(r() * 50_000);
    pred[i] = r() < 0.9 ? truth[i] : r() < 0.5 ? -1 : Math.floor(r() * 50_000);
  }
  const m = evaluateClustering(pred, truth);
  assert.equal(m.n, n);
  assert.ok(m.nNoise > 40_000 && m.nNoise < 60_000);
  // 90% of points keep their identity: BCubed precision stays high, NMI too.
  assert.ok(m.bcubedPrecision > 0.8 && m.nmi > 0.9, JSON.stringify(m));
});
