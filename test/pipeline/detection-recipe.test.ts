// The store records which detection recipe found each face; encoding a store with a recipe that only adds passes
// (UltraFace's tiles) runs it on the photos it changes and adds their new faces, the stored ones kept as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildMosaic, type MosaicTile } from '../../lib/datasets/mosaic.ts';
import { createDetector } from '../../lib/detect/registry.ts';
import { decodeImage } from '../../lib/image/decode.ts';
import { findData } from '../../lib/paths.ts';
import { encodeFolder } from '../../lib/pipeline/encode-folder.ts';
import { FACES_FILE, MANIFEST_FILE, PHOTOS_FILE } from '../../lib/store/layout.ts';
import { openStore } from '../../lib/store/read.ts';
import { facesToArrow, photosToArrow } from '../../lib/store/schema.ts';

const subset = findData('lfw-subset/120faces');
const SKIP = subset ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';

/** A folder with one LFW photo (250x250: no tiles) and a 1024x768 mosaic of 16 faces ~25 px high. */
async function photoFolder(dir: string): Promise<{ lfw: string; group: string }> {
  const people = readdirSync(subset!).sort();
  const alone = await createDetector('ultraface', { tileMinFace: 0 });
  const tiles: MosaicTile[] = [];
  for (const person of people.slice(1)) {
    if (tiles.length === 16) break;
    const { image } = await decodeImage(join(subset!, person, readdirSync(join(subset!, person)).sort()[0]));
    const faces = await alone.detect(image);
    if (faces.length === 1) tiles.push({ image, face: faces[0].box });
  }
  alone.dispose();
  const m = await buildMosaic(tiles, { columns: 4, tileSize: 48, gap: 48, width: 1024, height: 768, left: 300, top: 200 });
  mkdirSync(join(dir, 'a'), { recursive: true });
  mkdirSync(join(dir, 'b'), { recursive: true });
  const lfwName = readdirSync(join(subset!, people[0])).sort()[0];
  copyFileSync(join(subset!, people[0], lfwName), join(dir, 'a', lfwName));
  await sharp(Buffer.from(m.image.data), { raw: { width: 1024, height: 768, channels: 3 } }).png().toFile(join(dir, 'b', 'group.png'));
  return { lfw: `a/${lfwName}`, group: 'b/group.png' };
}

test('encodeFolder: a store of plain UltraFace, encoded with the tiled default, keeps its faces and adds the small ones of the large photo only', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-recipe-'));
  const photos = join(dir, 'photos');
  const out = join(dir, 'store');
  try {
    const { lfw, group } = await photoFolder(photos);
    const first = await encodeFolder(photos, { out, jobs: 1, detectorConfig: { tileMinFace: 0 } });
    assert.deepEqual([first.encoded, first.detectorCalls], [2, 2]);
    const before = await openStore(out);
    const groupBefore = before.faces.filter((f) => f.path === group);
    assert.ok(groupBefore.length < 14, `one pass misses several of the 16 small faces, got ${groupBefore.length}`);
    assert.ok(before.faces.every((f) => f.detector === 'ultraface'));
    assert.deepEqual(before.photos.map((p) => p.detectors), [['ultraface'], ['ultraface']]);

    // a store written before recipes were recorded: no detector columns, no tileMinFace in its parameters
    for (const p of before.photos) delete p.detectors;
    for (const f of before.faces) delete f.detector;
    writeFileSync(join(out, PHOTOS_FILE), photosToArrow(before.photos));
    writeFileSync(join(out, FACES_FILE), facesToArrow(before.faces, before.faces[0].embedding.length));
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), 'utf8'));
    delete manifest.parameters.detectorConfig.tileMinFace;
    writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(manifest));
    assert.equal((await openStore(out)).faces[0].detector, undefined);

    // the default recipe: tiles on the 1024x768 photo only; the LFW photo is not touched, nothing is re-embedded
    const second = await encodeFolder(photos, { out, jobs: 1 });
    assert.deepEqual([second.encoded, second.redetected, second.detectorCalls, second.parametersChanged], [0, 1, 1, false]);
    const after = await openStore(out);
    assert.equal(after.manifest.parameters.detectorConfig.tileMinFace, 20);
    const groupAfter = after.faces.filter((f) => f.path === group);
    assert.equal(groupAfter.length, 16, 'every face of the group photo');
    assert.equal(second.addedFaces, 16 - groupBefore.length);
    // the stored faces are the same rows (same boxes, same vectors), first, with the recipe that found them
    for (const [i, f] of groupBefore.entries()) {
      assert.deepEqual(groupAfter[i].box, f.box);
      assert.deepEqual(groupAfter[i].embedding, f.embedding);
      assert.equal(groupAfter[i].detector, 'ultraface');
    }
    assert.ok(groupAfter.slice(groupBefore.length).every((f, i) => f.detector === 'ultraface+tiles20' && f.faceIndex === groupBefore.length + i));
    const lfwFaces = (x: typeof after) => x.faces.filter((f) => f.path === lfw);
    assert.deepEqual(lfwFaces(after).map((f) => [f.box, f.detector]), lfwFaces(before).map((f) => [f.box, 'ultraface']));
    const photo = (x: typeof after, path: string) => x.photos.find((p) => p.path === path)!;
    assert.deepEqual(photo(after, group).detectors, ['ultraface', 'ultraface+tiles20']);
    assert.equal(photo(after, group).faceCount, 16);
    assert.deepEqual(photo(after, lfw).detectors, ['ultraface']);

    // nothing left to do
    const third = await encodeFolder(photos, { out, jobs: 1 });
    assert.deepEqual([third.encoded, third.redetected, third.detectorCalls], [0, 0, 0]);
    // a change of a detection option that is not a recipe one (minScore) still re-detects every photo
    const fourth = await encodeFolder(photos, { out, jobs: 1, minScore: 0.8 });
    assert.deepEqual([fourth.encoded, fourth.parametersChanged], [2, true]);
    assert.ok((await openStore(out)).faces.every((f) => f.detector !== undefined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
