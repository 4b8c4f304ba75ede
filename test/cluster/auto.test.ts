/**
 * The adaptive default (clusterAuto) and its parts: the distance mixture, the expected scores, the sparse
 * mean-linkage tree. Toy cases worked by hand, invariances that a fixed threshold would fail, and real LFW data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { clusterAuto, explainAuto, TOP_PROBABILITY } from '../../lib/cluster/auto.ts';
import { componentDensities, fitDistanceMixture, fitMixtureToDistances, modeDistance, sameProbability, sameProbabilityFunction } from '../../lib/cluster/distance-mixture.ts';
import { embedderMixtureOptions } from '../../lib/embed/registry.ts';
import { expectedScores, pairProbabilities } from '../../lib/cluster/expected-scores.ts';
import { meanLinkageTree } from '../../lib/cluster/_mean-linkage.ts';
import { leastCertain } from '../../lib/cluster/least-certain.ts';
import { cutTree } from '../../lib/cluster/agglomerative.ts';
import { chineseWhispers } from '../../lib/cluster/chinese-whispers.ts';
import { toMatrix } from '../../lib/cluster/_input.ts';
import { knnExact } from '../../lib/cluster/_knn.ts';
import { evaluateClustering } from '../../lib/evaluate/evaluate.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import { assertSamePartition, blobs, rows } from './_helpers.ts';

/** A deterministic normal sampler. */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  return () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

/** `people` identities in `dim` dimensions, `per` photos each: centres ~1 apart, photos `spread` around them. */
function identities(people: number, per: number, dim: number, spread: number, seed: number): { x: Float32Array[]; truth: Int32Array } {
  const normal = normals(seed);
  const x: Float32Array[] = [];
  const truth: number[] = [];
  for (let p = 0; p < people; p++) {
    const c = Float32Array.from({ length: dim }, () => normal() / Math.sqrt(2));
    for (let i = 0; i < per; i++) { x.push(Float32Array.from(c, (v) => v + (spread * normal()) / Math.sqrt(dim))); truth.push(p); }
  }
  return { x, truth: Int32Array.from(truth) };
}

/** `count` draws from N(mean, sd) for each part, in order, from one seeded sampler. */
function twoModes(seed: number, ...parts: [count: number, mean: number, sd: number][]): Float64Array {
  const normal = normals(seed);
  return Float64Array.from(parts.flatMap(([count, mean, sd]) => Array.from({ length: count }, () => mean + sd * normal())));
}

test('fitMixtureToDistances: a two-mode sample gets its cut in the valley, near the hand-computed crossing', () => {
  // 2,000 pairs at N(0.4, 0.05) and 20,000 at N(0.9, 0.07): the posterior crosses 0.5 where
  // 0.0909 N(d; 0.4, 0.05) = 0.9091 N(d; 0.9, 0.07); solving the quadratic (bisection in python) gives d = 0.5944.
  const d = twoModes(3, [2_000, 0.4, 0.05], [20_000, 0.9, 0.07]);
  const m = fitMixtureToDistances(d, true, 400, 2, 'distance');
  assert.ok(Math.abs(m.samePrior - 2_000 / 22_000) < 0.01, `prior ${m.samePrior}`);
  assert.ok(Math.abs(m.same.mean - 0.4) < 0.01 && Math.abs(m.different.mean - 0.9) < 0.01, JSON.stringify(m));
  assert.ok(Math.abs(m.crossing - 0.5944) < 0.01, `crossing ${m.crossing}`);
  // the cut is in the valley: the histogram is lower there than at either mode
  const bin = (x: number) => m.histogram.counts[Math.floor(x / (m.histogram.edges[1] - m.histogram.edges[0]))];
  assert.ok(bin(m.crossing) < bin(0.4) / 10 && bin(m.crossing) < bin(0.9) / 10);
  // the posterior is one person on the near side, two on the far side
  assert.ok(sameProbability(m, 0.45) > 0.99 && sameProbability(m, 0.8) < 0.01);
});

