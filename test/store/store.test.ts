import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readdirSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoreWriter, type ScannedFile } from '../../lib/store/write.ts';
import { openStore, readFaces } from '../../lib/store/read.ts';
import type { EncodeParameters } from '../../lib/store/manifest.ts';
import type { PhotoRecord, StoredFace } from '../../lib/store/schema.ts';
import type { Landmarks5 } from '../../lib/types.ts';

const PARAMS: EncodeParameters = {
  detector: 'ssd-mobilenet', detectorConfig: {}, embedder: 'resnet128', embeddingDimension: 4, minScore: null, minFaceSize: 0,
  align: { method: 'similarity', template: 'dlib', size: 150 }, maxPixels: 1e8, maxSide: 2048, labels: 'folder',
};
const INFO = { photoFolder: '/photos', backend: 'test' };

function photo(path: string, faceCount: number, status: PhotoRecord['status'] = faceCount ? 'ok' : 'no-face'): PhotoRecord {
  return { path, sizeBytes: 100, mtimeMs: 5, width: 250, height: 200, status, reason: status === 'failed' ? 'corrupt image: x' : null, faceCount, label: path.split('/')[0] };
}
function face(path: string, i: number, v: number): StoredFace {
  const lm = [0, 1, 2, 3, 4].map((k) => ({ x: 10 * k + 0.5, y: 20 + k })) as Landmarks5;
  return { path, faceIndex: i, label: path.split('/')[0], imageWidth: 250, imageHeight: 200, box: { x: 1.5, y: 2.5, width: 30, height: 40 }, score: 0.75, landmarks5: lm, embedding: Float32Array.from([v, v + 1, v + 2, v + 3]) };
}
const scan = (...paths: string[]): ScannedFile[] => paths.map((path) => ({ path, sizeBytes: 100, mtimeMs: 5 }));

test('store: batches round-trip through Arrow with every field intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-store-'));
  try {
    const w = await openStoreWriter(dir, PARAMS, INFO);
    const plan = await w.plan(scan('a/1.jpg', 'b/2.jpg', 'b/3.jpg'));
    assert.equal(plan.todo.length, 3); // empty store: everything to do
    await w.writeBatch([photo('a/1.jpg', 2), photo('b/2.jpg', 0)], [face('a/1.jpg', 1, 10), face('a/1.jpg', 0, 0)]);
    await w.writeBatch([photo('b/3.jpg', 0, 'failed')], []);
    const m = await w.finish(true);
    assert.deepEqual(m.counts, { photos: 3, faces: 2, noFace: 1, failed: 1 });
    assert.deepEqual(readdirSync(join(dir, 'batches')), []); // merged into the tables
    assert.equal(existsSync(join(dir, 'lock')), false); // lock released
    const s = await openStore(dir);
    assert.deepEqual(s.paths, ['a/1.jpg', 'a/1.jpg']);
    assert.deepEqual(s.faces.map((f) => f.faceIndex), [0, 1]); // sorted by face index within a photo
    assert.deepEqual([...s.embeddings[1]], [10, 11, 12, 13]);
    assert.deepEqual(s.labels, ['a', 'a']);
    assert.deepEqual(s.faces[0].box, { x: 1.5, y: 2.5, width: 30, height: 40 });
    assert.deepEqual(s.faces[0].landmarks5[4], { x: 40.5, y: 24 });
    assert.equal(s.faces[0].score, 0.75);
    assert.equal(s.photos.find((p) => p.path === 'b/3.jpg')?.reason, 'corrupt image: x');
    assert.equal(s.manifest.parameters.detector, 'ssd-mobilenet');
    assert.equal((await readFaces(dir)).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('store: plan encodes only new and changed photos, drops deleted ones, redoes all when parameters change', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-store-'));
  try {
    let w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan(scan('a/1.jpg', 'a/2.jpg', 'b/3.jpg'));
    await w.writeBatch([photo('a/1.jpg', 1), photo('a/2.jpg', 1), photo('b/3.jpg', 1)], [face('a/1.jpg', 0, 1), face('a/2.jpg', 0, 2), face('b/3.jpg', 0, 3)]);
    await w.finish(true);

    w = await openStoreWriter(dir, PARAMS, INFO);
    const changed = scan('a/1.jpg', 'b/3.jpg', 'c/4.jpg'); // a/2 deleted, c/4 new
    changed[1].mtimeMs = 6; // b/3 modified
    const plan = await w.plan(changed);
    assert.deepEqual(plan.todo.map((f) => f.path), ['b/3.jpg', 'c/4.jpg']);
    assert.equal(plan.unchanged, 1);
    assert.equal(plan.deleted, 1);
    assert.equal(plan.parametersChanged, false);
    // Right after planning, the store holds only the still-valid photo.
    assert.deepEqual((await openStore(dir)).paths, ['a/1.jpg']);
    await w.finish(true);

    w = await openStoreWriter(dir, { ...PARAMS, minFaceSize: 20 }, INFO);
    const plan2 = await w.plan(scan('a/1.jpg'));
    assert.equal(plan2.parametersChanged, true);
    assert.deepEqual(plan2.todo.map((f) => f.path), ['a/1.jpg']);
    await w.finish(true);
    assert.equal((await openStore(dir)).faces.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('store: committed batches of an unfinished run are read, and a second writer is refused while the first runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-store-'));
  try {
    const w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan(scan('a/1.jpg', 'a/2.jpg'));
    await w.writeBatch([photo('a/1.jpg', 1)], [face('a/1.jpg', 0, 7)]);
    // no finish(): as if the process was killed
    assert.deepEqual((await openStore(dir)).paths, ['a/1.jpg']);
    await assert.rejects(openStoreWriter(dir, PARAMS, INFO), /being written by process/);
    await w.release();
    const w2 = await openStoreWriter(dir, PARAMS, INFO);
    const plan = await w2.plan(scan('a/1.jpg', 'a/2.jpg'));
    assert.deepEqual(plan.todo.map((f) => f.path), ['a/2.jpg']); // resumes
    await w2.finish(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('store: refuses a store folder that is a symbolic link, and openStore names a folder without a store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-store-'));
  try {
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'link'));
    await assert.rejects(openStoreWriter(join(dir, 'link'), PARAMS, INFO), /symbolic link; refusing to follow it/);
    await assert.rejects(openStore(join(dir, 'elsewhere')), /openStore: dir must be a face store/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
