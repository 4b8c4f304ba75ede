// The quality column of the face store: every face encoded gets its quality score and signals; a store written
// before the column existed gets them on the next encode, from the stored detections and the photos, without
// running the detector again; the column reads back as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOBILEFACENET512_WEIGHTS } from '../../lib/embed/mobilefacenet512.ts';
import { encodeFolder } from '../../lib/pipeline/encode-folder.ts';
import { openStore } from '../../lib/store/read.ts';
import { facesFromArrow, facesToArrow } from '../../lib/store/schema.ts';
import { findData, findModelFile } from '../../lib/paths.ts';

const twoFaces = findData('lfw-subset/2faces');
const SKIP = !twoFaces
  ? 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)'
  : !existsSync(findModelFile(MOBILEFACENET512_WEIGHTS))
    ? 'mobilefacenet512 weights missing: run `npm run models:fetch`'
    : false;

test('encodeFolder: faces get a quality score; an older store without one gets it on the next encode, no detection', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-qcol-'));
  const photos = join(dir, 'photos');
  const out = join(dir, 'store');
  try {
    for (const [person, k] of [['Bill_Gates', 1], ['Bill_Gates', 2], ['Abdullah_Gul', 1]] as const) {
      mkdirSync(join(photos, person), { recursive: true });
      const name = `${person}_${String(k).padStart(4, '0')}.jpg`;
      copyFileSync(join(twoFaces!, person, name), join(photos, person, name));
    }
    await encodeFolder(photos, { out, jobs: 1 });
    const first = await openStore(out);
    assert.ok(first.faces.length >= 3);
    for (const f of first.faces) {
      assert.ok(f.quality! > 0 && f.quality! < 1, `quality ${f.quality}`);
      assert.ok(f.sharpness! > 0 && f.embeddingNorm! > 0);
    }
    // an "older store": the same faces without the three columns (as facecluster wrote them before)
    const file = join(out, 'faces.arrow');
    const old = facesFromArrow(readFileSync(file)).map(({ quality: _q, sharpness: _s, embeddingNorm: _n, ...f }) => f);
    writeFileSync(file, facesToArrow(old, first.faces[0].embedding.length));
    assert.ok((await openStore(out)).faces.every((f) => f.quality === undefined));
    const s = await encodeFolder(photos, { out, jobs: 1 });
    assert.equal(s.encoded, 0);
    assert.equal(s.detectorCalls, 0);
    assert.equal(s.reembedded, 3);
    const again = await openStore(out);
    again.faces.forEach((f, i) => {
      assert.deepEqual(f.box, first.faces[i].box); // the stored detections, not new ones
      assert.ok(Math.abs(f.quality! - first.faces[i].quality!) < 1e-3, // the stored (float32) points: the same chips to 1e-3
         `${f.path}: ${f.quality} vs ${first.faces[i].quality}`);
    });
    // nothing left to do
    assert.equal((await encodeFolder(photos, { out, jobs: 1 })).reembedded, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
