// Small faces in large photos: UltraFace's tiles (lib/detect/tiles.ts), the merge of their copies (nms.ts), on
// hand-worked boxes and on LFW mosaics whose faces are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildMosaic, type MosaicTile } from '../../lib/datasets/mosaic.ts';
import { boxIou, boxOverlapOfSmaller, suppressOverlaps } from '../../lib/detect/nms.ts';
import { createDetector, detectionRecipe } from '../../lib/detect/registry.ts';
import { locateInTiles, tileCount } from '../../lib/detect/tiles.ts';
import { ULTRAFACE_TILE_GEOMETRY, ultrafaceTiles } from '../../lib/detect/ultraface.ts';
import { matchDetections } from '../../lib/evaluate/detection.ts';
import { decodeImage } from '../../lib/image/decode.ts';
import { findData } from '../../lib/paths.ts';

const subset = findData('lfw-subset/120faces');
const SKIP = subset ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';

test('boxIou, boxOverlapOfSmaller, suppressOverlaps: hand-worked boxes', () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  const b = { x: 5, y: 0, width: 10, height: 10 }; // intersection 50, union 150
  assert.equal(boxIou(a, b), 1 / 3);
  assert.equal(boxIou(a, { x: 10, y: 0, width: 5, height: 5 }), 0); // touching edges only
  const inner = { x: 2, y: 2, width: 4, height: 4 }; // inside a: IoU 16/100, all of it inside
  assert.equal(boxIou(a, inner), 0.16);
  assert.equal(boxOverlapOfSmaller(a, inner), 1);
  const items = [
    { box: inner, score: 0.8 },
    { box: a, score: 0.9 },
    { box: b, score: 0.95 },
  ];
  // b kept first; a overlaps it by IoU 1/3 > 0.3: dropped; inner overlaps b by 1x4 px (b starts at x 5, inner ends
  // at x 6): IoU 4/112, kept
  assert.deepEqual(suppressOverlaps(items, 0.3).map((i) => i.score), [0.95, 0.8]);
  // at IoU 1/3 exactly the threshold keeps (strictly above drops); inner overlaps a by IoU 0.16: kept
  assert.deepEqual(suppressOverlaps(items, 1 / 3).map((i) => i.score), [0.95, 0.9, 0.8]);
  // ... unless a box mostly inside a kept one is dropped: inner lies wholly in a (and 4/16 of it in b)
  assert.deepEqual(suppressOverlaps(items, 1 / 3, Infinity, 0.5).map((i) => i.score), [0.95, 0.9]);
  assert.deepEqual(suppressOverlaps(items, 0.3, 1).map((i) => i.score), [0.95]); // at most one
  assert.equal(items[0].score, 0.8, 'input not reordered');
});

test('planTiles: no tiles up to ~400 px (LFW, the devsets); larger photos get overlapping windows covering them', () => {
  for (const [w, h] of [[250, 250], [256, 256], [320, 243], [320, 320], [400, 300], [480, 360]]) {
    assert.deepEqual(ultrafaceTiles(w, h), [], `${w}x${h}`);
    assert.equal(detectionRecipe('ultraface', { tileMinFace: 20 }, w, h), 'ultraface');
  }
  assert.deepEqual(ultrafaceTiles(2048, 1536, 0), [], 'tileMinFace 0: off');
  // 640x405 (the 27-people photo of issue 22): one level at scale 24/20 = 1.2, windows of 267x200
  const [level, ...rest] = ultrafaceTiles(640, 405);
  assert.equal(rest.length, 0);
  assert.ok(Math.abs(level.scale - 1.2) < 1e-9);
  assert.equal(level.windows[0].width, 267);
  assert.equal(level.windows[0].height, 200);
  assert.equal(detectionRecipe('ultraface', { tileMinFace: 20 }, 640, 405), 'ultraface+tiles20');
  assert.equal(detectionRecipe('ultraface', {}, 640, 405), 'ultraface', 'a store config without tileMinFace ran no tiles');
  assert.equal(detectionRecipe('mtcnn', { tileMinFace: 20 }, 640, 405), 'mtcnn');
  // every pixel of a 2048x1536 photo is in a window of each level; neighbours overlap by >= 90 input px
  const levels = ultrafaceTiles(2048, 1536);
  assert.equal(levels.length, 2);
  assert.equal(tileCount(levels), 148);
  for (const l of levels) {
    const xs = [...new Set(l.windows.map((w) => w.x))].sort((p, q) => p - q);
    const w = l.windows[0].width;
    assert.equal(xs[0], 0);
    assert.equal(xs[xs.length - 1] + w, 2048);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i - 1] + w - xs[i] >= 90 / l.scale - 1, `overlap at level ${l.scale}`);
  }
});

