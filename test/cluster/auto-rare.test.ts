/**
 * The default clustering where same-person pairs are rare or absent, or where relatives and poor faces form a
 * near mode of their own (issue: a default that never merges strangers). Toy collections of unit vectors in
 * 128 dimensions, on the default embedder's scale: two random unit vectors are sqrt(2) = 1.41 apart (sd of d^2
 * 2/sqrt(128) = 0.18, as mobilefacenet512's strangers: 1.40, sd 0.19), one person's photos about 0.8 apart (d^2
 * 0.62, the measured same-person reference's mean).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterAuto, explainAuto, AUTO_DEFAULTS } from '../../lib/cluster/auto.ts';
import { evaluateClustering } from '../../lib/evaluate/evaluate.ts';

const DIM = 128;

function normals(seed: number): () => number {
  let s = seed >>> 0;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  return () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

const unit = (v: Float32Array): Float32Array => { const n = Math.hypot(...v); return v.map((x) => x / n); };
const randomUnit = (normal: () => number): Float32Array => unit(Float32Array.from({ length: DIM }, normal));
/** A photo of the person at `centre`: the centre plus noise of total length `noise` (relative to the unit centre). */
const photo = (centre: Float32Array, noise: number, normal: () => number): Float32Array => unit(Float32Array.from(centre, (v) => v + (noise * normal()) / Math.sqrt(DIM)));
/** d^2 between two photos of one person ~ 2 s / (1 + s) with s = noise^2: 0.62 at noise 0.67. */
const SAME_NOISE = 0.67;

/** Faces of two labelled faces in one cluster that are different people. */
function strangersMerged(labels: Int32Array, truth: ArrayLike<number>): number {
  const who = new Map<number, Set<number>>();
  labels.forEach((l, i) => { if (!who.has(l)) who.set(l, new Set()); who.get(l)!.add(truth[i]); });
  let merged = 0;
  labels.forEach((l) => { if (who.get(l)!.size > 1) merged++; });
  return merged;
}

test('clusterAuto: a collection where nobody repeats gets every face alone, and says the evidence is weak', () => {
  const normal = normals(7);
  // 400 people seen once: every pair is two strangers; the collection has no same-person mode at all
  const x = Array.from({ length: 400 }, () => randomUnit(normal));
  const r = clusterAuto(x);
  assert.equal(r.nClusters, 400, `${r.nClusters} clusters: strangers merged`);
  assert.ok(r.evidence.weakEvidence, 'the weak evidence is said');
  assert.match(r.warnings.join(' '), /weak evidence/);
  assert.match(explainAuto(r.evidence).join('\n'), /weak evidence/);
  // without the measured same-person mode the collection's own mixture invents one from the strangers' near
  // tail; the measured mode is what keeps them apart
  const own = clusterAuto(x, { sameReference: null });
  assert.ok(own.evidence.threshold > r.evidence.threshold, `own ${own.evidence.threshold} > ${r.evidence.threshold}`);
});

test('clusterAuto: two families of look-alikes: each person found, no two relatives merged', () => {
  const normal = normals(11);
  const x: Float32Array[] = [];
  const truth: number[] = [];
  // two families of 8 members, 3 photos each: relatives look alike (d^2 between relatives ~1.6, d 1.26; strangers
  // 2.0, d 1.41; one person's photos 0.62), and the pairs of relatives (336) outnumber the pairs of one person (48)
  // seven to one; plus 100 strangers seen once
  for (let f = 0; f < 2; f++) {
    const family = randomUnit(normal);
    for (let m = 0; m < 8; m++) {
      const member = unit(Float32Array.from(family, (v) => v + (2 * normal()) / Math.sqrt(DIM)));
      for (let p = 0; p < 3; p++) { x.push(photo(member, SAME_NOISE, normal)); truth.push(f * 8 + m); }
    }
  }
  for (let s = 0; s < 100; s++) { x.push(randomUnit(normal)); truth.push(100 + s); }
  const r = clusterAuto(x);
  assert.equal(strangersMerged(r.labels, truth), 0, `relatives or strangers merged (threshold ${r.evidence.threshold.toFixed(3)}, ${r.evidence.basis})`);
  assert.ok(evaluateClustering(r.labels, truth).bcubedF1 > 0.95, `BCubed F ${evaluateClustering(r.labels, truth).bcubedF1}`);
  // the relatives' distances lie above the cut, one person's below it
  assert.ok(r.evidence.threshold < Math.sqrt(1.6) && r.evidence.threshold > Math.sqrt(0.62));
});

test('clusterAuto: a crowd of near-identical poor faces does not move the cut for the others', () => {
  const normal = normals(23);
  const people: Float32Array[] = [];
  const truth: number[] = [];
  for (let p = 0; p < 30; p++) {
    const c = randomUnit(normal);
    for (let i = 0; i < 6; i++) { people.push(photo(c, SAME_NOISE, normal)); truth.push(p); }
  }
  // 150 poor faces of 150 different people: a common "blur" direction dominates each, so they sit close to each
  // other (d ~0.85) whoever they are, as small and blurred faces do with margin-trained embedders
  const blur = randomUnit(normal);
  const crowd = Array.from({ length: 150 }, () => unit(Float32Array.from(blur, (v) => v + (0.75 * normal()) / Math.sqrt(DIM))));
  const alone = clusterAuto(people);
  const withCrowd = clusterAuto([...people, ...crowd]);
  const goodLabels = withCrowd.labels.slice(0, people.length);
  assert.equal(evaluateClustering(goodLabels, truth).bcubedF1, evaluateClustering(alone.labels, truth).bcubedF1, 'the people are found as without the crowd');
  assert.equal(strangersMerged(goodLabels, truth), 0);
  // no good face joins the crowd
  const crowdLabels = new Set(withCrowd.labels.slice(people.length));
  assert.ok(goodLabels.every((l) => !crowdLabels.has(l)), 'a person merged with the crowd');
});

test('clusterAuto: a bad sameReference names the parameter', () => {
  const normal = normals(3);
  const x = Array.from({ length: 10 }, () => randomUnit(normal));
  assert.throws(() => clusterAuto(x, { sameReference: { mean: 0.6, sd: 0 } }), /clusterAuto: sameReference must be \{ mean: number >= 0, sd: number > 0 \} or null, got \{"mean":0.6,"sd":0\}\./);
  assert.throws(() => clusterAuto(x, { sameReference: 'x' as never }), /clusterAuto: sameReference must be/);
  assert.deepEqual(AUTO_DEFAULTS.sameReference, clusterAuto(x).evidence.referenceCut?.mixture.same);
});