test('fitMixtureToDistances: more same-person pairs (fewer, larger people) move the crossing outwards', () => {
  const normal = normals(5);
  const sample = (sameShare: number) => {
    const d = new Float64Array(20_000);
    for (let i = 0; i < d.length; i++) d[i] = i < sameShare * d.length ? 0.4 + 0.06 * normal() : 0.85 + 0.08 * normal();
    return fitMixtureToDistances(d, true, 400, 2, 'distance').crossing;
  };
  const crowded = sample(0.003); // all of LFW: 0.3% of pairs are one person
  const family = sample(0.07); // 15 people with 100 photos each
  assert.ok(family > crowded + 0.03, `crossings ${crowded} (crowded) vs ${family} (few people)`);
});

test('fitMixtureToDistances: a same-person mode twice as wide as the other (an ArcFace-style embedder) is kept by the cap 2, cut short by 1', () => {
  // 3,000 pairs at N(0.9, 0.14) and 27,000 at N(1.4, 0.07), as mobilefacenet512 on a set of few people
  const d = twoModes(11, [3_000, 0.9, 0.14], [27_000, 1.4, 0.07]);
  const wide = fitMixtureToDistances(d, true, 400, 2, 'distance');
  assert.ok(Math.abs(wide.same.sd - 0.14) < 0.015 && Math.abs(wide.same.mean - 0.9) < 0.02, JSON.stringify(wide.same));
  assert.ok(Math.abs(wide.samePrior - 0.1) < 0.01, `prior ${wide.samePrior}`);
  const tight = fitMixtureToDistances(d, true, 400, 1, 'distance');
  assert.ok(Math.abs(tight.same.sd - tight.different.sd) < 1e-12, 'capped at the different-person spread');
  // a same-person pair at 1.15 (the true posterior: 0.1 N(1.15; 0.9, 0.14) against 0.9 N(1.15; 1.4, 0.07) gives 0.87)
  assert.ok(sameProbability(wide, 1.15) > 0.8, `wide ${sameProbability(wide, 1.15)}`);
  assert.ok(sameProbability(tight, 1.15) < sameProbability(wide, 1.15) - 0.2, `tight ${sameProbability(tight, 1.15)}`);
  assert.ok(wide.crossing > tight.crossing, `crossings ${wide.crossing} (cap 2) vs ${tight.crossing} (cap 1)`);
});

test("fitMixtureToDistances 'squared': modes normal in the cosine (unit vectors) are found in d^2, with the hand-computed crossing", () => {
  // unit-vector pairs: cosine N(0.6, 0.1) for 10% (one person), N(0, 0.1) for the rest, so d^2 = 2 - 2 cos is
  // N(0.8, 0.2) and N(2, 0.2). Equal spreads: the posterior is 0.5 where 0.1 N(x; 0.8, 0.2) = 0.9 N(x; 2, 0.2),
  // x = (0.8 + 2) / 2 - 0.2^2 ln(0.9 / 0.1) / (2 - 0.8) = 1.32676, i.e. at the distance sqrt(1.32676) = 1.15185.
  const normal = normals(17);
  const d = new Float64Array(30_000);
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(Math.max(0, 2 - 2 * (i < 3_000 ? 0.6 + 0.1 * normal() : 0.1 * normal())));
  const sq = fitMixtureToDistances(d, true, 400, 2, 'squared');
  assert.equal(sq.space, 'squared');
  assert.ok(Math.abs(sq.same.mean - 0.8) < 0.02 && Math.abs(sq.different.mean - 2) < 0.02, JSON.stringify([sq.same, sq.different]));
  assert.ok(Math.abs(sq.same.sd - 0.2) < 0.02 && Math.abs(sq.different.sd - 0.2) < 0.02, JSON.stringify([sq.same, sq.different]));
  assert.ok(Math.abs(sq.crossing - 1.15185) < 0.01, `crossing ${sq.crossing}`);
  assert.ok(Math.abs(sameProbability(sq, 1.15185) - 0.5) < 0.05);
  assert.ok(Math.abs(modeDistance(sq, sq.same) - Math.sqrt(0.8)) < 0.015);
  // the display histogram is of distances, and the component densities (per unit distance) integrate to 1 over it
  const top = sq.histogram.edges[sq.histogram.edges.length - 1];
  assert.ok(top > 1.6 && top < 2.1, `histogram up to ${top}`);
  let mass = 0;
  for (let t = 0; t < 4000; t++) { const x = ((t + 0.5) * 2.2) / 4000; const c = componentDensities(sq, x); mass += ((c.same + c.different) * 2.2) / 4000; }
  assert.ok(Math.abs(mass - 1) < 0.01, `mass ${mass}`);
  // the same pairs fitted as normal in d: the near tail of the different-person distances is heavier than a
  // normal's there (d = sqrt(2 - 2 cos) bends it), so the fit in d puts the crossing elsewhere
  const lin = fitMixtureToDistances(d, true, 400, 2, 'distance');
  assert.ok(Math.abs(lin.crossing - 1.15185) > Math.abs(sq.crossing - 1.15185), `distance fit crossing ${lin.crossing}`);
});