/** 16 photos of the LFW subset (first photo of the first people in order) where UltraFace finds one face. */
async function sixteenFaces(): Promise<MosaicTile[]> {
  const alone = await createDetector('ultraface', { tileMinFace: 0 });
  const tiles: MosaicTile[] = [];
  for (const person of readdirSync(subset!).sort()) {
    if (tiles.length === 16) break;
    const { image } = await decodeImage(join(subset!, person, readdirSync(join(subset!, person)).sort()[0]));
    const faces = await alone.detect(image);
    if (faces.length === 1) tiles.push({ image, face: faces[0].box });
  }
  alone.dispose();
  return tiles;
}

test('ultraface default: a 1024x768 group photo of 16 known faces ~30 px high finds all 16 (one pass alone misses several)', { skip: SKIP }, async () => {
  const tiles = await sixteenFaces();
  assert.equal(tiles.length, 16);
  const mosaic = await buildMosaic(tiles, { columns: 4, tileSize: 52, gap: 40, width: 1024, height: 768, left: 300, top: 200 });
  const heights = mosaic.faces.map((f) => f.height);
  assert.ok(Math.max(...heights) < 45 && Math.min(...heights) >= 20, `faces 20-45 px high, got ${heights.map(Math.round)}`);
  const det = await createDetector('ultraface');
  const found = await det.detect(mosaic.image);
  const m = matchDetections(mosaic.faces, found.map((f) => f.box), 0.4);
  assert.equal(m.truthFound.filter(Boolean).length, 16, 'every known face found');
  assert.equal(found.length, 16, 'no other detection');
  det.dispose();
  const alone = await createDetector('ultraface', { tileMinFace: 0 });
  const one = matchDetections(mosaic.faces, (await alone.detect(mosaic.image)).map((f) => f.box), 0.4);
  assert.ok(one.truthFound.filter(Boolean).length < 14, `one 320x240 pass misses several of these faces, got ${one.truthFound.filter(Boolean).length} of 16`);
  alone.dispose();
});

test('ultraface default: a face in the overlap of two windows is found in both and becomes one face', { skip: SKIP }, async () => {
  const [tile] = await sixteenFaces();
  const W = 1024, H = 768;
  const [, fine] = ultrafaceTiles(W, H);
  // two horizontally adjacent windows of the finest level; the face centred in their overlap
  const [w0, w1] = fine.windows;
  assert.equal(w0.y, w1.y);
  const overlap = { x0: w1.x, x1: w0.x + w0.width };
  const size = 60;
  const left = Math.round((overlap.x0 + overlap.x1) / 2 - size / 2);
  const mosaic = await buildMosaic([tile], { columns: 1, tileSize: size, width: W, height: H, left, top: w0.y + 60 });
  const face = mosaic.faces[0];
  assert.ok(face.x > overlap.x0 && face.x + face.width < overlap.x1, 'the face lies whole in both windows');
  // the windows alone give two copies of it (boxes in photo pixels)
  const alone = await createDetector('ultraface', { tileMinFace: 0, retryPadding: 0 });
  const copies = await locateInTiles(mosaic.image, [{ scale: fine.scale, windows: [w0, w1] }], ULTRAFACE_TILE_GEOMETRY, (win) => alone.detect(win));
  assert.equal(copies.length, 2);
  assert.ok(copies.every((c) => boxIou(c.box, face) >= 0.4));
  alone.dispose();
  const det = await createDetector('ultraface');
  const found = await det.detect(mosaic.image);
  assert.equal(found.length, 1, `one face, got ${JSON.stringify(found.map((f) => f.box))}`);
  assert.ok(boxIou(found[0].box, face) >= 0.4);
  det.dispose();
});
