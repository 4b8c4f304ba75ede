// The photo folder is only ever read: every command that writes refuses an output inside it (directly or through a
// symbolic link) before creating anything, and a full `facecluster run` leaves it byte-for-byte unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { main } from '../../lib/cli/main.ts';
import { checkOutsidePhotoFolder, findData } from '../../lib/paths.ts';

const twoFaces = findData('lfw-subset/2faces');

/** Every entry below `dir`, hidden ones included: path -> sha256 of a file, target of a link, or "dir". */
function tree(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const rel = prefix + name;
    const st = lstatSync(full);
    if (st.isSymbolicLink()) out.set(rel, `link -> ${readlinkSync(full)}`);
    else if (st.isDirectory()) {
      out.set(rel, `dir ${st.mode.toString(8)}`);
      for (const [k, v] of tree(full, `${rel}/`)) out.set(k, v);
    } else out.set(rel, `${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
  }
  return out;
}

/** A photo folder with photos in subfolders, a hidden file, a hidden folder, a non-image and a link to a photo. */
async function makePhotoFolder(): Promise<{ root: string; photos: string }> {
  const root = mkdtempSync(join(tmpdir(), 'fc-untouched-'));
  const photos = join(root, 'photos');
  for (const person of ['Abdullah_Gul', 'Bill_Gates']) {
    mkdirSync(join(photos, person), { recursive: true });
    if (twoFaces) {
      for (const f of readdirSync(join(twoFaces, person)).sort().slice(0, 2)) copyFileSync(join(twoFaces, person, f), join(photos, person, f));
    } else {
      await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 150, b: 120 } } }).jpeg().toFile(join(photos, person, 'a.jpg'));
    }
  }
  writeFileSync(join(photos, '.hidden'), 'not a photo');
  mkdirSync(join(photos, '.thumbnails'));
  writeFileSync(join(photos, '.thumbnails', 'x'), 'x');
  writeFileSync(join(photos, 'notes.txt'), 'holiday');
  symlinkSync(join(photos, 'Bill_Gates'), join(photos, 'link-to-folder'));
  return { root, photos };
}

/** Runs `facecluster ...args` in this process; captures what it prints. */
async function cli(args: string[]) {
  const err: string[] = [];
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(args), err: err.join('\n'), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

test('checkOutsidePhotoFolder: inside, the folder itself, through a link, allowed exception, containing', () => {
  const root = mkdtempSync(join(tmpdir(), 'fc-guard-'));
  try {
    const photos = join(root, 'photos');
    mkdirSync(join(photos, 'sub'), { recursive: true });
    symlinkSync(join(photos, 'sub'), join(root, 'link'));
    symlinkSync(photos, join(root, 'photos-link'));
    const msg = (out: string) => `f: --out must not be inside the photo folder ${JSON.stringify(photos)}, got ${JSON.stringify(out)}`;
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', join(photos, 'out'), photos), { message: `${msg(join(photos, 'out'))}. facecluster never writes into the photo folder.` });
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', photos, photos), /must not be inside the photo folder/); // the folder itself
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', join(photos, 'a', 'b', 'c'), photos), /must not be inside/); // not yet existing
    // a link into the photo folder, the link itself or below it; the message says where it leads
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', join(root, 'link', 'out'), photos), { message: new RegExp(`which resolves to ${JSON.stringify(join(photos, 'sub', 'out')).replace(/[/.]/g, '\\$&')}`) });
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', join(root, 'link'), photos), /must not be inside/);
    // the photo folder given through a link protects the real folder
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', join(photos, 'x'), join(root, 'photos-link')), /must not be inside/);
    // a sibling whose name starts like the photo folder, and a name starting with "..", are fine
    assert.equal(checkOutsidePhotoFolder('f', '--out', join(root, 'photos2'), photos), join(root, 'photos2'));
    assert.throws(() => checkOutsidePhotoFolder('f', '--out', join(photos, '..x'), photos), /must not be inside/);
    // the one allowed path (encode's default store)
    assert.equal(checkOutsidePhotoFolder('f', 'out', join(photos, '.facecluster'), photos, { allow: join(photos, '.facecluster') }), join(photos, '.facecluster'));
    assert.throws(() => checkOutsidePhotoFolder('f', 'out', join(photos, '.facecluster', 'x'), photos, { allow: join(photos, '.facecluster') }), /must not be inside/);
    // holding the photo folder: only refused when asked
    assert.equal(checkOutsidePhotoFolder('f', 'out', root, photos), root);
    assert.throws(() => checkOutsidePhotoFolder('f', 'out', root, photos, { mustNotContain: true }), /out must not contain the photo folder/);
    // no photo folder known: nothing to check
    assert.equal(checkOutsidePhotoFolder('f', 'out', join(photos, 'x'), undefined), join(photos, 'x'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('run/encode refuse an output inside the photo folder, directly or through a link, before creating anything', async () => {
  const { root, photos } = await makePhotoFolder();
  try {
    symlinkSync(join(photos, 'Abdullah_Gul'), join(root, 'sneaky')); // a link from outside into the photo folder
    const before = tree(photos);
    const cases: [string[], RegExp][] = [
      [['run', photos, '--out', join(photos, 'out')], /facecluster run: --out must not be inside the photo folder/],
      [['run', photos, '--out', photos], /--out must not be inside the photo folder/],
      [['run', photos, '--out', join(root, 'sneaky', 'out')], /--out must not be inside the photo folder .* which resolves to /],
      [['run', photos, '--out', join(root, 'sneaky')], /--out must not be inside the photo folder/],
      [['run', join(photos, 'link-to-folder'), '--out', join(photos, 'Bill_Gates', 'out')], /--out must not be inside the photo folder/],
      [['encode', photos, '--out', join(photos, 'store')], /facecluster encode: --out must not be inside the photo folder/],
      [['encode', photos, '--out', join(root, 'sneaky', 'store')], /which resolves to/],
      [['encode', photos, '--out', root], /--out must not contain the photo folder/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit 2 (usage), got ${r.code}: ${r.err}`);
      assert.match(r.err, message, args.join(' '));
      assert.deepEqual(tree(photos), before, `${args.join(' ')} left the photo folder unchanged`);
    }
    assert.deepEqual(readdirSync(root).sort(), ['photos', 'sneaky']); // nothing created beside it either
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('facecluster run: the photo folder is byte-for-byte unchanged after a full run; cluster --save, --store and report --out into it are refused', { skip: !twoFaces && 'LFW subset not found (set FACECLUSTER_DATA)' }, async () => {
  const { root, photos } = await makePhotoFolder();
  try {
    symlinkSync(join(photos, 'Abdullah_Gul'), join(root, 'sneaky'));
    const before = tree(photos);
    const out = join(root, 'out');
    const r = await cli(['run', photos, '--out', out, '--jobs', '1', '--no-report']);
    assert.ok(r.code === 0 || r.code === 1, `run finished, exit ${r.code}: ${r.err}`);
    assert.ok(existsSync(join(out, 'store', 'faces.arrow')), 'the store is under --out');
    assert.ok(readdirSync(join(out, 'people')).some((n) => n.startsWith('person-')), 'people/ saved under --out');
    assert.deepEqual(tree(photos), before, 'a full run left the photo folder unchanged');

    const store = join(out, 'store');
    const refused: [string[], RegExp][] = [
      [['cluster', store, '--method', 'chinese-whispers', '--save', join(photos, 'people')], /facecluster cluster: --save must not be inside the photo folder/],
      [['cluster', store, '--method', 'chinese-whispers', '--save', join(root, 'sneaky', 'people'), '--crops'], /--save must not be inside the photo folder .* which resolves to/],
      [['cluster', store, '--method', 'chinese-whispers', '--store', join(root, 'sneaky')], /--store must not be inside the photo folder/],
      [['report', store, '--out', join(photos, 'report.html')], /facecluster report: --out must not be inside the photo folder/],
      [['report', store, '--out', join(root, 'sneaky', 'report.html'), '--no-sweep'], /which resolves to/],
    ];
    for (const [args, message] of refused) {
      const c = await cli(args);
      assert.equal(c.code, 2, `${args.join(' ')}: exit 2, got ${c.code}: ${c.err}`);
      assert.match(c.err, message, args.join(' '));
    }
    assert.deepEqual(tree(photos), before, 'refused commands left the photo folder unchanged');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
