// readFaceTable: the store's faces as columns must be openStore's faces, row for row and value for value, both
// when the store is one compacted file (slices) and when an unfinished run left batches over it (gathered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoreWriter, type ScannedFile } from '../../lib/store/write.ts';
import { openStore } from '../../lib/store/read.ts';
import { readFaceTable, type FaceTable } from '../../lib/store/face-table.ts';
import type { EncodeParameters } from '../../lib/store/manifest.ts';
import type { PhotoRecord, StoredFace } from '../../lib/store/schema.ts';
import type { Landmarks5 } from '../../lib/types.ts';

const PARAMS: EncodeParameters = {
  detector: 'ssd-mobilenet', detectorConfig: {}, embedder: 'resnet128', embeddingDimension: 4, minScore: null, minFaceSize: 0,
  align: { method: 'similarity', template: 'dlib', size: 150 }, maxPixels: 1e8, maxSide: 2048, labels: 'folder',
};
const INFO = { photoFolder: '/photos', backend: 'test' };

function photo(path: string, faceCount: number, mtimeMs = 5): PhotoRecord {
  return { path, sizeBytes: 100, mtimeMs, width: 250, height: 200, status: faceCount ? 'ok' : 'no-face', reason: null, faceCount, label: path.split('/')[0] };
}
/** A face whose every number derives from `v`, so a row taken from the wrong place shows. */
function face(path: string, i: number, v: number, quality?: number): StoredFace {
  const lm = [0, 1, 2, 3, 4].map((k) => ({ x: v + k, y: 20 + k })) as Landmarks5;
  return {
    path, faceIndex: i, label: v % 2 ? null : path.split('/')[0], imageWidth: 250, imageHeight: 200, box: { x: v + 0.5, y: 2.5, width: 30, height: 40 + v },
    score: 0.5 + v / 100, landmarks5: lm, embedding: Float32Array.from([v, v + 0.25, -v, 1 / (v + 1)]), ...(quality === undefined ? {} : { quality }),
  };
}
const scan = (...files: [string, number][]): ScannedFile[] => files.map(([path, mtimeMs]) => ({ path, sizeBytes: 100, mtimeMs }));

/** Every row of every column the export reads, taken in windows of `step` rows, against openStore's faces. */
async function assertSameAsOpenStore(t: FaceTable, dir: string, step: number): Promise<void> {
  const store = await openStore(dir);
  assert.equal(t.length, store.faces.length);
  assert.deepEqual(t.paths, store.faces.map((f) => f.path));
  assert.deepEqual([...t.faceIndex], store.faces.map((f) => f.faceIndex));
  for (let from = 0; from < t.length; from += step) {
    const to = Math.min(t.length, from + step);
    const cols = new Map(['path', 'faceIndex', 'label', 'x', 'y', 'width', 'height', 'score', 'quality', 'embedding'].map((c) => [c, t.column(c, from, to)]));
    const col = (name: string) => cols.get(name)!;
    for (let i = from; i < to; i++) {
      const f = store.faces[i];
      const k = i - from;
      const at = `face ${i} (${f.path}#${f.faceIndex}), window ${from}..${to}`;
      assert.equal(col('path').get(k), f.path, at);
      assert.equal(col('faceIndex').get(k), f.faceIndex, at);
      assert.equal(col('label').get(k), f.label, at);
      assert.deepEqual([col('x').get(k), col('y').get(k), col('width').get(k), col('height').get(k)], [f.box.x, f.box.y, f.box.width, f.box.height], at);
      assert.equal(col('score').get(k), Math.fround(f.score), at);
      assert.equal(col('quality').get(k), f.quality === undefined ? null : Math.fround(f.quality), at);
      assert.deepEqual([...(col('embedding').get(k)!.toArray() as Float32Array)], [...store.embeddings[i]], at);
    }
  }
}

