import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openStore } from '../../lib/store/read.ts';
import { findData, PROJECT_ROOT } from '../../lib/paths.ts';
import { BAD_FILES, makeBadInputFolder } from '../pipeline/bad-inputs.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'facecluster.js');
const twoFaces = findData('lfw-subset/2faces');
const SKIP = twoFaces ? false : 'LFW subset not found (set FACECLUSTER_DATA; see data/README.md)';

function cli(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, 'encode', ...args], { encoding: 'utf8', cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs `facecluster encode ...args` in this process (for fast usage checks); captures what it prints. */
async function inProcess(args: string[]) {
  const { main } = await import('../../lib/cli/main.ts');
  const err: string[] = [];
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(['encode', ...args]), err: err.join('\n'), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

test('facecluster encode: usage errors exit 2 and say what is wrong', async () => {
  let r = await inProcess([]);
  assert.equal(r.code, 2);
  assert.match(r.err, /expected one <folder>, got 0/);
  r = await inProcess(['x', '--detector', 'haar']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--detector must be one of ultraface, ssd-mobilenet, tiny.*got "haar"/);
  r = await inProcess(['x', '--jobs', '1.5']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--jobs must be an integer, got "1.5"/);
  r = await inProcess(['x', '--min-score', '3']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--min-score must be in \[0, 1\], got 3/);
  r = await inProcess(['x', '--landmarker', 'dlib68']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--landmarker must be one of faceapi68, faceplugin68, got "dlib68"/);
  r = await inProcess(['x', '--input', 'faces']);
  assert.match(r.err, /--input must be photos or crops, got "faces"/);
  r = await inProcess(['x', '--input', 'crops', '--detector', 'tiny']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--input crops detects nothing, so it cannot go with --detector tiny/);
  r = await inProcess(['x', '--labels', 'file']);
  assert.match(r.err, /--labels must be folder or none, got "file"/);
  r = await inProcess(['x', '--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.err, /bogus/);
  r = await inProcess(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /Usage: facecluster encode <folder>/);
});

test('facecluster encode: refuses an --out inside the photo folder (exit 2), writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-cli-out-'));
  try {
    const r = await inProcess([dir, '--out', join(dir, 'results')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--out must not be inside the photo folder/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('facecluster encode: lists each bad file with its reason, exits 1, writes only the store', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-cli-bad-'));
  const out = mkdtempSync(join(tmpdir(), 'fc-cli-store-'));
  try {
    await makeBadInputFolder(dir, join(twoFaces!, 'Bill_Gates', 'Bill_Gates_0001.jpg'));
    const before = readdirSync(dir, { recursive: true }).sort();
    const r = cli([dir, '--out', out, '--jobs', '2']); // worker threads: each loads the HEIC/AVIF decoders itself
    assert.equal(r.code, 1, r.err);
    for (const [file, reason] of Object.entries(BAD_FILES)) {
      const line = r.out.split('\n').find((l) => l.trim().startsWith(`${file}:`));
      assert.ok(line, `${file} is listed`);
      assert.match(line!.trim().slice(file.length + 2), reason);
    }
    assert.match(r.out, new RegExp(`failed: ${Object.keys(BAD_FILES).length}\\b`));
    assert.match(r.out, /photos without a face: 0/);
    assert.match(r.out, /wasm|tensorflow/); // the backend is reported
    assert.deepEqual(readdirSync(dir, { recursive: true }).sort(), before); // --out given: the photo folder is untouched
    assert.ok(existsSync(join(out, 'faces.arrow')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

/** Spawns the CLI and resolves once a committed batch exists in `storeDir`; returns the child. */
function startUntilFirstBatch(args: string[], storeDir: string, cwd?: string) {
  const child = spawn(process.execPath, [BIN, 'encode', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? -1 : null))));
  const batch = new Promise<void>((res, rej) => {
    const timer = setInterval(() => {
      const dir = join(storeDir, 'batches');
      if (existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.photos.arrow'))) {
        clearInterval(timer);
        res();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      rej(new Error(`the run ended before its first batch:\n${out}`));
    });
  });
  return { child, batch, exited, output: () => out };
}

test('facecluster encode: SIGKILL after the first batch loses no finished batch; the next run resumes', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-cli-kill-'));
  try {
    cpSync(twoFaces!, dir, { recursive: true });
    const total = (readdirSync(dir, { recursive: true }) as string[]).filter((n: string) => String(n).endsWith('.jpg')).length;
    // no --out: the store goes to facecluster-out/<folder name>/store in the current directory, not into the photos
    const store = join(`${dir}-cwd`, 'facecluster-out', basename(dir), 'store');
    mkdirSync(`${dir}-cwd`);
    const run = startUntilFirstBatch([dir, '--jobs', '1', '--batch-size', '4'], store, `${dir}-cwd`);
    await run.batch;
    run.child.kill('SIGKILL');
    await run.exited;
    const kept = (await openStore(store)).photos.length;
    assert.ok(kept >= 4, `the committed batch (4 photos) survives the kill, got ${kept}`);
    assert.ok(kept < total, 'killed before the end');
    const r = cli([dir, '--jobs', '2'], `${dir}-cwd`);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`encoded ${total - kept} photo\\(s\\)`)); // only the rest
    assert.match(r.out, new RegExp(`${kept} unchanged`));
    assert.match(r.out, new RegExp(`store: ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(default\\)`));
    assert.ok(!existsSync(join(dir, '.facecluster')), 'nothing written into the photo folder');
    const s = await openStore(store);
    assert.equal(s.photos.length, total);
    assert.equal(s.manifest.complete, true);
    assert.equal(new Set(s.photos.map((p) => p.path)).size, total); // no duplicates
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-cwd`, { recursive: true, force: true });
  }
});

test('facecluster encode: Ctrl-C (SIGINT) saves the photos in flight and exits 130', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-cli-int-'));
  try {
    mkdirSync(join(dir, 'Bill_Gates'));
    const names = readdirSync(join(twoFaces!, 'Bill_Gates')).slice(0, 8);
    for (const n of names) copyFileSync(join(twoFaces!, 'Bill_Gates', n), join(dir, 'Bill_Gates', n));
    const store = `${dir}-store`;
    const run = startUntilFirstBatch([dir, '--out', store, '--jobs', '1', '--batch-size', '1'], store);
    await run.batch;
    run.child.kill('SIGINT');
    const code = await run.exited;
    assert.equal(code, 130, run.output());
    assert.match(run.output(), /interrupted/);
    const s = await openStore(store);
    assert.ok(s.photos.length >= 1 && s.photos.length < names.length, `${s.photos.length} photos kept`);
    assert.equal(s.manifest.complete, false);
    assert.deepEqual(readdirSync(join(store, 'batches')), []); // flushed into the tables
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-store`, { recursive: true, force: true });
  }
});
