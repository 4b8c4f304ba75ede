/** `facecluster report`: flags, a run on a generated JSONL + photo folder, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../lib/cli/main.ts';
import { USAGE } from '../../lib/cli/report.ts';
import { gaussian, mulberry32 } from '../../lib/reduce/_random.ts';

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** 3 people x 5 photos: JSONL in the precomputed format, photos as flat colour JPEGs; one photo missing. */
async function toyInput(): Promise<{ dir: string; jsonl: string; photos: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'facecluster-cli-report-'));
  const photos = join(dir, 'photos');
  const g = gaussian(mulberry32(5));
  const lines: string[] = [];
  const people = ['Ann_A', 'Bob_B', 'Cy_C'];
  for (const [p, name] of people.entries()) {
    mkdirSync(join(photos, name), { recursive: true });
    for (let k = 1; k <= 5; k++) {
      const file = `${name}/${name}_000${k}.jpg`;
      // Person p: unit direction p, plus small noise: same-person distances ~0.1, different ~1.4.
      const descriptor = Array.from({ length: 128 }, (_, j) => (j === p ? 1 : 0) + 0.01 * g());
      if (!(p === 2 && k === 5)) {
        await sharp({ create: { width: 80, height: 80, channels: 3, background: ['#c33', '#3c3', '#33c'][p] } }).jpeg().toFile(join(photos, file));
      }
      lines.push(JSON.stringify({ file, identity: name, width: 80, height: 80, faces: [{ box: [20, 20, 40, 40], score: 0.99, landmarks7: [], descriptor }] }));
    }
  }
  const jsonl = join(dir, 'toy.jsonl');
  writeFileSync(jsonl, lines.join('\n') + '\n');
  return { dir, jsonl, photos };
}

test('report --help prints the usage', async () => {
  const r = await cli('report', '--help');
  assert.equal(r.code, 0);
  assert.equal(r.out, USAGE);
  assert.match(USAGE, /--out FILE/);
});

test('report: usage errors exit 2 and say what is wrong', async () => {
  const { jsonl, photos, dir } = await toyInput();
  const cases: [string[], string][] = [
    [[], 'facecluster report: missing input'],
    [[jsonl, '--methods', 'kmeans,nope'], 'facecluster report: unknown method "nope"; valid methods are'],
    [[jsonl, '--reducer', 'mds'], 'facecluster report: --reducer must be one of pca, tsne, umap, got "mds".'],
    [[jsonl, '--seed=-1'], 'facecluster report: --seed must be an integer >= 0, got -1.'],
    [[jsonl, '--methods', 'chinese-whispers', '--min-samples', '3'], 'facecluster report: --min-samples is not an option of chinese-whispers.'],
    [[jsonl, '--bogus'], "facecluster report: Unknown option '--bogus'"],
    [[jsonl, '--photos', photos, '--out', join(photos, 'r.html')], 'facecluster report: --out must not be inside the photo folder'],
    [[join(dir, 'nope.jsonl')], 'does not exist'],
  ];
  for (const [argv, msg] of cases) {
    const r = await cli('report', ...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.ok(r.err.includes(msg), `${argv.join(' ')}: ${r.err}`);
  }
  assert.ok(!existsSync(join(photos, 'r.html')), 'nothing written into the photo folder');
});

test('report: writes a self-contained report; a missing photo is listed and exits 1', async () => {
  const { dir, jsonl, photos } = await toyInput();
  const out = join(dir, 'out', 'report.html');
  const r = await cli('report', jsonl, '--photos', photos, '--out', out, '--reducer', 'pca', '--methods', 'dbscan,chinese-whispers');
  assert.equal(r.code, 1, r.err);
  // each method at its defaults, then beside it its best swept value, named "best with labels"
  assert.match(r.out, /^Wrote .*report\.html \(\d+\.\d MB\): 15 faces, 4 clustering\(s\), 1 thumbnail\(s\) failed\.$/);
  assert.match(r.err, /warning: Cy_C\/Cy_C_0005\.jpg: thumbnail: cannot make a thumbnail/);
  // The sweeps found the 3 people: best BCubed F 1.000.
  assert.match(r.err, /dbscan: swept eps over \d+ values .*best BCubed F with the labels 1\.000/);
  const html = readFileSync(out, 'utf8');
  assert.ok(html.includes('dbscan, best with labels (eps '), 'swept values are named as such');
  for (const id of ['map-cluster', 'map-identity', 'metrics', 'sweep-0', 'sweep-1', 'histogram', 'sizes']) assert.ok(html.includes(`id="${id}"`), id);
  assert.ok(!/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external resources');
  // --no-sweep: method defaults, no sweep charts; all photos present: exit 0.
  const r2 = await cli('report', jsonl, '--photos', photos, '--out', join(dir, 'r2.html'), '--reducer', 'pca', '--methods', 'dbscan', '--no-sweep', '--limit', '10');
  assert.equal(r2.code, 0, r2.err);
  assert.ok(!readFileSync(join(dir, 'r2.html'), 'utf8').includes('id="sweep-0"'));
});

test('report: by default the first clustering is the default method, with how it chose and the decisions to check', async () => {
  const { dir, jsonl, photos } = await toyInput();
  const out = join(dir, 'default.html');
  const r = await cli('report', jsonl, '--photos', photos, '--out', out, '--reducer', 'pca');
  assert.ok(r.code <= 1, r.err);
  const html = readFileSync(out, 'utf8');
  for (const id of ['auto-histogram', 'auto-curve', 'decisions']) assert.ok(html.includes(`id="${id}"`), id);
  assert.match(html, /Map \(pca\) coloured by cluster: auto \(chose threshold \d\.\d{3}\)/);
  assert.ok(!html.includes('auto, best with labels'), 'the default is never swept with the labels');
});
