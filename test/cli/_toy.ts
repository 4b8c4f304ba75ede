// Shared by the CLI tests: a toy JSONL of "precomputed embeddings" (lib/datasets/precomputed.ts format) with tiny
// photos. 3 people with 3 photos each and 2 people with one photo: 11 faces. Each person's embeddings sit within
// about 0.2 (euclidean) of their own centre; centres are 1.41 apart, so any threshold in 0.3..1 is perfect.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const PEOPLE: [string, number][] = [['Ann', 3], ['Bob', 3], ['Cid', 3], ['Dee', 1], ['Eve', 1]];

export async function makeToy(): Promise<{ root: string; jsonl: string; photos: string }> {
  const root = mkdtempSync(join(tmpdir(), 'fc-cli-'));
  const photos = join(root, 'photos');
  const lines: string[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  for (const [p, [name, count]] of PEOPLE.entries()) {
    mkdirSync(join(photos, name), { recursive: true });
    for (let i = 1; i <= count; i++) {
      const file = `${name}/${name}_000${i}.jpg`;
      await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 40 * p, g: 100, b: 20 * i } } }).jpeg().toFile(join(photos, file));
      const descriptor = Array.from({ length: 128 }, (_, k) => (k === p ? 1 : 0) + 0.02 * rand());
      lines.push(JSON.stringify({ file, identity: name, width: 24, height: 24, faces: [{ box: [4, 4, 16, 16], score: 0.9, landmarks7: [], descriptor }] }));
    }
  }
  const jsonl = join(root, 'toy.jsonl');
  writeFileSync(jsonl, `${lines.join('\n')}\n`);
  return { root, jsonl, photos };
}

/**
 * The same toy faces as a face store (lib/store), written with the store's own writer: `<root>/store`, photo
 * folder `<root>/photos`, labels from the folder names (or none: `labelled` false).
 */
export async function makeToyStore(labelled = true): Promise<{ root: string; store: string; photos: string; jsonl: string }> {
  const { openStoreWriter } = await import('../../lib/store/write.ts');
  const { readFileSync } = await import('node:fs');
  const t = await makeToy();
  const store = join(t.root, 'store');
  const lines = readFileSync(t.jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; identity: string; faces: { box: number[]; descriptor: number[] }[] });
  const w = await openStoreWriter(store, {
    detector: 'ssd-mobilenet', detectorConfig: {}, embedder: 'resnet128', embeddingDimension: 128, minScore: null, minFaceSize: 0,
    align: { method: 'similarity', template: 'dlib', size: 150 }, maxPixels: 1e8, maxSide: 2048, labels: labelled ? 'folder' : 'none',
  }, { photoFolder: t.photos, backend: 'test' });
  await w.plan(lines.map((l) => ({ path: l.file, sizeBytes: 1, mtimeMs: 1 })));
  const lm = [0, 1, 2, 3, 4].map((k) => ({ x: 8 + k, y: 10 })) as never;
  await w.writeBatch(
    lines.map((l) => ({ path: l.file, sizeBytes: 1, mtimeMs: 1, width: 24, height: 24, status: 'ok' as const, reason: null, faceCount: 1, label: labelled ? l.identity : null })),
    lines.map((l) => ({
      path: l.file, faceIndex: 0, label: labelled ? l.identity : null, imageWidth: 24, imageHeight: 24, score: 0.9, landmarks5: lm,
      box: { x: 4, y: 4, width: 16, height: 16 }, embedding: Float32Array.from(l.faces[0].descriptor),
    })),
  );
  await w.finish(true);
  return { ...t, store };
}