test('fitMixtureToDistances differentDf: a Student-t stranger mode is recovered, and its near tail is not taken for one person', () => {
  // 2,000 pairs N(0.5, 0.08) (one person) and 38,000 strangers t_5 at 1.2 with scale 0.08 (a t_5 variate is
  // z / sqrt(chi2_5 / 5)): their near tail is far heavier than a normal's, P(t_5 < -4) = 5.2e-3 against 3.2e-5.
  // At d = 0.88 (4 scales below the strangers) the true posterior is 2000 N(0.88; 0.5, 0.08) / (that + 38000
  // t_5(-4) / 0.08) = 5.2e-5 (scipy): a stranger.
  const normal = normals(23);
  const d = new Float64Array(40_000);
  for (let i = 0; i < d.length; i++) {
    if (i < 2_000) { d[i] = 0.5 + 0.08 * normal(); continue; }
    let chi2 = 0;
    for (let k = 0; k < 5; k++) chi2 += normal() ** 2;
    d[i] = 1.2 + (0.08 * normal()) / Math.sqrt(chi2 / 5);
  }
  const t = fitMixtureToDistances(d, true, 400, 2, 'distance', null, 5);
  assert.equal(t.differentDf, 5);
  assert.ok(Math.abs(t.different.mean - 1.2) < 0.01 && Math.abs(t.different.sd - 0.08) < 0.01, JSON.stringify(t.different));
  assert.ok(Math.abs(t.samePrior - 0.05) < 0.01 && Math.abs(t.same.mean - 0.5) < 0.01, JSON.stringify([t.samePrior, t.same]));
  const n = fitMixtureToDistances(d, true, 400, 2, 'distance');
  // the normal fit widens the stranger mode to cover its tails and moves the crossing outwards, into the tail
  assert.ok(sameProbability(t, 0.88) < 0.05, `t: ${sameProbability(t, 0.88)}`);
  assert.ok(t.crossing < n.crossing, `crossings ${t.crossing} (t) vs ${n.crossing} (normal)`);
  // the densities of the t mixture integrate to 1 (its normalising constant: log-gamma)
  let mass = 0;
  for (let k = 0; k < 20_000; k++) { const x = ((k + 0.5) * 4) / 20_000; const c = componentDensities(t, x); mass += ((c.same + c.different) * 4) / 20_000; }
  assert.ok(Math.abs(mass - 1) < 0.01, `mass ${mass}`);
  assert.throws(() => fitDistanceMixture(rows([[0], [1], [2]]), { differentDf: -1 }), /differentDf/);
});

