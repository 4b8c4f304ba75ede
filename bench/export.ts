/**
 * Export benchmark: `exportStore` (Parquet by default, CSV with --csv) on an existing face store, or on a synthetic
 * store of n faces written with the store's own writer (lib/store/write.ts) in a temporary folder.
 *
 * Usage:
 *   npm run bench:export -- --store /work/cache/stores/lfw      export an existing store (read-only) into a temp dir
 *   npm run bench:export -- --faces 1000000 --dim 512           a synthetic 1M x 512 store (~3.5 min, peak 3 GB, 2.2 GB on disk)
 *   --csv        also time the CSV export (1M x 512 floats in CSV is ~5 GB of text)
 *   --people N   synthetic people joined to the faces (default 10,000; 0: none)
 *   --keep       keep the temporary folder (its path is printed)
 *
 * Synthetic faces: one face per photo, unit vectors from a seeded normal generator, box and score varied.
 * Prints figures (seconds, file sizes, peak RSS, the load average); never asserts. The machine has 2 cores shared
 * with others: quote figures with their load.
 */
import { loadavg } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '../lib/cluster/_input.ts';
import { readFaceTable } from '../lib/store/face-table.ts';
import { openStoreWriter } from '../lib/store/write.ts';
import { exportStore, type ExportPeople } from '../lib/store/export.ts';
import type { PhotoRecord, StoredFace } from '../lib/store/schema.ts';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string' },
    faces: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '512' },
    people: { type: 'string', default: '10000' },
    csv: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const secs = (t0: number) => (performance.now() - t0) / 1000;
/** CPU seconds (user + system) of this process since `c0`: the figure a busy shared machine distorts least. */
const cpu = (c0: NodeJS.CpuUsage) => { const c = process.cpuUsage(c0); return `${((c.user + c.system) / 1e6).toFixed(1)} s CPU`; };
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function synthesise(dir: string, n: number, dim: number): Promise<void> {
  const w = await openStoreWriter(dir, {
    detector: 'ssd-mobilenet', detectorConfig: {}, embedder: 'synthetic', embeddingDimension: dim, minScore: null, minFaceSize: 0,
    align: { method: 'similarity', template: 'arcface', size: 112 }, maxPixels: 1e8, maxSide: 2048, labels: 'folder',
  }, { photoFolder: join(dir, '..', 'photos'), backend: 'bench' });
  const path = (i: number) => `person_${String(i % 50_000).padStart(5, '0')}/photo_${String(i).padStart(7, '0')}.jpg`;
  await w.plan(Array.from({ length: n }, (_, i) => ({ path: path(i), sizeBytes: 1, mtimeMs: 1 })));
  const rnd = new Random(21);
  const batch = 50_000;
  const lm = [0, 1, 2, 3, 4].map((k) => ({ x: 30 + k, y: 40 })) as StoredFace['landmarks5'];
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const photos: PhotoRecord[] = [];
    const faces: StoredFace[] = [];
    for (let i = from; i < to; i++) {
      const v = new Float32Array(dim);
      let norm = 0;
      for (let k = 0; k < dim; k++) {
        v[k] = rnd.normal();
        norm += v[k] * v[k];
      }
      const s = 1 / Math.sqrt(norm);
      for (let k = 0; k < dim; k++) v[k] *= s;
      const label = `person_${String(i % 50_000).padStart(5, '0')}`;
      photos.push({ path: path(i), sizeBytes: 1, mtimeMs: 1, width: 250, height: 250, status: 'ok', reason: null, faceCount: 1, label });
      faces.push({
        path: path(i), faceIndex: 0, label, imageWidth: 250, imageHeight: 250, score: 0.5 + 0.5 * rnd.next(), landmarks5: lm,
        box: { x: 60 + (i % 7), y: 70 + (i % 5), width: 110 + (i % 11), height: 120 + (i % 13) }, embedding: v,
      });
    }
    await w.writeBatch(photos, faces);
  }
  await w.finish(true);
}

const dim = Number(args.dim);
const n = Number(args.faces);
const root = mkdtempSync(join(tmpdir(), 'fc-bench-export-'));
try {
  console.log(`bench:export  load ${load()}`);
  let storeDir = args.store;
  if (!storeDir) {
    storeDir = join(root, 'store');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await synthesise(storeDir, n, dim);
    console.log(`synthetic store: ${n.toLocaleString('en')} faces x ${dim}-d written with the store writer in ${secs(t0).toFixed(1)} s, ${cpu(c0)} (faces.arrow ${mb(statSync(join(storeDir, 'faces.arrow')).size)}), peak RSS ${peakRssMb().toFixed(0)} MB, load ${load()}`);
  }
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const table = await readFaceTable(storeDir);
  console.log(`readFaceTable (what the export reads; openStore is no longer on its path): ${table.length.toLocaleString('en')} faces in ${secs(t0).toFixed(1)} s, ${cpu(c0)}, ${table.direct ? 'one file in order' : 'gathered from batches'}, load ${load()}`);
  const nPeople = Number(args.people);
  const people: ExportPeople | null = nPeople > 0
    ? {
        persons: Array.from({ length: nPeople }, (_, p) => ({ id: p + 1, name: p % 3 === 0 ? `Person ${p + 1}` : null, createdAt: '2026-12-02T00:00:00.000Z' })),
        faceIds: table.paths.map((p, i) => `${p}#${table.faceIndex[i]}`),
        personOf: Int32Array.from(table.paths, (_, i) => (i % 10 === 0 ? -1 : (i % nPeople) + 1)),
      }
    : null;
  for (const format of args.csv ? (['parquet', 'csv'] as const) : (['parquet'] as const)) {
    t0 = performance.now();
    c0 = process.cpuUsage();
    const r = await exportStore(storeDir, join(root, `export-${format}`), { format, people });
    const size = r.files.reduce((s, f) => s + statSync(f).size, 0);
    console.log(`export ${format}: ${r.faces.toLocaleString('en')} faces x ${r.dimension}-d, ${r.people.toLocaleString('en')} people in ${secs(t0).toFixed(1)} s, ${cpu(c0)} (${r.files.map((f) => f.split('/').pop()).join(', ')}: ${mb(size)}), peak RSS ${peakRssMb().toFixed(0)} MB, load ${load()}`);
  }
  if (args.keep) console.log(`kept ${root}`);
} finally {
  if (!args.keep) rmSync(root, { recursive: true, force: true });
}
