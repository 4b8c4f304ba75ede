import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { saveClusters } from '../../lib/index.ts';

/** A temp folder with photos: x/a.jpg, y/a.jpg (same base name), b.png, and rot.jpg (EXIF orientation 6). */
async function makePhotos() {
  const root = mkdtempSync(join(tmpdir(), 'fc-save-'));
  const photos = join(root, 'photos');
  mkdirSync(join(photos, 'x'), { recursive: true });
  mkdirSync(join(photos, 'y'));
  const solid = (r: number, g: number, b: number, w = 30, h = 20) => sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } });
  await solid(255, 0, 0).jpeg().toFile(join(photos, 'x', 'a.jpg'));
  await solid(0, 255, 0).jpeg().toFile(join(photos, 'y', 'a.jpg'));
  await solid(0, 0, 255).png().toFile(join(photos, 'b.png'));
  // Stored 40 wide x 80 tall: top half red, bottom half blue. Orientation 6 shows it turned 90 degrees clockwise,
  // i.e. upright 80 wide x 40 tall with the blue half on the left and the red half on the right.
  const raw = Buffer.alloc(40 * 80 * 3);
  for (let y = 0; y < 80; y++) for (let x = 0; x < 40; x++) raw.set(y < 40 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  await sharp(raw, { raw: { width: 40, height: 80, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(photos, 'rot.jpg'));
  return { root, photos };
}
const digest = (dir: string) => {
  const h = createHash('sha256');
  const walk = (d: string) => { for (const n of readdirSync(d).sort()) { const p = join(d, n); if (lstatSync(p).isDirectory()) walk(p); else h.update(n).update(readFileSync(p)); } };
  walk(dir);
  return h.digest('hex');
};

test('saveClusters copies photos into person-NNN folders (largest first) and noise/, never touching the photos', async () => {
  const { root, photos } = await makePhotos();
  try {
    const before = digest(photos);
    const faces = ['x/a.jpg', 'y/a.jpg', 'b.png', 'rot.jpg', 'b.png'].map((p) => ({ photo: join(photos, p) }));
    // Cluster 5 has 1 face, cluster 2 has 3 faces (two from b.png: one copy), rot.jpg is noise.
    const r = await saveClusters(join(root, 'out'), [2, 5, 2, -1, 2], faces);
    assert.deepEqual(r.folders.map((f) => [f.name, f.label, f.faces, f.files]), [
      ['person-001', 2, 3, 2], // x/a.jpg and b.png (b.png's two faces: one file)
      ['person-002', 5, 1, 1], // y/a.jpg
      ['noise', -1, 1, 1],
    ]);
    assert.equal(r.written, 4);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(readdirSync(join(root, 'out')).sort(), ['noise', 'person-001', 'person-002']);
    assert.deepEqual(readdirSync(join(root, 'out', 'person-001')).sort(), ['a.jpg', 'b.png']);
    assert.deepEqual(readFileSync(join(root, 'out', 'person-002', 'a.jpg')), readFileSync(join(photos, 'y', 'a.jpg')));
    assert.equal(digest(photos), before);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('saveClusters: same base name twice in a folder gets a suffix; links point at the photos', async () => {
  const { root, photos } = await makePhotos();
  try {
    const faces = [{ photo: join(photos, 'x', 'a.jpg') }, { photo: join(photos, 'y', 'a.jpg') }];
    const r = await saveClusters(join(root, 'out'), [0, 0], faces, { mode: 'link' });
    assert.equal(r.written, 2);
    const dir = join(root, 'out', 'person-001');
    assert.deepEqual(readdirSync(dir).sort(), ['a-2.jpg', 'a.jpg']);
    assert.ok(lstatSync(join(dir, 'a.jpg')).isSymbolicLink());
    assert.equal(readlinkSync(join(dir, 'a.jpg')), join(photos, 'x', 'a.jpg'));
    assert.equal(readlinkSync(join(dir, 'a-2.jpg')), join(photos, 'y', 'a.jpg'));
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('saveClusters crops faces from the upright (EXIF-rotated) photo', async () => {
  const { root, photos } = await makePhotos();
  try {
    // Upright rot.jpg is 80x40, red on the right (x >= 40). A 20x20 box at x 50 is all red; at x 5 all blue.
    const faces = [{ photo: join(photos, 'rot.jpg'), box: { x: 50, y: 10, width: 20, height: 20 } },
      { photo: join(photos, 'rot.jpg'), box: { x: 5, y: 10, width: 20, height: 20 } }];
    const r = await saveClusters(join(root, 'out'), [0, 1], faces, { mode: 'crops', cropMargin: 0 });
    assert.equal(r.written, 2);
    const red = join(root, 'out', 'person-001', 'rot-face0.jpg');
    const blue = join(root, 'out', 'person-002', 'rot-face1.jpg');
    for (const [file, channel] of [[red, 0], [blue, 2]] as const) {
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [20, 20]);
      const mean = [0, 1, 2].map((c) => { let s = 0; for (let i = c; i < data.length; i += 3) s += data[i]; return s / (data.length / 3); });
      assert.ok(mean[channel] > 200 && mean[2 - channel] < 50, `${file}: mean RGB ${mean}`);
    }
    // Box x 55..75, y 15..35 with margin 0.5 grows 10 px each side, clamped to the 80x40 image: x 45..80, y 5..40.
    const box = { x: 55, y: 15, width: 20, height: 20 };
    const m = await saveClusters(join(root, 'out2'), [0], [{ photo: join(photos, 'rot.jpg'), box }], { mode: 'crops', cropMargin: 0.5 });
    const meta = await sharp(join(m.dir, 'person-001', 'rot-face0.jpg')).metadata();
    assert.deepEqual([meta.width, meta.height], [35, 35]);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('saveClusters reports unreadable photos and goes on', async () => {
  const { root, photos } = await makePhotos();
  try {
    writeFileSync(join(photos, 'broken.jpg'), 'not a jpeg');
    const faces = [
      { photo: join(photos, 'missing.jpg'), box: { x: 0, y: 0, width: 5, height: 5 } },
      { photo: join(photos, 'broken.jpg'), box: { x: 0, y: 0, width: 5, height: 5 } },
      { photo: join(photos, 'b.png'), box: { x: 0, y: 0, width: 5, height: 5 } },
    ];
    const r = await saveClusters(join(root, 'out'), [0, 0, 0], faces, { mode: 'crops' });
    assert.equal(r.written, 1);
    assert.deepEqual(r.failed.map((f) => f.photo), [faces[0].photo, faces[1].photo]);
    const c = await saveClusters(join(root, 'out2'), [0, 0], faces.slice(0, 2).map((f) => ({ photo: f.photo })), { mode: 'copy' });
    assert.equal(c.failed.length, 1); // missing.jpg; broken.jpg copies fine (copying does not decode)
    const l = await saveClusters(join(root, 'out3'), [0], [{ photo: faces[0].photo }], { mode: 'link' });
    assert.equal(l.failed.length, 1); // no dangling links
    assert.deepEqual(readdirSync(join(root, 'out3', 'person-001')), []);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('saveClusters never writes into the photo folder, nor into a non-empty dir', async () => {
  const { root, photos } = await makePhotos();
  try {
    const before = digest(photos);
    const faces = [{ photo: join(photos, 'x', 'a.jpg') }, { photo: join(photos, 'b.png') }];
    // Inside the photo folder (the deepest folder holding every photo is `photos`).
    await assert.rejects(saveClusters(join(photos, 'clusters'), [0, 0], faces), { message: `saveClusters: dir must not be inside the photo folder ${JSON.stringify(photos)}, got ${JSON.stringify(join(photos, 'clusters'))}. facecluster never writes into the photo folder.` });
    await assert.rejects(saveClusters(photos, [0, 0], faces), /dir must not be inside the photo folder/);
    // Through a symbolic link that points into the photo folder.
    symlinkSync(join(photos, 'y'), join(root, 'sneaky'));
    await assert.rejects(saveClusters(join(root, 'sneaky', 'out'), [0, 0], faces), /dir must not be inside the photo folder/);
    // An explicit photoRoot widens the protected folder.
    await assert.rejects(saveClusters(join(root, 'out'), [0, 0], faces, { photoRoot: root }), /dir must not be inside the photo folder/);
    // A non-empty dir.
    mkdirSync(join(root, 'full'));
    writeFileSync(join(root, 'full', 'keep.txt'), 'mine');
    await assert.rejects(saveClusters(join(root, 'full'), [0, 0], faces), /dir must be a new or empty folder \(nothing is ever overwritten\)/);
    assert.equal(readFileSync(join(root, 'full', 'keep.txt'), 'utf8'), 'mine');
    assert.equal(digest(photos), before);
    assert.ok(!existsSync(join(photos, 'clusters')));
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('saveClusters: bad arguments', async () => {
  const f = [{ photo: '/tmp/p.jpg' }];
  const cases: [() => Promise<unknown>, string][] = [
    [() => saveClusters('/tmp/x', [0, 1], f), 'saveClusters: faces must have one entry per label (2), got length 1.'],
    [() => saveClusters('/tmp/x', [0], f, { mode: 'move' as never }), 'saveClusters: mode must be one of "copy", "link", "crops", got "move".'],
    [() => saveClusters('/tmp/x', [0], f, { mode: 'crops' }), 'saveClusters: faces[0].box must be a face box for mode "crops", got undefined.'],
    [() => saveClusters('/tmp/x', [-2], f), 'saveClusters: labels[0] must be an integer >= -1, got -2.'],
    [() => saveClusters('', [0], f), 'saveClusters: dir must be a folder path, got "".'],
    [() => saveClusters('/tmp/x', [0], f, { cropMargin: -1 }), 'saveClusters: cropMargin must be a finite number >= 0 and <= 10, got -1.'],
    [() => saveClusters('/tmp/x', [0], f, { overwrite: true } as never), 'saveClusters: unknown option "overwrite"; valid options are mode, cropMargin, photoRoot, names.'],
  ];
  for (const [call, message] of cases) await assert.rejects(call(), { message });
});

test('saveClusters: names give folder names (made safe and unique; "noise" stays the noise folder); others keep person-NNN', async () => {
  const { root, photos } = await makePhotos();
  try {
    const faces = ['x/a.jpg', 'y/a.jpg', 'b.png', 'rot.jpg'].map((p) => ({ photo: join(photos, p) }));
    // Labels 7 and 9 are named (9 with a path in its name, 7 "noise"), 4 is not; rot.jpg is noise.
    const r = await saveClusters(join(root, 'out'), [7, 9, 4, -1], faces, { names: { 7: 'noise', 9: '../Ann Smith (person-9)' } });
    assert.deepEqual(r.folders.map((f) => [f.label, f.name]), [[4, 'person-001'], [7, 'noise-2'], [9, 'Ann Smith (person-9)'], [-1, 'noise']]);
    assert.deepEqual(readdirSync(join(root, 'out')).sort(), ['Ann Smith (person-9)', 'noise', 'noise-2', 'person-001']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