test('expectedScores: with certain probabilities they are the true scores (hand-worked)', () => {
  // two pairs 0.1 apart (p = 1), the pairs 5 apart (p = 0)
  const x = rows([[0], [0.1], [5], [5.1]]);
  const pp = pairProbabilities(toMatrix('t', x), Int32Array.of(0, 1, 2, 3), 10, (d) => (d < 1 ? 1 : 0));
  const right = expectedScores(Int32Array.of(0, 0, 1, 1), pp);
  assert.deepEqual([right.pairwiseF1, right.bcubedF1], [1, 1]);
  // everything in one cluster: 2 true pairs of 6 -> pairwise P 1/3, R 1; BCubed P = 2/4 for every face, R 1
  const one = expectedScores(Int32Array.of(0, 0, 0, 0), pp);
  assert.ok(Math.abs(one.pairwisePrecision - 1 / 3) < 1e-9 && one.pairwiseRecall === 1);
  assert.ok(Math.abs(one.bcubedPrecision - 0.5) < 1e-9 && one.bcubedRecall === 1);
  // all singletons: precision 1, recall 0 pairwise; BCubed recall 1/2 (each face finds itself of its 2)
  const alone = expectedScores(Int32Array.of(0, 1, 2, 3), pp);
  assert.equal(alone.pairwiseRecall, 0);
  assert.ok(Math.abs(alone.bcubedRecall - 0.5) < 1e-9 && alone.bcubedPrecision === 1);
  // and they agree with the true metrics of lib/evaluate
  const truth = [0, 0, 1, 1];
  for (const labels of [[0, 0, 0, 0], [0, 1, 2, 3], [0, 0, 1, 2]]) {
    const e = expectedScores(Int32Array.from(labels), pp);
    const t = evaluateClustering(labels, truth);
    assert.ok(Math.abs(e.bcubedF1 - t.bcubedF1) < 1e-9 && Math.abs(e.pairwiseF1 - t.pairwiseF1) < 1e-9, `${labels}`);
  }
});

test('meanLinkageTree on the complete graph is UPGMA on squared distances (brute force)', () => {
  const { x } = blobs(6, [[0, 0], [1, 0], [0, 1.5]], 0.3, 11);
  const m = toMatrix('t', x);
  const tree = meanLinkageTree(m, knnExact(m, x.length - 1, 'euclidean'), Infinity);
  assert.equal(tree.height.length, x.length - 1);
  // brute force: repeatedly merge the two clusters with the smallest mean squared distance
  let clusters = x.map((_, i) => [i]);
  const sq = (a: number, b: number) => (x[a][0] - x[b][0]) ** 2 + (x[a][1] - x[b][1]) ** 2;
  const link = (A: number[], B: number[]) => { let s = 0; for (const a of A) for (const b of B) s += sq(a, b); return s / (A.length * B.length); };
  const heights: number[] = [];
  while (clusters.length > 1) {
    let best = [0, 1], bestV = Infinity;
    for (let i = 0; i < clusters.length; i++) for (let j = i + 1; j < clusters.length; j++) { const v = link(clusters[i], clusters[j]); if (v < bestV) { bestV = v; best = [i, j]; } }
    heights.push(Math.sqrt(bestV));
    const merged = [...clusters[best[0]], ...clusters[best[1]]];
    clusters = clusters.filter((_, i) => i !== best[0] && i !== best[1]).concat([merged]);
  }
  heights.forEach((h, t) => assert.ok(Math.abs(h - tree.height[t]) < 1e-5, `merge ${t}: ${tree.height[t]} vs ${h}`));
});

test('clusterAuto: finds the people of a collection with no threshold given', () => {
  const { x, truth } = identities(12, 10, 32, 0.45, 21);
  const r = clusterAuto(x);
  assertSamePartition(r.labels, truth);
  assert.ok(r.evidence.threshold > r.evidence.mixture.same.mean && r.evidence.threshold < r.evidence.mixture.different.mean);
  assert.equal(r.evidence.curve.threshold[r.evidence.chosen], r.evidence.threshold);
});

test('clusterAuto: the same collection at another scale gets the same partition (a fixed threshold cannot)', () => {
  const { x, truth } = identities(10, 8, 32, 0.45, 4);
  const small = clusterAuto(x);
  const big = clusterAuto(x.map((r) => r.map((v) => v * 3)));
  assertSamePartition(small.labels, truth);
  assertSamePartition(big.labels, small.labels);
  assert.ok(Math.abs(big.evidence.threshold - 3 * small.evidence.threshold) < 1e-3 * big.evidence.threshold);
  // a threshold that suits one scale fails the other
  const fixed = small.evidence.threshold;
  assert.notEqual(chineseWhispers(x.map((r) => r.map((v) => v * 3)), { threshold: fixed }).nClusters, 10);
});

