import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, estimateSimilarity, invertAffine } from '../../lib/align/similarity.ts';
import { alignFace, landmarkBoxCrop, normCrop, warpAffine, mapPoints } from '../../lib/align/norm-crop.ts';
import { arcfaceTemplate, dlibTemplate, DLIB_UNIT_POINTS } from '../../lib/align/templates.ts';
import type { Landmarks5, Point } from '../../lib/types.ts';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

test('estimateSimilarity: recovers a known rotation + scale + translation exactly', () => {
  // T(p) = 2 * R(90°) p + (10, 5): (1,0) -> (10, 7), (0,1) -> (8, 5)
  const src: Point[] = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 3, y: 2 }];
  const dst = src.map((p) => ({ x: -2 * p.y + 10, y: 2 * p.x + 5 }));
  const m = estimateSimilarity(src, dst);
  assert.ok(close(m.a, 0) && close(m.b, -2) && close(m.c, 2) && close(m.d, 0), JSON.stringify(m));
  assert.ok(close(m.tx, 10) && close(m.ty, 5));
  const back = applyAffine(invertAffine(m), { x: 10, y: 7 });
  assert.ok(close(back.x, 1) && close(back.y, 0)); // inverse maps (10,7) back to (1,0)
});

test('estimateSimilarity: least squares over noisy points; a mirror image is not fitted by a reflection', () => {
  // two points only: exact fit, scale = distance ratio
  const m = estimateSimilarity([{ x: 0, y: 0 }, { x: 2, y: 0 }], [{ x: 1, y: 1 }, { x: 1, y: 5 }]);
  assert.ok(close(Math.hypot(m.a, m.c), 2)); // |dst| / |src| = 4 / 2
  // mirrored (x -> -x) square: the best similarity without reflection is a shrink to the centroid
  const sq: Point[] = [{ x: -1, y: -1 }, { x: 1, y: -1 }, { x: 1, y: 1 }, { x: -1, y: 1 }];
  const mirrored = sq.map((p) => ({ x: -p.x, y: p.y }));
  const r = estimateSimilarity(sq, mirrored);
  assert.ok(close(r.a, 0) && close(r.c, 0), `no rotation-scale fits a mirror: ${JSON.stringify(r)}`);
});

test('estimateSimilarity: degenerate inputs throw with the parameter', () => {
  assert.throws(() => estimateSimilarity([{ x: 1, y: 1 }], [{ x: 1, y: 1 }]), /estimateSimilarity: src must have at least 2 points, got 1\./);
  assert.throws(() => estimateSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 1 }]), /src must hold at least 2 distinct points/);
  assert.throws(() => estimateSimilarity([{ x: 0, y: 0 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }]), /src and dst must have the same length, got 2 and 1\./);
});

test('templates: dlib 5 points come from its mean face; arcface at 112 is insightface\'s arcface_dst', () => {
  // left eye centre = mean of dlib points 36-41 x: (0.121737+0.187122+0.265825+0.334606+0.260918+0.182743)/6
  assert.ok(close(DLIB_UNIT_POINTS[0].x, 1.352951 / 6, 1e-9));
  // 150 px chip, padding 0.25: nose tip x = (0.25 + 0.490127) / 1.5 * 150 = 74.0127
  assert.ok(close(dlibTemplate(150, 0.25).points[2].x, 74.0127, 1e-9));
  assert.deepEqual(arcfaceTemplate(112).points[0], { x: 38.2946, y: 51.6963 });
  // the templates are symmetric: eyes level, nose between the eyes
  const t = dlibTemplate();
  assert.ok(close(t.points[0].y, t.points[1].y, 1e-9));
  assert.ok(t.points[0].x < t.points[2].x && t.points[2].x < t.points[1].x);
});

/** A synthetic image: a bright dot at each point, black elsewhere. */
function dots(width: number, height: number, points: readonly Point[]) {
  const data = new Uint8Array(width * height * 3);
  for (const p of points) {
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const x = Math.round(p.x) + dx, y = Math.round(p.y) + dy;
      data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { data, width, height };
}

test('normCrop: a rotated, scaled face lands on the template, upright', () => {
  const t = dlibTemplate(150);
  // place the template's points in a 400x300 image rotated by 30°, scaled x1.7, shifted
  const ang = Math.PI / 6, s = 1.7;
  const face = t.points.map((p) => ({ x: s * (Math.cos(ang) * p.x - Math.sin(ang) * p.y) + 150, y: s * (Math.sin(ang) * p.x + Math.cos(ang) * p.y) + 20 })) as Landmarks5;
  const img = dots(400, 300, face);
  const { chip, imageToChip } = normCrop(img, face, 'dlib', 150);
  assert.equal(chip.width, 150);
  const mapped = mapPoints(imageToChip, face);
  mapped.forEach((p, i) => assert.ok(Math.hypot(p.x - t.points[i].x, p.y - t.points[i].y) < 1e-6, `point ${i} on the template`));
  // the dots are bright in the chip at the template points
  for (const p of t.points) {
    const v = chip.data[(Math.round(p.y) * 150 + Math.round(p.x)) * 3];
    assert.ok(v > 100, `bright at template point, got ${v}`);
  }
  assert.equal(chip.data[(5 * 150 + 5) * 3], 0); // background stays black
});

test('warpAffine: identity copies pixels; outside the image is black', () => {
  const img = { data: Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => 10 * i), width: 2, height: 2 };
  const same = warpAffine(img, { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 }, 2);
  assert.deepEqual([...same.data], [...img.data]);
  const shifted = warpAffine(img, { a: 1, b: 0, c: 0, d: 1, tx: 5, ty: 5 }, 2);
  assert.deepEqual([...shifted.data], new Array(12).fill(0));
});

test('landmarkBoxCrop: the box of the points fills the chip, padded to a square', () => {
  // points spanning x 10..50 (40 wide), y 20..40 (20 high): square side 40, 10 px black above and below
  const pts: Point[] = [{ x: 10, y: 20 }, { x: 50, y: 40 }];
  const img = { data: new Uint8Array(100 * 100 * 3).fill(200), width: 100, height: 100 };
  const { chip } = landmarkBoxCrop(img, pts, 40);
  assert.equal(chip.data[(20 * 40 + 20) * 3], 200); // centre: image
  assert.equal(chip.data[(2 * 40 + 20) * 3], 0); // top padding: black (face-api pads, it does not take more image)
});

test('alignFace: bad options and missing landmarks are reported', () => {
  const img = { data: new Uint8Array(30), width: 10, height: 1 };
  const lm = dlibTemplate(150).points;
  assert.throws(() => alignFace(img, { landmarks5: lm }, { method: 'landmark-box' }), /alignFace: method "landmark-box" needs 68 landmarks/);
  assert.throws(() => alignFace(img, { landmarks5: lm }, { template: 'vgg' as never }), /alignFace: template must be one of "dlib", "arcface", got "vgg"\./);
  assert.throws(() => alignFace(img, { landmarks5: lm }, { size: 8 }), /alignFace: size must be an integer >= 16 and <= 1024, got 8\./);
});
