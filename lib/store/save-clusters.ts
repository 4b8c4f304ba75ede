/**
 * Writes a clustering out as folders a person can browse: one folder per cluster (`person-001/`, `person-002/`,
 * ... largest cluster first) plus `noise/` for faces left unclustered (-1), holding the photos (copies or
 * symbolic links) or the face crops.
 *
 * Safety rules (the brief: never write into the photo folder, never follow output paths outside the chosen dir):
 * - `dir` must be absent or empty, so nothing is ever overwritten, and every file is created exclusively.
 * - `dir` (its real path, symbolic links resolved) must not be inside the photo folder (`photoRoot`, by default
 *   the deepest folder holding every photo) nor be it.
 * - every output path is built from a sanitised base name and checked to resolve inside `dir`.
 * - photos are only ever read (copy, link target, or decode for a crop).
 * A photo that cannot be read or cropped is reported in `failed` (file and reason) and the rest continue.
 */
import { constants, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { openUpright } from '../image/decode.ts';
import { checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import { checkOutsidePhotoFolder, isSameOrInside, realPathOf } from '../paths.ts';
import type { Box } from '../types.ts';

/** One face to save: the photo it is in and, for crops, its box (original pixels, after EXIF orientation). */
export interface SavedFace {
  photo: string;
  box?: Box;
}

export type SaveMode = 'copy' | 'link' | 'crops';

export interface SaveClustersOptions {
  /**
   * `copy` the photos, `link` them (absolute symbolic links: no space used, but they break when the photos move),
   * or write `crops` of the faces (JPEG, EXIF-rotated upright).
   * @default 'copy' — works everywhere (links need a file system and OS that allow them) and survives moves.
   */
  mode: SaveMode;
  /**
   * Margin added on each side of a face box for crops, as a share of the box's width and height.
   * @default 0.2 — shows hair and chin, which people use to recognise a face, without much background.
   */
  cropMargin: number;
  /**
   * The user's photo folder, which `dir` may not be inside. '' means the deepest folder holding every photo.
   * @default ''
   */
  photoRoot: string;
  /**
   * Folder name of a cluster by label (e.g. a person's name and id, lib/people `personFolderNames`); labels
   * without one get `person-NNN` by size rank. Names are made safe (no `/`, no leading dot) and unique.
   * @default {}
   */
  names: Readonly<Record<number, string>>;
}

export const SAVE_CLUSTERS_DEFAULTS: Readonly<SaveClustersOptions> = Object.freeze({
  mode: 'copy',
  cropMargin: 0.2,
  photoRoot: '',
  names: Object.freeze({}),
});

export interface SavedFolder {
  /** Folder name, e.g. `person-001` or `noise`. */
  name: string;
  /** The cluster label (-1 for noise). */
  label: number;
  /** Faces in the cluster. */
  faces: number;
  /** Files written into the folder. */
  files: number;
}

export interface SaveClustersResult {
  dir: string;
  folders: SavedFolder[];
  /** Files written in all. */
  written: number;
  /** Photos that could not be saved, with the reason; the others were saved. */
  failed: { photo: string; reason: string }[];
}

const MODES: readonly SaveMode[] = ['copy', 'link', 'crops'];

/**
 * Saves `labels` (one per face, -1 = noise) as folders under `dir`.
 *
 * @example
 * await saveClusters('/tmp/people', result.labels, faces.map((f) => ({ photo: f.path, box: f.box })), { mode: 'crops' })
 */
export async function saveClusters(
  dir: string,
  labels: ArrayLike<number>,
  faces: readonly SavedFace[],
  options?: Partial<SaveClustersOptions>,
): Promise<SaveClustersResult> {
  const fn = 'saveClusters';
  const o = resolveOptions(fn, SAVE_CLUSTERS_DEFAULTS, options);
  checkOneOf(fn, 'mode', o.mode, MODES);
  checkNumber(fn, 'cropMargin', o.cropMargin, 0, 10);
  if (typeof dir !== 'string' || dir === '') throw invalidParameter(fn, 'dir', 'a folder path', dir);
  if (!Array.isArray(faces)) throw invalidParameter(fn, 'faces', 'an array of {photo, box}', faces);
  if (!o.names || typeof o.names !== 'object') throw invalidParameter(fn, 'names', 'an object of folder names by label', o.names);
  if (labels.length !== faces.length) {
    throw new FaceclusterError(fn, `faces must have one entry per label (${labels.length}), got length ${faces.length}.`, 'faces');
  }
  for (let i = 0; i < faces.length; i++) {
    if (!faces[i] || typeof faces[i].photo !== 'string' || faces[i].photo === '') throw invalidParameter(fn, `faces[${i}].photo`, 'a file path', faces[i]?.photo);
    if (o.mode === 'crops' && !faces[i].box) throw invalidParameter(fn, `faces[${i}].box`, 'a face box for mode "crops"', faces[i].box);
    const l = labels[i];
    if (!Number.isInteger(l) || l < -1) throw invalidParameter(fn, `labels[${i}]`, 'an integer >= -1', l);
  }

  const photos = faces.map((f) => resolve(f.photo));
  const root = o.photoRoot ? realPathOf(o.photoRoot) : commonFolder(photos.map((p) => realPathOf(p)));
  const out = checkOutsidePhotoFolder(fn, 'dir', dir, root);
  if (existsSync(out) && (await readdir(out)).length > 0) {
    throw new FaceclusterError(fn, `dir must be a new or empty folder (nothing is ever overwritten), got ${JSON.stringify(dir)} which is not empty.`, 'dir');
  }
  await mkdir(out, { recursive: true });

  // Clusters, largest first (ties by label), then noise.
  const members = new Map<number, number[]>();
  for (let i = 0; i < faces.length; i++) {
    const l = labels[i];
    let m = members.get(l);
    if (!m) { m = []; members.set(l, m); }
    m.push(i);
  }
  const order = [...members.keys()].filter((l) => l >= 0).sort((a, b) => members.get(b)!.length - members.get(a)!.length || a - b);
  const width = Math.max(3, String(order.length).length);
  const folderNames = new Set<string>(members.has(-1) ? ['noise'] : []);
  const folders: { name: string; label: number }[] = order.map((label, k) => {
    const given = Object.prototype.hasOwnProperty.call(o.names, label) ? o.names[label] : undefined;
    const name = uniqueName(folderNames, given ? safeBase(given) : `person-${String(k + 1).padStart(width, '0')}`);
    return { name, label };
  });
  if (members.has(-1)) folders.push({ name: 'noise', label: -1 });

  const result: SaveClustersResult = { dir: out, folders: [], written: 0, failed: [] };
  for (const folder of folders) {
    const folderPath = inside(out, folder.name);
    await mkdir(folderPath);
    const used = new Set<string>();
    const done = new Set<string>();
    let files = 0;
    const idx = members.get(folder.label)!;
    for (const i of idx) {
      const photo = photos[i];
      if (o.mode !== 'crops') {
        if (done.has(photo)) continue; // two faces of one photo in one cluster: one file
        done.add(photo);
      }
      const name = uniqueName(used, o.mode === 'crops' ? `${stem(photo)}-face${i}.jpg` : safeBase(photo));
      const target = inside(folderPath, name);
      try {
        if (o.mode === 'copy') await copyFile(photo, target, constants.COPYFILE_EXCL);
        else if (o.mode === 'link') {
          if (!existsSync(photo)) throw new Error('no such file');
          await symlink(photo, target);
        } else await writeFile(target, await cropFace(photo, faces[i].box!, o.cropMargin), { flag: 'wx' });
        files++;
      } catch (e) {
        result.failed.push({ photo: faces[i].photo, reason: (e as Error).message });
      }
    }
    result.folders.push({ name: folder.name, label: folder.label, faces: idx.length, files });
    result.written += files;
  }
  return result;
}

/** JPEG of the face box (plus margin, clamped to the image) of the upright (EXIF-rotated) photo, in any format decodeImage reads. */
async function cropFace(photo: string, box: Box, margin: number): Promise<Buffer> {
  const { image, width: W, height: H } = await openUpright(photo);
  const left = Math.max(0, Math.floor(box.x - margin * box.width));
  const top = Math.max(0, Math.floor(box.y - margin * box.height));
  const right = Math.min(W, Math.ceil(box.x + box.width * (1 + margin)));
  const bottom = Math.min(H, Math.ceil(box.y + box.height * (1 + margin)));
  if (right <= left || bottom <= top) throw new Error(`face box ${JSON.stringify(box)} lies outside the ${W}x${H} image`);
  return image.extract({ left, top, width: right - left, height: bottom - top }).jpeg({ quality: 90 }).toBuffer();
}

/** `join(folder, name)`, refusing anything that would resolve outside `folder`. */
function inside(folder: string, name: string): string {
  const p = resolve(folder, name);
  if (dirname(p) !== folder || !p.startsWith(folder + sep)) {
    throw new FaceclusterError('saveClusters', `an output path must stay inside ${JSON.stringify(folder)}, got ${JSON.stringify(name)}.`);
  }
  return p;
}

/** The deepest folder holding every path (undefined for none). */
function commonFolder(paths: string[]): string | undefined {
  if (paths.length === 0) return undefined;
  let common = dirname(paths[0]);
  for (const p of paths) {
    while (!isSameOrInside(p, common)) {
      const up = dirname(common);
      if (up === common) return common;
      common = up;
    }
  }
  return common;
}

/** A file's base name, stripped of anything that could leave the folder or hide the file. */
function safeBase(p: string): string {
  const b = basename(p).replace(/[/\\\0]/g, '_').replace(/^\.+/, '_');
  return b === '' ? 'photo' : b;
}

function stem(p: string): string {
  const b = safeBase(p);
  const e = extname(b);
  return e ? b.slice(0, -e.length) : b;
}

/** `name`, or `name-2.ext`, `name-3.ext`, ... when taken in this folder. */
function uniqueName(used: Set<string>, name: string): string {
  let candidate = name;
  const e = extname(name);
  const s = e ? name.slice(0, -e.length) : name;
  for (let k = 2; used.has(candidate); k++) candidate = `${s}-${k}${e}`;
  used.add(candidate);
  return candidate;
}