test('clusterAuto: two blob sets at different spreads both recover their people', () => {
  // tight people (spread 0.3) and loose people (spread 0.6): the cut moves with the collection
  const tight = identities(15, 8, 32, 0.3, 8);
  const loose = identities(8, 20, 32, 0.6, 9);
  const a = clusterAuto(tight.x);
  const b = clusterAuto(loose.x);
  assertSamePartition(a.labels, tight.truth, 'tight');
  assert.ok(evaluateClustering(b.labels, loose.truth).bcubedF1 > 0.98, 'loose');
  assert.ok(b.evidence.threshold > a.evidence.threshold, `${b.evidence.threshold} > ${a.evidence.threshold}`);
});

test('clusterAuto: the tree and the cuts stop where the mixture finds pairs TOP_PROBABILITY likely one person, and the cut is that of the whole tree', () => {
  const { x, truth } = identities(12, 10, 32, 0.45, 21);
  const r = clusterAuto(x);
  const mx = r.evidence.mixture;
  const p = sameProbabilityFunction(mx);
  const cuts = r.evidence.curve.threshold;
  const far = modeDistance(mx, mx.different);
  const step = cuts[1] - cuts[0];
  // every cut tried but the last is one the mixture finds at least TOP_PROBABILITY likely, the next would not be
  for (const t of cuts.slice(0, -1)) assert.ok(p(t) >= TOP_PROBABILITY, `p(${t}) = ${p(t)}`);
  assert.ok(p(cuts[cuts.length - 1] + step) < TOP_PROBABILITY, 'the cuts stop at the first grid point past the bar');
  // the tree stops there too, well below the strangers' mode it used to reach
  const top = r.tree.height[r.tree.height.length - 1];
  assert.ok(top < cuts[cuts.length - 1] + step && top < far - 2 * step, `tree top ${top}, last cut ${cuts[cuts.length - 1]}, strangers at ${far}`);
  // the whole tree (to the strangers' mode) cut at the chosen threshold: the same partition
  const m = toMatrix('test', x, 'euclidean');
  const whole = meanLinkageTree(m, knnExact(m, 16, 'euclidean'), far);
  assert.ok(whole.height.length > r.tree.height.length, `${whole.height.length} merges > ${r.tree.height.length}`);
  assertSamePartition(r.labels, cutTree(whole, { distanceThreshold: r.evidence.threshold }).labels);
  assertSamePartition(r.labels, truth);
});

test('clusterAuto: explains itself', () => {
  const { x } = identities(6, 6, 16, 0.4, 2);
  const lines = explainAuto(clusterAuto(x).evidence);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[3], /^largest cluster: 6 faces \(16\.7% of all\)$/);
  assert.match(lines[0], /^chose threshold \d\.\d{3} \(average linkage cut, \d+ clusters\)/);
  assert.match(lines[1], /same-person mode .* different-person mode/);
});

test("clusterAuto: rows that are not unit vectors under the default 'squared' space get a warning; a chosen space or unit rows none", () => {
  const { x } = identities(6, 6, 16, 0.4, 2);
  const unit = x.map((r) => { const n = Math.hypot(...r); return r.map((v) => v / n); });
  assert.match(clusterAuto(x).warnings.join(' '), /not unit vectors.*embedderMixtureOptions/);
  assert.equal(clusterAuto(x, { space: 'distance', sameSpreadCap: 1 }).warnings.length, 0);
  assert.equal(clusterAuto(x, { space: 'squared' }).warnings.length, 0, 'chosen, not defaulted');
  // unit rows: no such warning (the default embedder's same-person reference applies to them; its own sentence,
  // if any, is about the evidence, not the rows)
  assert.doesNotMatch(clusterAuto(unit).warnings.join(' '), /not unit vectors/);
});

test('clusterAuto: fewer than 3 faces are each their own person, with a warning', () => {
  const r = clusterAuto(rows([[0, 0], [0, 0.01]]));
  assert.deepEqual(Array.from(r.labels), [0, 1]);
  assert.match(r.warnings[0], /too few to estimate a threshold/);
});

