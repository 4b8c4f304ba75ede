// Several embedders in one store: adding one to an existing store embeds the stored faces without running
// the detector again; cluster/tune/report pick one (or a fusion) with `embedder`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOBILEFACENET512_WEIGHTS } from '../../lib/embed/mobilefacenet512.ts';
import { encodeFolder } from '../../lib/pipeline/encode-folder.ts';
import { openStore } from '../../lib/store/read.ts';
import { EMBEDDER_SPECS, embedderDistanceScale, UNMEASURED_MIXTURE } from '../../lib/embed/registry.ts';
import { AUTO_DEFAULTS } from '../../lib/cluster/auto.ts';
import { findData, findModelFile, PROJECT_ROOT as ROOT } from '../../lib/paths.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = !twoFaces
  ? 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)'
  : !existsSync(findModelFile(MOBILEFACENET512_WEIGHTS))
    ? 'mobilefacenet512 weights missing: run `npm run models:fetch`'
    : false;
const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

test('encodeFolder: a second embedder is added from the stored detections (no detector call), new photos get both', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-multi-'));
  const photos = join(dir, 'photos');
  const out = join(dir, 'store');
  const copy = (person: string, k: number) => {
    mkdirSync(join(photos, person), { recursive: true });
    const name = `${person}_${String(k).padStart(4, '0')}.jpg`;
    copyFileSync(join(twoFaces!, person, name), join(photos, person, name));
  };
  try {
    for (const k of [1, 2]) for (const p of ['Bill_Gates', 'Abdullah_Gul']) copy(p, k);
    const first = await encodeFolder(photos, { out, jobs: 1, embedder: 'resnet128' });
    assert.deepEqual([first.encoded, first.detectorCalls, first.reembedded], [4, 4, 0]);
    const before = await openStore(out);
    assert.deepEqual(before.embedders, ['resnet128']);

    // add mobilefacenet512 (2 workers: the request and reply travel between threads)
    const second = await encodeFolder(photos, { out, jobs: 2, embedder: 'mobilefacenet512' });
    assert.equal(second.detectorCalls, 0, 'no photo detected again');
    assert.deepEqual([second.encoded, second.reembedded, second.unchanged, second.parametersChanged], [0, 4, 4, false]);
    const both = await openStore(out);
    assert.deepEqual(both.embedders, ['resnet128', 'mobilefacenet512'], 'the first embedder stays the main one');
    assert.equal(both.faces.length, before.faces.length);
    both.faces.forEach((f, i) => {
      assert.deepEqual(f.box, before.faces[i].box, 'same detections');
      assert.deepEqual(f.embedding, before.faces[i].embedding, 'main vectors kept');
    });
    assert.ok(both.embeddings.every((e) => e.length === 128), 'by default the main embedder\'s vectors');
    const mfn = await openStore(out, { embedder: 'mobilefacenet512' });
    assert.ok(mfn.embeddings.every((e) => e.length === 512 && Math.abs(norm(e) - 1) < 1e-4));
    assert.equal(mfn.embedder, 'mobilefacenet512');
    const fused = await openStore(out, { embedder: 'resnet128+mobilefacenet512' });
    assert.ok(fused.embeddings.every((e) => e.length === 640 && Math.abs(norm(e) - 1) < 1e-4));
    await assert.rejects(openStore(out, { embedder: 'faceres' }), /openStore: embedder must be one of the store's embedders "resnet128", "mobilefacenet512" or a fusion of them \(a\+b\), got "faceres"/);

    // nothing to do on a rerun; a new photo is detected once and embedded by both
    const third = await encodeFolder(photos, { out, jobs: 1, embedder: 'mobilefacenet512' });
    assert.deepEqual([third.encoded, third.reembedded, third.detectorCalls], [0, 0, 0]);
    copy('Bill_Gates', 3);
    const fourth = await encodeFolder(photos, { out, jobs: 1 });
    assert.deepEqual([fourth.encoded, fourth.reembedded, fourth.detectorCalls], [1, 0, 1]);
    const after = await openStore(out, { embedder: 'mobilefacenet512' });
    assert.equal(after.faces.length, both.faces.length + 1);
    assert.ok(after.embeddings.every((e) => e.length === 512));
    assert.deepEqual(after.manifest.parameters.extraEmbedders, [{ name: 'mobilefacenet512', dimension: 512, template: 'arcface', size: 112 }]);

    // cluster: a method's distance default is rescaled to the chosen embedder; a fusion with no measured scale asks for it
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'facecluster.js'), 'cluster', out, ...args], { encoding: 'utf8' });
    const mfnRun = cli('--embedder', 'mobilefacenet512', '--method', 'chinese-whispers', '--json');
    assert.equal(mfnRun.status, 0, mfnRun.stderr);
    const mfnJson = JSON.parse(mfnRun.stdout);
    const scale = embedderDistanceScale('mobilefacenet512')!;
    assert.equal(mfnJson.distanceScale, scale);
    assert.equal(mfnJson.parameters.threshold, Number((0.45 * scale).toPrecision(3)));
    assert.ok(mfnJson.parameters.threshold > 0.8, 'unit vectors of mobilefacenet512 need a larger threshold than resnet128\'s 0.45');
    const resnetRun = cli('--embedder', 'resnet128', '--method', 'chinese-whispers', '--json');
    assert.equal(JSON.parse(resnetRun.stdout).parameters.threshold, 0.45);
    const fusedRun = cli('--embedder', 'resnet128+mobilefacenet512', '--method', 'chinese-whispers');
    assert.equal(fusedRun.status, 2);
    assert.match(fusedRun.stderr, /chinese-whispers's --threshold is a distance whose default is measured per embedder, and "resnet128\+mobilefacenet512" has no measured distance scale; give --threshold/);
    const givenRun = cli('--embedder', 'resnet128+mobilefacenet512', '--method', 'chinese-whispers', '--threshold', '0.8', '--json');
    assert.equal(givenRun.status, 0, givenRun.stderr);
    assert.equal(JSON.parse(givenRun.stdout).parameters.threshold, 0.8);
    // auto: each embedder's measured mixture constants, unless given; a fusion (none measured) the equal-spread fallback
    const autoOf = (...args: string[]) => { const r = cli('--json', ...args); assert.equal(r.status, 0, r.stderr); return JSON.parse(r.stdout).parameters; };
    for (const e of ['resnet128', 'mobilefacenet512'] as const) {
      const p = autoOf('--embedder', e);
      assert.deepEqual([p.space, p.sameSpreadCap], [EMBEDDER_SPECS[e].mixture!.space, EMBEDDER_SPECS[e].mixture!.sameSpreadCap], e);
    }
    assert.notDeepEqual(EMBEDDER_SPECS.resnet128.mixture, EMBEDDER_SPECS.mobilefacenet512.mixture, 'the test needs two embedders with different constants');
    assert.deepEqual([autoOf('--embedder', 'resnet128', '--space', 'squared', '--same-spread-cap', '1.5').space, autoOf('--embedder', 'resnet128', '--same-spread-cap', '1.5').sameSpreadCap], ['squared', 1.5]);
    const fusedAuto = autoOf('--embedder', 'resnet128+mobilefacenet512');
    assert.deepEqual([fusedAuto.space, fusedAuto.sameSpreadCap], [UNMEASURED_MIXTURE.space, UNMEASURED_MIXTURE.sameSpreadCap]);
    assert.notDeepEqual([UNMEASURED_MIXTURE.space, UNMEASURED_MIXTURE.sameSpreadCap], [AUTO_DEFAULTS.space, AUTO_DEFAULTS.sameSpreadCap], 'the fallback is not the default embedder\'s');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
