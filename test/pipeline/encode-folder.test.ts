import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { encodeFolder, encodeTarget } from '../../lib/pipeline/encode-folder.ts';
import { openStore } from '../../lib/store/read.ts';
import { findData } from '../../lib/paths.ts';
import { BAD_FILES, HEIF_ENC, makeBadInputFolder, ODD_FILES } from './bad-inputs.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';
const GATES = twoFaces && join(twoFaces, 'Bill_Gates', 'Bill_Gates_0001.jpg');

test('encodeFolder: every bad file is reported with its reason, the odd ones decode, and the run continues', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-bad-'));
  try {
    await makeBadInputFolder(dir, GATES!);
    const seen: string[] = [];
    const s = await encodeFolder(dir, { out: `${dir}-store`, jobs: 1 }, (_d, _t, info) => info?.path && seen.push(info.path as string));
    assert.equal(s.photos, 1 + ODD_FILES.length + Object.keys(BAD_FILES).length); // notes.txt is not a photo
    assert.equal(s.skipped, 1);
    assert.equal(s.encoded, s.photos); // nothing stopped the run
    assert.equal(seen.length, s.photos); // one progress call per photo
    assert.deepEqual(s.failures.map((f) => f.path).sort(), Object.keys(BAD_FILES).sort());
    for (const f of s.failures) assert.match(f.reason, BAD_FILES[f.path], f.path);
    const store = await openStore(`${dir}-store`);
    for (const p of store.photos) {
      if (p.path in BAD_FILES) {
        assert.equal(p.status, 'failed', p.path);
        assert.match(p.reason ?? '', BAD_FILES[p.path]);
      } else {
        assert.equal(p.status, 'ok', `${p.path} has a face`);
        assert.deepEqual([p.width, p.height], [250, 250], `${p.path}: upright size`);
      }
    }
    // the EXIF-rotated copy is read upright: its face box matches the original's
    const boxOf = (path: string) => store.faces.find((f) => f.path === path && f.faceIndex === 0)!.box;
    const a = boxOf('ok/face.jpg'), b = boxOf('odd/exif-rotated.jpg');
    assert.ok(Math.abs(a.x - b.x) < 12 && Math.abs(a.y - b.y) < 12, `rotated ${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
    if (HEIF_ENC) {
      // the HEIC made from it keeps EXIF orientation 6 (and no irot): read upright too
      const c = boxOf('odd/exif-rotated.heic');
      assert.ok(Math.abs(a.x - c.x) < 12 && Math.abs(a.y - c.y) < 12, `rotated HEIC ${JSON.stringify(c)} vs ${JSON.stringify(a)}`);
    }
    assert.deepEqual(store.labels.filter((l) => l === 'odd').length, ODD_FILES.length); // label = parent folder
    assert.equal(store.manifest.counts.failed, Object.keys(BAD_FILES).length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-store`, { recursive: true, force: true });
  }
});

test('encodeFolder: reruns encode only what changed; parameters changes re-encode all', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-inc-'));
  try {
    const pick = ['Bill_Gates/Bill_Gates_0001.jpg', 'Bill_Gates/Bill_Gates_0002.jpg', 'Abdullah_Gul/Abdullah_Gul_0001.jpg', 'Abdullah_Gul/Abdullah_Gul_0002.jpg'];
    for (const p of pick.slice(0, 3)) {
      mkdirSync(join(dir, p.split('/')[0]), { recursive: true });
      copyFileSync(join(twoFaces!, p), join(dir, p));
    }
    const out = `${dir}-store`;
    const first = await encodeFolder(dir, { out, jobs: 1 });
    assert.equal(first.encoded, 3);
    assert.ok(existsSync(join(out, 'faces.arrow')));

    const again = await encodeFolder(dir, { out, jobs: 1 });
    assert.equal(again.encoded, 0); // unchanged folder: nothing to do
    assert.equal(again.unchanged, 3);

    copyFileSync(join(twoFaces!, pick[3]), join(dir, pick[3]));
    const added = await encodeFolder(dir, { out, jobs: 1 });
    assert.equal(added.encoded, 1); // only the new photo
    assert.equal((await openStore(out)).photos.length, 4);

    unlinkSync(join(dir, pick[0]));
    const removed = await encodeFolder(dir, { out, jobs: 1 });
    assert.equal(removed.encoded, 0);
    assert.equal(removed.deleted, 1);
    const store = await openStore(out);
    assert.ok(!store.paths.includes(pick[0]), 'rows of the deleted photo are dropped');
    assert.equal(store.photos.length, 3);

    const changed = await encodeFolder(dir, { out, jobs: 1, minFaceSize: 10 });
    assert.equal(changed.parametersChanged, true);
    assert.equal(changed.encoded, 3); // everything again
    assert.equal((await openStore(out)).manifest.parameters.minFaceSize, 10);
    assert.deepEqual(readdirSync(dir).sort(), ['Abdullah_Gul', 'Bill_Gates']); // nothing written into the photo folder
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-store`, { recursive: true, force: true });
  }
});

test('encodeFolder: refuses an --out inside the photo folder, and bad options', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-out-'));
  try {
    await assert.rejects(encodeFolder(dir, { out: join(dir, 'store') }), /encodeFolder: out must not be inside the photo folder/);
    await assert.rejects(encodeFolder(dir, { jobs: 0 }), /encodeFolder: jobs must be an integer >= 1 and <= 256, got 0\./);
    await assert.rejects(encodeFolder(dir, { detector: 'haar' as never }), /createFaceEncoder: detector must be one of "ultraface", "ssd-mobilenet", "tiny".*got "haar"\./);
    await assert.rejects(encodeFolder(join(dir, 'missing')), /scanPhotos: folder must be an existing folder/);
    assert.deepEqual(readdirSync(dir), []); // nothing was written
    // by default the store goes to facecluster-out/<folder name>/store in the current directory, never into the photos
    assert.equal(encodeTarget('encodeFolder', dir, undefined).storeDir, resolve('facecluster-out', basename(dir), 'store'));
    await assert.rejects(encodeFolder(dir, { out: join(dir, '.facecluster') }), /encodeFolder: out must not be inside the photo folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-store`, { recursive: true, force: true });
  }
});

test('encodeFolder: an aborted run keeps the finished photos and the next run resumes', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-abort-'));
  try {
    const names = readdirSync(join(twoFaces!, 'Bill_Gates')).slice(0, 5);
    mkdirSync(join(dir, 'Bill_Gates'));
    for (const n of names) copyFileSync(join(twoFaces!, 'Bill_Gates', n), join(dir, 'Bill_Gates', n));
    const controller = new AbortController();
    const out = `${dir}-store`;
    const s = await encodeFolder(dir, { out, jobs: 1, batchSize: 1, signal: controller.signal }, (done) => {
      if (done === 2) controller.abort(); // Ctrl-C after the second photo
    });
    assert.equal(s.interrupted, true);
    assert.equal(s.encoded, 2);
    assert.equal((await openStore(out)).photos.length, 2); // both finished photos are stored
    assert.equal((await openStore(out)).manifest.complete, false);
    const resumed = await encodeFolder(dir, { out, jobs: 1 });
    assert.equal(resumed.unchanged, 2);
    assert.equal(resumed.encoded, 3);
    assert.equal((await openStore(out)).manifest.complete, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-store`, { recursive: true, force: true });
  }
});
