/**
 * Face-crop test sets made from LFW: many collections and datasets are already cropped to the face (ORL/AT&T
 * 92x112 grey, aligned 150x150 grey crops, 112x112 colour chips), and a detector tuned on whole photos can
 * miss a face that fills the frame. These sets measure that.
 *
 * Each crop is cut from a deep-funneled LFW photo around the face box of the precomputed face-api detections
 * (`embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl`, the face nearest the image centre): the box's
 * height (and the set's aspect ratio) around the box centre, so the face touches the crop's edges, then resized.
 * Files are written as `<dest>/<identity>/<photo>.png`; nothing is cached in the repository.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import { dataDir } from '../paths.ts';
import { loadPrecomputedEmbeddings } from './precomputed.ts';

/** The crop sets: size and colour. */
export const LFW_CROP_KINDS = {
  /** 112x112 colour (the input of most ArcFace-style embedders). */
  'rgb-112': { width: 112, height: 112, grey: false },
  /** 92x112 grey (the AT&T / ORL face database's format). */
  'grey-92x112': { width: 92, height: 112, grey: true },
  /** 150x150 grey (aligned-crop collections, dlib's chip size). */
  'grey-150': { width: 150, height: 150, grey: true },
} as const;

export type LfwCropKind = keyof typeof LFW_CROP_KINDS;

export interface LfwCropOptions {
  /** Which set. @default 'rgb-112' */
  kind: LfwCropKind;
  /** How many crops, taken evenly over the file (many people). @default 100 */
  count: number;
  /**
   * Side of the cut square (or the height of the cut, for non-square sets) as a multiple of the box height:
   * 1 is tight (the face touches the edges), larger is looser. @default 1
   */
  scale: number;
}

export const LFW_CROP_DEFAULTS: Readonly<LfwCropOptions> = Object.freeze({ kind: 'rgb-112', count: 100, scale: 1 });

/**
 * Writes `count` crops of `kind` under `dest` and returns their paths relative to `dest`. Needs the deep-funneled
 * LFW photos and the precomputed detections in the data folder.
 */
export async function writeLfwCrops(dest: string, options?: Partial<LfwCropOptions>): Promise<string[]> {
  const fn = 'writeLfwCrops';
  const o = resolveOptions(fn, LFW_CROP_DEFAULTS, options);
  checkOneOf(fn, 'kind', o.kind, Object.keys(LFW_CROP_KINDS) as LfwCropKind[]);
  checkInteger(fn, 'count', o.count, 1);
  const spec = LFW_CROP_KINDS[o.kind];
  const all = await loadPrecomputedEmbeddings();
  const step = Math.max(1, Math.floor(all.files.length / o.count));
  const root = join(dataDir(), 'lfw-deepfunneled');
  const written: string[] = [];
  for (let i = 0; i < all.files.length && written.length < o.count; i += step) {
    const file = all.files[i];
    const b = all.boxes[i];
    const h = b.height * o.scale;
    const w = (h * spec.width) / spec.height;
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    const meta = await sharp(join(root, file)).metadata();
    const left = Math.max(0, Math.round(cx - w / 2));
    const top = Math.max(0, Math.round(cy - h / 2));
    const width = Math.min(meta.width! - left, Math.round(w));
    const height = Math.min(meta.height! - top, Math.round(h));
    const rel = file.replace(/\.[^.]+$/, '.png');
    await mkdir(dirname(join(dest, rel)), { recursive: true });
    let img = sharp(join(root, file)).extract({ left, top, width, height }).resize(spec.width, spec.height, { fit: 'fill' });
    if (spec.grey) img = img.greyscale();
    await img.png().toFile(join(dest, rel));
    written.push(rel);
  }
  return written;
}