test('readFaceTable: an unfinished run over a compacted store gives openStore rows (gathered), then the finished store (sliced)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-face-table-'));
  try {
    let w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan(scan(['a/1.jpg', 5], ['a/2.jpg', 5], ['b/3.jpg', 5]));
    // faces given in the order a detector may give them: face 1 before face 0
    await w.writeBatch([photo('a/1.jpg', 2), photo('a/2.jpg', 1), photo('b/3.jpg', 1)], [face('a/1.jpg', 1, 11), face('a/1.jpg', 0, 10, 0.75), face('a/2.jpg', 0, 20), face('b/3.jpg', 0, 30)]);
    await w.finish(true);
    let t = await readFaceTable(dir);
    assert.equal(t.direct, true, 'one compacted file in order');
    assert.deepEqual(t.paths, ['a/1.jpg', 'a/1.jpg', 'a/2.jpg', 'b/3.jpg']);
    assert.deepEqual([...t.faceIndex], [0, 1, 0, 0]);
    await assertSameAsOpenStore(t, dir, 3);

    // A second run: a/2 changed (its stored face dropped), b/3 deleted, c/4 new; killed before it finished.
    w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan(scan(['a/1.jpg', 5], ['a/2.jpg', 6], ['c/4.jpg', 5]));
    await w.writeBatch([photo('c/4.jpg', 1)], [face('c/4.jpg', 0, 40)]);
    await w.writeBatch([photo('a/2.jpg', 2, 6)], [face('a/2.jpg', 1, 22, 0.5), face('a/2.jpg', 0, 21)]);
    await w.writeBatch([photo('c/4.jpg', 1)], [face('c/4.jpg', 0, 41)]); // c/4 written again: this batch wins
    await w.release();
    t = await readFaceTable(dir);
    assert.equal(t.direct, false, 'batches over the compacted file');
    // by hand: a/1's two faces from the compacted file, a/2's two from the second batch, c/4's from the third
    assert.deepEqual(t.paths, ['a/1.jpg', 'a/1.jpg', 'a/2.jpg', 'a/2.jpg', 'c/4.jpg']);
    assert.deepEqual([...t.faceIndex], [0, 1, 0, 1, 0]);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => t.column('embedding', i, i + 1).get(0)!.get(0)), [10, 11, 21, 22, 41]);
    for (const step of [1, 2, 5]) await assertSameAsOpenStore(t, dir, step);

    // finishing merges the batches: the same rows, read as slices again
    w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan(scan(['a/1.jpg', 5], ['a/2.jpg', 6], ['c/4.jpg', 5]));
    await w.finish(true);
    t = await readFaceTable(dir);
    assert.equal(t.direct, true);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => t.column('embedding', i, i + 1).get(0)!.get(0)), [10, 11, 21, 22, 41]);
    await assertSameAsOpenStore(t, dir, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readFaceTable: an empty store; rows out of range and a folder without a store are refused, naming the value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-face-table-'));
  try {
    const w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan([]);
    await w.finish(true);
    const t = await readFaceTable(dir);
    assert.equal(t.length, 0);
    assert.equal(t.dimension, 4);
    assert.equal(t.column('embedding', 0, 0).length, 0);
    assert.throws(() => t.column('x', 0, 1), /FaceTable\.column: from, to must be rows with 0 <= from <= to <= 0, got \[0,1\]/);
    await assert.rejects(readFaceTable(join(dir, 'nothing')), /openStore: dir must be a face store/);
    await assert.rejects(readFaceTable(''), /readFaceTable: dir must be a store folder, got ""/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readFaceTable: a finished store of more faces than one record batch (FACES_FILE_BATCH): windows across batches as openStore gives them', async () => {
  const { FACES_FILE_BATCH } = await import('../../lib/store/write.ts');
  const dir = mkdtempSync(join(tmpdir(), 'fc-face-table-'));
  try {
    const n = FACES_FILE_BATCH + 3;
    const path = (i: number) => `p${i % 7}/${String(i).padStart(5, '0')}.jpg`;
    const w = await openStoreWriter(dir, PARAMS, INFO);
    await w.plan(scan(...Array.from({ length: n }, (_, i): [string, number] => [path(i), 5])));
    await w.writeBatch(Array.from({ length: n }, (_, i) => photo(path(i), 1)), Array.from({ length: n }, (_, i) => face(path(i), 0, i, i % 3 ? undefined : i / n)));
    await w.finish(true);
    const t = await readFaceTable(dir);
    assert.equal(t.direct, true);
    assert.equal(t.length, n);
    await assertSameAsOpenStore(t, dir, 4099); // windows 0..4099, 4099..8198 (across the batch edge at 8,192), 8198..
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
