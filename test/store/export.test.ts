// exportStore / `facecluster export`: the files are read back by a real database (DuckDB, @duckdb/node-api), as a
// user would: counts, a join of faces to people's names, the vectors, CSV quoting. A toy store worked by hand
// (test/cli/_toy.ts: 11 faces of 5 people) and a real one (the LFW 2-face subset, 33 photos of Abdullah Gul and
// Bill Gates, encoded by `facecluster encode`, people by `facecluster people update`, a run by `cluster`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { exportStore, type ExportPeople } from '../../lib/store/export.ts';
import { openStore } from '../../lib/store/read.ts';
import { writeRun } from '../../lib/store/runs.ts';
import { findData } from '../../lib/paths.ts';
import { makeToyStore } from '../cli/_toy.ts';

async function duck(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}
async function rows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}
async function runCli(...args: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import('../../lib/cli/main.ts');
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void out.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

/** A name with a comma, quotes (CSV quoting) and letters of 2 and 3 UTF-8 bytes (Arrow string offsets). */
const ANN = 'Smith, Ann "Änne" 李';
/** Toy people: Ann's 3 faces are person 7 named ANN, Bob's 3 are person 9
 * (unnamed), Cid's first face person 9 too (a wrong assignment is exported as it is), the rest in no person. */
function toyPeople(faceIds: string[]): ExportPeople {
  const personOf = faceIds.map((id) => (id.startsWith('Ann/') ? 7 : id.startsWith('Bob/') || id === 'Cid/Cid_0001.jpg#0' ? 9 : -1));
  return {
    persons: [{ id: 7, name: ANN, createdAt: '2026-01-01T00:00:00.000Z' }, { id: 9, name: null, createdAt: '2026-01-02T00:00:00.000Z' }],
    faceIds,
    personOf,
    status: personOf.map((p, i) => (p < 0 ? 'unassigned' : i === 0 ? 'confirmed' : 'assigned')),
  };
}

test('toy store: Parquet faces and people read back by DuckDB, joined by person id; run labels by face id', async () => {
  const t = await makeToyStore();
  try {
    const store = await openStore(t.store);
    const ids = store.faces.map((f) => `${f.path}#${f.faceIndex}`);
    // a run whose faces are listed in reverse order: the export must match labels by face id, not position
    const labels = store.faces.map((f) => ['Ann', 'Bob', 'Cid', 'Dee', 'Eve'].indexOf(f.label!));
    await writeRun(store.dir, { method: 'dbscan', parameters: {}, labels: [...labels].reverse(), faceIds: [...ids].reverse() });
    const out = join(t.root, 'export');
    const r = await exportStore(store, out, { people: toyPeople(ids) });
    assert.deepEqual(r.files.map((f) => f.slice(out.length + 1)), ['faces.parquet', 'people.parquet']);
    assert.deepEqual(readdirSync(out).sort(), ['faces.parquet', 'people.parquet'], 'no temporary file left');
    assert.equal(r.faces, 11);
    assert.equal(r.dimension, 128);
    assert.match(r.run!, /-dbscan$/);
    const con = await duck();
    const f = `'${join(out, 'faces.parquet')}'`;
    const p = `'${join(out, 'people.parquet')}'`;
    assert.deepEqual(await rows(con, `SELECT count(*)::INT n, count(person_id)::INT placed, count(DISTINCT path)::INT photos FROM ${f}`), [{ n: 11, placed: 7, photos: 11 }]);
    // the join a user writes: faces per person name
    assert.deepEqual(
      await rows(con, `SELECT p.person_id, p.name, count(*)::INT n FROM ${f} f JOIN ${p} p USING (person_id) GROUP BY ALL ORDER BY p.person_id`),
      [{ person_id: 7, name: ANN, n: 3 }, { person_id: 9, name: null, n: 4 }],
    );
    // people: counts from the faces given, confirmed ones, creation time
    assert.deepEqual(await rows(con, `SELECT person_id, faces, confirmed_faces, created_at FROM ${p} ORDER BY person_id`), [
      { person_id: 7, faces: 3, confirmed_faces: 1, created_at: '2026-01-01T00:00:00.000Z' },
      { person_id: 9, faces: 4, confirmed_faces: 0, created_at: '2026-01-02T00:00:00.000Z' },
    ]);
    // each face row carries its person's name and the run's label of that very face
    const faceRows = await rows(con, `SELECT face_id, path, face_index, label, person_name, person_status, cluster, x, y, width, height, score FROM ${f} ORDER BY face_id`);
    for (const row of faceRows) {
      const k = ids.indexOf(row.face_id as string);
      assert.ok(k >= 0, String(row.face_id));
      assert.equal(row.cluster, labels[k], `${row.face_id}: cluster`);
      assert.equal(row.person_name, (row.label === 'Ann' ? ANN : null), `${row.face_id}: person_name`);
      assert.equal(row.person_status, toyPeople(ids).status![k]);
      assert.deepEqual([row.face_index, row.x, row.y, row.width, row.height], [0, 4, 4, 16, 16]);
      assert.ok(Math.abs((row.score as number) - 0.9) < 1e-6);
    }
    // the vectors: every value as stored (float32 kept exactly)
    const emb = await rows(con, `SELECT face_id, embedding FROM ${f}`);
    for (const row of emb) {
      const k = ids.indexOf(row.face_id as string);
      assert.deepEqual(row.embedding, Array.from(store.embeddings[k]), `${row.face_id}: embedding`);
    }
    // no quality column when the store has no quality scores
    assert.equal((await rows(con, `SELECT * FROM ${f} LIMIT 1`)).some((r) => 'quality' in r), false);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('toy store: CSV files (quoting, empty for null, vectors in embeddings.csv) read back by DuckDB', async () => {
  const t = await makeToyStore();
  try {
    const store = await openStore(t.store);
    const ids = store.faces.map((f) => `${f.path}#${f.faceIndex}`);
    const out = join(t.root, 'csv');
    const r = await exportStore(store, out, { format: 'csv', people: toyPeople(ids), run: null });
    assert.deepEqual(readdirSync(out).sort(), ['embeddings.csv', 'faces.csv', 'people.csv']);
    assert.equal(r.run, null);
    const people = readFileSync(join(out, 'people.csv'), 'utf8');
    // hand-written: the name holds a comma and quotes, so it is quoted and its quotes doubled; null is empty
    assert.equal(people, 'person_id,name,faces,confirmed_faces,created_at\n7,"Smith, Ann ""Änne"" 李",3,1,2026-01-01T00:00:00.000Z\n9,,4,0,2026-01-02T00:00:00.000Z\n');
    const con = await duck();
    const f = `'${join(out, 'faces.csv')}'`;
    const p = `'${join(out, 'people.csv')}'`;
    const e = `'${join(out, 'embeddings.csv')}'`;
    assert.deepEqual(await rows(con, `SELECT count(*)::INT n, count(person_id)::INT placed, count(cluster)::INT clustered FROM ${f}`), [{ n: 11, placed: 7, clustered: 0 }]);
    assert.deepEqual(
      await rows(con, `SELECT p.name, count(*)::INT n FROM ${f} f JOIN ${p} p USING (person_id) GROUP BY ALL ORDER BY n`),
      [{ name: ANN, n: 3 }, { name: null, n: 4 }],
    );
    const cols = await rows(con, `SELECT count(*)::INT n FROM (DESCRIBE SELECT * FROM ${e})`);
    assert.deepEqual(cols, [{ n: 129 }], 'face_id and 128 columns');
    // a vector read back from CSV: float32 printed with 9 significant digits comes back exactly
    const [v] = await rows(con, `SELECT * FROM ${e} WHERE face_id = '${ids[4]}'`);
    for (let k = 0; k < 128; k++) assert.equal(Math.fround(v[`e${k}`] as number), store.embeddings[4][k], `e${k}`);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('toy store: no people, no runs: person and cluster columns are null; an empty folder is created', async () => {
  const t = await makeToyStore(false);
  try {
    const out = join(t.root, 'a', 'b');
    const r = await exportStore(await openStore(t.store), out);
    assert.deepEqual(readdirSync(out), ['faces.parquet']);
    assert.equal(r.run, null);
    assert.equal(r.people, 0);
    const con = await duck();
    assert.deepEqual(await rows(con, `SELECT count(*)::INT n, count(person_id)::INT p, count(cluster)::INT c, count(label)::INT l FROM '${join(out, 'faces.parquet')}'`), [{ n: 11, p: 0, c: 0, l: 0 }]);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('exportStore refuses a folder inside the photo folder, a symbolic link, a bad format and unknown options', async () => {
  const t = await makeToyStore();
  try {
    const store = await openStore(t.store);
    await assert.rejects(exportStore(store, join(t.photos, 'export')), /exportStore: outDir must not be inside the photo folder/);
    mkdirSync(join(t.root, 'real'));
    symlinkSync(join(t.root, 'real'), join(t.root, 'link'));
    await assert.rejects(exportStore(store, join(t.root, 'link')), /symbolic link/);
    symlinkSync(t.photos, join(t.root, 'to-photos'));
    await assert.rejects(exportStore(store, join(t.root, 'to-photos', 'x')), /must not be inside the photo folder/);
    await assert.rejects(exportStore(store, join(t.root, 'x'), { format: 'xlsx' as never }), /exportStore: format must be one of "parquet", "csv", got "xlsx"\./);
    await assert.rejects(exportStore(store, join(t.root, 'x'), { delimiter: ';' } as never), /exportStore: unknown option "delimiter"/);
    assert.deepEqual(readdirSync(t.photos).sort(), ['Ann', 'Bob', 'Cid', 'Dee', 'Eve'], 'nothing written into the photo folder');
    assert.deepEqual(readdirSync(join(t.root, 'real')), [], 'nothing written through the link');
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('facecluster export: a bad --format names the flag (exit 2); --out inside the photo folder is refused (exit 2)', async () => {
  const t = await makeToyStore();
  try {
    let r = await runCli('export', t.store, '--format', 'xlsx', '--out', join(t.root, 'x'));
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /--format must be one of parquet, csv, got "xlsx"/);
    r = await runCli('export', t.store, '--out', join(t.photos, 'x'));
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /--out must not be inside the photo folder/);
    r = await runCli('export');
    assert.equal(r.code, 2, r.out);
    r = await runCli('export', t.store, '--format', 'csv');
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(readdirSync(join(t.root, 'export')).sort(), ['embeddings.csv', 'faces.csv'], 'default --out: export/ beside the store');
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

const subset = findData('lfw-subset/2faces');
const SKIP = subset ? false : 'LFW 2-face subset not found (set FACECLUSTER_DATA; see data/README.md)';

test('LFW 2-face subset: encode, people, name, cluster, export: DuckDB joins faces to the name; Parquet and CSV agree', { skip: SKIP }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'fc-export-lfw-'));
  try {
    const store = join(root, 'store');
    let r = await runCli('encode', subset!, '--out', store, '--labels', 'folder');
    assert.equal(r.code, 0, r.out);
    r = await runCli('people', store, 'update');
    assert.equal(r.code, 0, r.out);
    r = await runCli('cluster', store, '--method', 'chinese-whispers');
    assert.equal(r.code, 0, r.out);
    const s = await openStore(store);
    const con = await duck();
    // name the person holding most of Bill Gates's faces, through the CLI
    const { openPeople } = await import('../../lib/people/people.ts');
    const people = await openPeople(store);
    const count = new Map<number, number>();
    people.state.personOf.forEach((p, i) => {
      if (p >= 0 && people.state.faceIds[i].startsWith('Bill_Gates/')) count.set(p, (count.get(p) ?? 0) + 1);
    });
    const [bill] = [...count.entries()].sort((a, b) => b[1] - a[1])[0];
    r = await runCli('people', store, 'name', String(bill), 'Bill Gates');
    assert.equal(r.code, 0, r.out);

    r = await runCli('export', store, '--out', join(root, 'pq'));
    assert.equal(r.code, 0, r.out);
    r = await runCli('export', store, '--out', join(root, 'csv'), '--format', 'csv');
    assert.equal(r.code, 0, r.out);
    const f = `'${join(root, 'pq', 'faces.parquet')}'`;
    const p = `'${join(root, 'pq', 'people.parquet')}'`;
    const [c] = await rows(con, `SELECT count(*)::INT n, count(DISTINCT path)::INT photos, count(cluster)::INT clustered, min(len(embedding))::INT d FROM ${f}`);
    assert.deepEqual(c, { n: s.faces.length, photos: new Set(s.paths).size, clustered: s.faces.length, d: s.embeddings[0].length });
    assert.ok(s.faces.length >= 33, `${s.faces.length} faces from 33 photos`);
    const [pc] = await rows(con, `SELECT count(*)::INT n, sum(faces)::INT faces FROM ${p}`);
    assert.equal(pc.n, people.state.persons.length);
    assert.equal(pc.faces, [...people.state.personOf].filter((x) => x >= 0).length);
    // the join: faces of the person named Bill Gates, by their folder label
    const named = await rows(con, `SELECT f.label, count(*)::INT n FROM ${f} f JOIN ${p} p USING (person_id) WHERE p.name = 'Bill Gates' GROUP BY ALL ORDER BY n DESC`);
    assert.equal(named[0].label, 'Bill_Gates', JSON.stringify(named));
    assert.equal(named[0].n, count.get(bill));
    assert.ok((named[0].n as number) >= 10, `${named[0].n} of Bill Gates's 17 photos in the named person`);
    // person_name in faces agrees with the join
    assert.deepEqual(await rows(con, `SELECT count(*)::INT n FROM ${f} f JOIN ${p} p USING (person_id) WHERE f.person_name IS DISTINCT FROM p.name`), [{ n: 0 }]);
    // CSV and Parquet hold the same faces, people and vectors
    const fc = `'${join(root, 'csv', 'faces.csv')}'`;
    const ec = `'${join(root, 'csv', 'embeddings.csv')}'`;
    assert.deepEqual(
      await rows(con, `SELECT count(*)::INT n FROM ${f} a FULL JOIN ${fc} b USING (face_id) WHERE a.person_id IS DISTINCT FROM b.person_id OR a.cluster IS DISTINCT FROM b.cluster OR a.label IS DISTINCT FROM b.label OR abs(a.x - b.x) > 1e-3`),
      [{ n: 0 }],
    );
    assert.deepEqual(await rows(con, `SELECT count(*)::INT n FROM ${f} a JOIN ${ec} b USING (face_id) WHERE abs(a.embedding[1] - b.e0) > 1e-7 OR abs(a.embedding[${s.embeddings[0].length}] - b.e${s.embeddings[0].length - 1}) > 1e-7`), [{ n: 0 }]);
    // quality: a column exactly when the store has quality scores, one value per scored face, as stored
    const scored = s.faces.filter((x) => typeof (x as { quality?: number | null }).quality === 'number');
    const [hasQ] = await rows(con, `SELECT count(*)::INT n FROM (DESCRIBE SELECT * FROM ${f}) WHERE column_name = 'quality'`);
    assert.equal(hasQ.n, scored.length > 0 ? 1 : 0);
    if (scored.length > 0) {
      const q = await rows(con, `SELECT face_id, quality FROM ${f} WHERE quality IS NOT NULL`);
      assert.equal(q.length, scored.length);
      const byId = new Map(scored.map((x) => [`${x.path}#${x.faceIndex}`, (x as { quality?: number }).quality!]));
      for (const r of q) assert.equal(r.quality, Math.fround(byId.get(r.face_id as string)!), String(r.face_id));
    }
    assert.deepEqual(readdirSync(subset!).sort(), ['Abdullah_Gul', 'Bill_Gates'], 'nothing written into the photo folder');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a store of more faces than a batch and a row group (EXPORT_BATCH, EXPORT_ROW_GROUP), finished and with an unfinished run over it: every vector and box as stored', async () => {
  const { openStoreWriter } = await import('../../lib/store/write.ts');
  const { EXPORT_BATCH, EXPORT_ROW_GROUP } = await import('../../lib/store/export.ts');
  const root = mkdtempSync(join(tmpdir(), 'fc-export-big-'));
  try {
    const n = EXPORT_ROW_GROUP + EXPORT_BATCH + 7; // crosses batch and row-group edges, and ends inside a batch
    const params = {
      detector: 'ssd-mobilenet', detectorConfig: {}, embedder: 'resnet128', embeddingDimension: 3, minScore: null, minFaceSize: 0,
      align: { method: 'similarity' as const, template: 'dlib' as const, size: 150 }, maxPixels: 1e8, maxSide: 2048, labels: 'folder' as const,
    };
    const store = join(root, 'store');
    const path = (i: number) => `p${String(i % 97).padStart(2, '0')}/${String(i).padStart(6, '0')}.jpg`;
    const lm = [0, 1, 2, 3, 4].map((k) => ({ x: k, y: k })) as never;
    const photo = (i: number, mtimeMs = 1) => ({ path: path(i), sizeBytes: 1, mtimeMs, width: 99, height: 99, status: 'ok' as const, reason: null, faceCount: 1, label: path(i).slice(0, 3) });
    const face = (i: number, v = i + 1) => ({ path: path(i), faceIndex: 0, label: path(i).slice(0, 3), imageWidth: 99, imageHeight: 99, score: 0.5, landmarks5: lm, box: { x: i % 1000, y: 1, width: 2, height: 3 }, embedding: Float32Array.from([v, v / 7, -v]) });
    let w = await openStoreWriter(store, params, { photoFolder: join(root, 'photos') });
    await w.plan(Array.from({ length: n }, (_, i) => ({ path: path(i), sizeBytes: 1, mtimeMs: 1 })));
    for (let from = 0; from < n; from += 5000) {
      const ids = Array.from({ length: Math.min(n, from + 5000) - from }, (_, k) => from + k);
      await w.writeBatch(ids.map((i) => photo(i)), ids.map((i) => face(i)));
    }
    await w.finish(true);
    const con = await duck();
    const check = async (label: string) => {
      const s = await openStore(store);
      const out = join(root, label);
      await exportStore(store, out, { run: null });
      await exportStore(s, join(out, 'csv'), { format: 'csv', run: null });
      const got = await rows(con, `SELECT face_id, x, embedding FROM '${join(out, 'faces.parquet')}'`);
      assert.equal(got.length, s.faces.length, label);
      const at = new Map(s.faces.map((f, i) => [`${f.path}#${f.faceIndex}`, i]));
      for (const r of got) {
        const i = at.get(r.face_id as string)!;
        assert.deepEqual(r.embedding, [...s.embeddings[i]], `${label}: ${r.face_id} embedding`);
        assert.equal(r.x, s.faces[i].box.x, `${label}: ${r.face_id} x`);
      }
      const csv = await rows(con, `SELECT face_id, e0::DOUBLE e0, e1::DOUBLE e1, e2::DOUBLE e2 FROM '${join(out, 'csv', 'embeddings.csv')}'`);
      assert.equal(csv.length, s.faces.length, label);
      for (const r of csv) {
        const e = s.embeddings[at.get(r.face_id as string)!];
        assert.deepEqual([r.e0, r.e1, r.e2].map((v) => Math.fround(v as number)), [...e], `${label}: ${r.face_id} CSV embedding`);
      }
      return s;
    };
    await check('finished');
    // an unfinished run re-encodes the photos of one folder (new vectors) and adds one photo: read from its batches
    w = await openStoreWriter(store, params, { photoFolder: join(root, 'photos') });
    const again = Array.from({ length: n }, (_, i) => i).filter((i) => i % 97 === 5);
    await w.plan([...Array.from({ length: n }, (_, i) => ({ path: path(i), sizeBytes: 1, mtimeMs: i % 97 === 5 ? 2 : 1 })), { path: path(n), sizeBytes: 1, mtimeMs: 1 }]);
    await w.writeBatch([...again.map((i) => photo(i, 2)), photo(n)], [...again.map((i) => face(i, i + 1.5)), face(n)]);
    await w.release();
    const s = await check('unfinished');
    assert.equal(s.faces.length, n + 1);
    assert.equal(s.embeddings[s.faces.findIndex((f) => f.path === path(5))][0], 6.5, 'the re-encoded vector');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