test('fitDistanceMixture: rejects bad options naming the parameter', () => {
  const x = rows([[0], [1], [2]]);
  assert.throws(() => fitDistanceMixture(x, { maxPairs: 10 }), /fitDistanceMixture: maxPairs must be an integer >= 100, got 10\./);
  assert.throws(() => fitDistanceMixture(x, { bins: 2.5 }), /fitDistanceMixture: bins must be an integer >= 10, got 2\.5\./);
  assert.throws(() => fitDistanceMixture(rows([[0], [1]])), /fitDistanceMixture: x must have at least 3 rows, got 2\./);
  assert.throws(() => fitDistanceMixture(x, { sameSpreadCap: -1 }), /fitDistanceMixture: sameSpreadCap must be a finite number > 0, got -1\./);
  assert.throws(() => fitDistanceMixture(x, { space: 'cosine' as 'squared' }), /fitDistanceMixture: space must be one of/);
  assert.throws(() => clusterAuto(x, { space: 'log' as 'squared' }), /clusterAuto: space must be one of/);
});

const lfw = precomputedEmbeddingsPath();
const skip = existsSync(lfw) ? false : `LFW embeddings not found at ${lfw} (set FACECLUSTER_DATA)`;

test('clusterAuto on LFW (first 3,000 photos): within 0.02 BCubed F of its own tree cut with the labels', { skip }, async () => {
  const ds = await loadPrecomputedEmbeddings({ limit: 3000 });
  const r = clusterAuto(ds.embeddings, embedderMixtureOptions('resnet128')); // the precomputed vectors are resnet128's
  const e = evaluateClustering(r.labels, ds.labels);
  let best = 0;
  for (const t of r.evidence.curve.threshold) best = Math.max(best, evaluateClustering(cutTree(r.tree, { distanceThreshold: t }).labels, ds.labels).bcubedF1);
  assert.ok(best - e.bcubedF1 <= 0.02, `auto ${e.bcubedF1.toFixed(3)} vs best cut ${best.toFixed(3)}`);
  assert.ok(e.bcubedF1 > 0.9 && e.pairwiseF1 > 0.9, `BCubed ${e.bcubedF1.toFixed(3)}, pairwise ${e.pairwiseF1.toFixed(3)}`);
});

test('leastCertain: the two halves of one person are the closest pair; the face between people has the smallest margin', () => {
  // 1-D: person A split into two clusters (0, 0.1 | 0.5, 0.6), person B far away (5, 5.1, 5.2), and a face at 2.6
  // put in B's cluster by mistake.
  const x = rows([[0], [0.1], [0.5], [0.6], [5], [5.1], [5.2], [2.6]]);
  const labels = [0, 0, 1, 1, 2, 2, 2, 2];
  const r = leastCertain(x, labels, { neighbors: 3 });
  // clusters 0 and 1: mean squared distance of (0|0.1) to (0.5|0.6) = (0.25+0.36+0.16+0.25)/4 = 0.255 -> 0.505
  assert.deepEqual([r.merges[0].a, r.merges[0].b], [0, 1]);
  assert.ok(Math.abs(r.merges[0].distance - Math.sqrt(0.255)) < 1e-6);
  // face 7 (2.6): to the other members of cluster 2: sqrt(mean(2.4^2, 2.5^2, 2.6^2)) = 2.501; to cluster 1:
  // sqrt(mean(2.1^2, 2.0^2)) = 2.051 -> margin -0.450, the only negative one
  assert.equal(r.leavers[0].face, 7);
  assert.equal(r.leavers[0].nearestCluster, 1);
  assert.ok(Math.abs(r.leavers[0].margin - (Math.sqrt((2.1 ** 2 + 2 ** 2) / 2) - Math.sqrt((2.4 ** 2 + 2.5 ** 2 + 2.6 ** 2) / 3))) < 1e-6);
  // the least cohesive cluster first (no mixture: ordered by cohesion)
  assert.equal(r.clusters[0].cluster, 2);
  assert.throws(() => leastCertain(x, [0, 1]), /leastCertain: labels must have one label per row of x \(8\), got 2\./);
});
