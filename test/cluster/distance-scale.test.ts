// Distance options of the clustering methods are written for resnet128's distances and rescaled per embedder:
// scaledClusterMethod (lib/cluster/registry.ts) and embedderDistanceScale (lib/embed/registry.ts).
import { test } from 'node:test';
import { AUTO_DEFAULTS } from '../../lib/cluster/auto.ts';
import assert from 'node:assert/strict';
import { CLUSTER_METHODS, clusterBy, scaledClusterMethod } from '../../lib/cluster/registry.ts';
import { EMBEDDER_NAMES, EMBEDDER_SPECS, embedderDistanceScale, embedderMixtureOptions, UNMEASURED_MIXTURE } from '../../lib/embed/registry.ts';
import { assertSamePartition, blobs } from './_helpers.ts';

test('scaledClusterMethod: distance defaults and sweep values times the scale (squared for squared distances), others kept', () => {
  const cw = scaledClusterMethod('chinese-whispers', 2);
  assert.equal(cw.defaults.threshold, 0.9); // 0.45 x 2
  assert.equal(cw.defaults.iterations, CLUSTER_METHODS['chinese-whispers'].defaults.iterations);
  assert.deepEqual(cw.sweep.values.slice(0, 3), [0.68, 0.7, 0.72]); // 0.34, 0.35, 0.36 x 2
  assert.equal(scaledClusterMethod('agglomerative', 2).defaults.distanceThreshold, 1);
  assert.equal(scaledClusterMethod('dbscan', 0.5).defaults.eps, 0.22);
  assert.equal(scaledClusterMethod('approximate-rank-order', 2).defaults.maxDistance, 0.9);
  assert.equal(scaledClusterMethod('approximate-rank-order', 2).defaults.threshold, 2, 'a rank threshold is not a distance');
  assert.equal(scaledClusterMethod('affinity-propagation', 2).defaults.preference, -1.2); // -0.3 x 2²
  assert.deepEqual(scaledClusterMethod('rank-order', 3).defaults, CLUSTER_METHODS['rank-order'].defaults);
  assert.equal(scaledClusterMethod('dbscan', 1), CLUSTER_METHODS.dbscan);
  assert.equal(CLUSTER_METHODS['chinese-whispers'].defaults.threshold, 0.45, 'the registry itself is untouched');
  assert.throws(() => scaledClusterMethod('dbscan', 0), /scaledClusterMethod: scale must be a finite number > 0, got 0/);
  assert.throws(() => scaledClusterMethod('nope' as never, 2), /clusterBy.*method.*nope/);
});

test('scaledClusterMethod: a collection scaled by s gets the same partition from the defaults scaled by s', () => {
  const { x } = blobs(12, [[0, 0], [1, 0], [0, 1.1]], 0.12, 7);
  const s = 4;
  const xs = x.map((v) => v.map((c) => c * s));
  for (const name of ['chinese-whispers', 'agglomerative', 'dbscan'] as const) {
    const plain = clusterBy(name, x);
    const scaled = clusterBy(name, xs, scaledClusterMethod(name, s).defaults as Record<string, unknown>);
    assert.ok(plain.nClusters >= 2, `${name} finds the blobs at the reference scale`);
    assertSamePartition(scaled.labels, plain.labels, name);
    assert.notEqual(clusterBy(name, xs).nClusters, plain.nClusters, `${name}: the unscaled default differs on the scaled data`);
  }
});

test('embedderDistanceScale: the ratio of LFW verification thresholds; rms of unit-vector parts for a fusion; undefined when unmeasured', () => {
  assert.equal(embedderDistanceScale('resnet128'), 1);
  const t = (n: keyof typeof EMBEDDER_SPECS) => EMBEDDER_SPECS[n].lfwThreshold!;
  assert.ok(Math.abs(embedderDistanceScale('mobilefacenet512')! - t('mobilefacenet512') / t('resnet128')) < 1e-12);
  assert.ok(embedderDistanceScale('mobilefacenet512')! > 1.5, 'unit vectors of an angular-margin net are farther apart than resnet128\'s');
  const fused = Math.sqrt((t('mobilefacenet512') ** 2 + t('mobileface') ** 2) / 2) / t('resnet128');
  assert.ok(Math.abs(embedderDistanceScale('mobilefacenet512+mobileface')! - fused) < 1e-12);
  assert.equal(embedderDistanceScale('resnet128+mobilefacenet512'), undefined, 'resnet128 vectors are not unit length');
  assert.equal(embedderDistanceScale('nope'), undefined);
  for (const [name, spec] of Object.entries(EMBEDDER_SPECS)) {
    if (spec.lfwThreshold === undefined) assert.equal(embedderDistanceScale(name), undefined, `${name}: not measured, no scale`);
    else assert.ok(spec.lfwThreshold > 0 && spec.lfwThreshold < 2, `${name}: a measured threshold between unit vectors' 0 and 2`);
  }
});

test("embedderMixtureOptions: an embedder's measured mixture constants; the equal-spread fallback for a fusion or an unknown name", () => {
  for (const e of EMBEDDER_NAMES) {
    const own = EMBEDDER_SPECS[e].mixture;
    assert.deepEqual(embedderMixtureOptions(e), own ?? UNMEASURED_MIXTURE, e);
  }
  assert.deepEqual(EMBEDDER_SPECS.mobilefacenet512.mixture, { space: 'squared', sameSpreadCap: 2, sameReference: AUTO_DEFAULTS.sameReference, differentDf: AUTO_DEFAULTS.differentDf });
  // a fusion has no measured same-person reference nor stranger tail: auto's conservative second mixture is off for it, strangers a normal
  assert.deepEqual(embedderMixtureOptions('resnet128+mobilefacenet512'), { space: 'distance', sameSpreadCap: 1, sameReference: null, differentDf: Infinity });
  assert.deepEqual(embedderMixtureOptions('no-such-net'), UNMEASURED_MIXTURE);
  // a copy: changing it changes no later answer
  const o = embedderMixtureOptions('mobilefacenet512');
  o.sameSpreadCap = 99;
  o.sameReference!.mean = 99;
  assert.equal(embedderMixtureOptions('mobilefacenet512').sameSpreadCap, 2);
  assert.equal(embedderMixtureOptions('mobilefacenet512').sameReference!.mean, AUTO_DEFAULTS.sameReference!.mean);
});
