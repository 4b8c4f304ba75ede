import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFolder } from '../../lib/pipeline/encode-folder.ts';
import { openStore } from '../../lib/store/read.ts';
import { verificationAccuracy } from '../../lib/evaluate/verification.ts';
import { findData } from '../../lib/paths.ts';
import type { StoredFace } from '../../lib/store/schema.ts';

const subset = findData('lfw-subset/120faces');
const SKIP = subset ? false : 'LFW 120-face subset not found (set FACECLUSTER_DATA; see data/README.md)';

/** Per photo, the face whose box centre is nearest the image centre (LFW labels the centred face). */
export function centredFaces(faces: readonly StoredFace[]): StoredFace[] {
  const best = new Map<string, { face: StoredFace; d: number }>();
  for (const f of faces) {
    const d = Math.hypot(f.box.x + f.box.width / 2 - f.imageWidth / 2, f.box.y + f.box.height / 2 - f.imageHeight / 2);
    const b = best.get(f.path);
    if (!b || d < b.d) best.set(f.path, { face: f, d });
  }
  return [...best.values()].map((b) => b.face);
}

test('LFW 120-face subset (234 photos): a face in >= 97% of photos, verification accuracy >= 0.97', { skip: SKIP }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'fc-lfw-'));
  try {
    const s = await encodeFolder(subset!, { out });
    assert.equal(s.photos, 234);
    assert.equal(s.failures.length, 0);
    const store = await openStore(out);
    const withFace = store.photos.filter((p) => p.status === 'ok').length;
    const found = withFace / store.photos.length;
    const faces = centredFaces(store.faces);
    const v = verificationAccuracy(faces.map((f) => f.embedding), faces.map((f) => f.label ?? ''));
    // printed for the record (the test asserts the thresholds)
    console.log(`LFW subset: faces found in ${withFace}/${store.photos.length} photos (${(100 * found).toFixed(1)}%), verification accuracy ${v.accuracy.toFixed(4)} at ${v.threshold.toFixed(3)}, balanced ${v.balancedAccuracy.toFixed(4)}; ${s.seconds.toFixed(0)} s, ${s.jobs} jobs`);
    assert.ok(found >= 0.97, `faces found in ${(100 * found).toFixed(1)}% of photos`);
    assert.ok(v.accuracy >= 0.97, `verification accuracy ${v.accuracy}`);
    assert.ok(v.nSamePairs > 300, 'the subset has same-person pairs to verify');
    // every stored face carries its 5 landmarks inside the photo, and its label is the folder name
    for (const f of faces) {
      assert.equal(f.path.split('/')[0], f.label);
      for (const p of f.landmarks5) assert.ok(p.x >= -20 && p.x <= 270 && p.y >= -20 && p.y <= 270);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
