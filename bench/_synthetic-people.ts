/**
 * A synthetic face store with people, for `bench:serve` and the README's screenshot of `facecluster serve`: drawn
 * cartoon faces (no photo of anyone), one look per person, laid out in grid "photos" of `perPhoto` faces; each
 * face a store row (box = its tile) with a 128-d unit vector near its person's centre; the people tables written
 * as a `facecluster run` would leave them (lib/people table.ts), with names for some people.
 *
 * Person 1 gets every `perPhoto`-th face (a large person, for the Person page); the rest go round the others.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openStoreWriter } from '../lib/store/write.ts';
import { writePeopleTables } from '../lib/people/table.ts';
import { appendCorrection } from '../lib/people/journal.ts';
import type { FaceStatus, PeopleState } from '../lib/people/assign.ts';

export interface SyntheticOptions {
  faces: number;
  people: number;
  perPhoto: number;
  tile: number;
  /** Give names to people whose id is a multiple of this (0: none), as `facecluster people name` does (journalled). */
  nameEvery: number;
  /** Looks per person (a slight turn of the head each); 1 for speed. */
  variants: number;
  seed: number;
}

const FIRST = ['Ada', 'Ben', 'Cleo', 'Dev', 'Ema', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kai', 'Lena', 'Milo', 'Nora', 'Omar', 'Pia', 'Quin', 'Rosa', 'Sam', 'Tess', 'Umar', 'Vera', 'Wes', 'Xena', 'Yuri', 'Zoe'];
const LAST = ['Abbott', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fox', 'Garcia', 'Hart', 'Ito', 'Jones', 'Khan', 'Lopez', 'Moreau', 'Novak', 'Okafor', 'Park'];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** An SVG cartoon face: skin, hair, eyes, mouth, glasses, all from the person id. */
function cartoon(person: number, size: number, variant: number): string {
  const r = rng(person * 7919 + 13);
  const skin = ['#f1c27d', '#e0ac69', '#c68642', '#8d5524', '#ffdbac', '#f5cba7'][Math.floor(r() * 6)];
  const hair = ['#2c1b18', '#4a312c', '#a55728', '#b89778', '#dcd0ba', '#6a4e42', '#d6c4c2', '#e8e1e1'][Math.floor(r() * 8)];
  const bg = `hsl(${Math.floor(r() * 360)}, 45%, ${70 + Math.floor(r() * 15)}%)`;
  const eye = 0.13 + r() * 0.07;
  const mouth = r() < 0.5 ? 'smile' : 'flat';
  const glasses = r() < 0.3;
  const longHair = r() < 0.45;
  const tilt = (variant % 5) - 2; // -2..2: a few degrees either way
  const s = size;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" viewBox="0 0 100 100">
<rect width="100" height="100" fill="${bg}"/>
<g transform="rotate(${tilt * 3} 50 55)">
${longHair ? `<rect x="22" y="30" width="56" height="55" rx="20" fill="${hair}"/>` : ''}
<ellipse cx="50" cy="55" rx="26" ry="31" fill="${skin}"/>
<path d="M24 48 Q50 ${10 + r() * 10} 76 48 Q70 30 50 27 Q30 30 24 48Z" fill="${hair}"/>
<circle cx="${50 - eye * 100}" cy="55" r="3.2" fill="#222"/><circle cx="${50 + eye * 100}" cy="55" r="3.2" fill="#222"/>
${glasses ? `<g fill="none" stroke="#333" stroke-width="1.6"><circle cx="${50 - eye * 100}" cy="55" r="7"/><circle cx="${50 + eye * 100}" cy="55" r="7"/><path d="M${50 - eye * 100 + 7} 55 H${50 + eye * 100 - 7}"/></g>` : ''}
<path d="M50 58 L47 68 L52 68" fill="none" stroke="#0004" stroke-width="1.5"/>
${mouth === 'smile' ? '<path d="M40 74 Q50 82 60 74" fill="none" stroke="#7a2e2e" stroke-width="2.5"/>' : '<path d="M41 76 H59" stroke="#7a2e2e" stroke-width="2.5"/>'}
</g></svg>`;
}

export function personName(id: number): string {
  return `${FIRST[id % FIRST.length]} ${LAST[Math.floor(id / FIRST.length) % LAST.length]}`;
}

/** Writes photos to `<root>/photos` and the store to `<root>/store`; returns the store folder. */
export async function makeSyntheticPeople(root: string, o: SyntheticOptions, onProgress?: (done: number, total: number) => void): Promise<{ store: string; photos: string }> {
  const photos = join(root, 'photos');
  const store = join(root, 'store');
  mkdirSync(photos, { recursive: true });
  const nPhotos = Math.ceil(o.faces / o.perPhoto);
  const cols = Math.ceil(Math.sqrt(o.perPhoto * 2));
  const rows = Math.ceil(o.perPhoto / cols);
  const personOfFace = (g: number) => (g % o.perPhoto === 0 ? 1 : 2 + ((g - Math.floor(g / o.perPhoto) - 1) % (o.people - 1)));
  const tiles = new Map<number, Buffer>();
  const tileOf = async (p: number, v: number) => {
    const key = p * 16 + v;
    let t = tiles.get(key);
    if (!t) tiles.set(key, (t = await sharp(Buffer.from(cartoon(p, o.tile, v))).png().toBuffer()));
    return t;
  };
  const r = rng(o.seed);
  const centres = new Map<number, Float32Array>();
  const centre = (p: number) => {
    let c = centres.get(p);
    if (!c) {
      const q = rng(p * 104729 + o.seed);
      c = Float32Array.from({ length: 128 }, () => q() - 0.5);
      centres.set(p, c);
    }
    return c;
  };
  const w = await openStoreWriter(store, {
    detector: 'ssd-mobilenet', detectorConfig: {}, embedder: 'resnet128', embeddingDimension: 128, minScore: null, minFaceSize: 0,
    align: { method: 'similarity', template: 'dlib', size: 150 }, maxPixels: 1e8, maxSide: 4096, labels: 'none',
  }, { photoFolder: photos, backend: 'synthetic' });
  const names = Array.from({ length: nPhotos }, (_, k) => `p${String(Math.floor(k / 100)).padStart(3, '0')}/photo_${String(k).padStart(6, '0')}.png`);
  await w.plan(names.map((path) => ({ path, sizeBytes: 1, mtimeMs: 1 })));
  const faceIds: string[] = [];
  const personOf: number[] = [];
  const BATCH = 100;
  for (let b = 0; b < nPhotos; b += BATCH) {
    const photoRecs = [];
    const faceRecs = [];
    for (let k = b; k < Math.min(nPhotos, b + BATCH); k++) {
      const count = Math.min(o.perPhoto, o.faces - k * o.perPhoto);
      const width = cols * o.tile;
      const height = Math.ceil(count / cols) * o.tile;
      const composite = [];
      for (let j = 0; j < count; j++) {
        const g = k * o.perPhoto + j;
        const p = personOfFace(g);
        const left = (j % cols) * o.tile;
        const top = Math.floor(j / cols) * o.tile;
        composite.push({ input: await tileOf(p, g % o.variants), left, top });
        const c = centre(p);
        const v = Float32Array.from(c, (x) => x + 0.08 * (r() - 0.5));
        const norm = Math.hypot(...v);
        faceRecs.push({
          path: names[k], faceIndex: j, label: null, imageWidth: width, imageHeight: height, score: 0.99,
          landmarks5: [0, 1, 2, 3, 4].map((t) => ({ x: left + 20 + t, y: top + 20 })) as never,
          box: { x: left + o.tile * 0.18, y: top + o.tile * 0.2, width: o.tile * 0.64, height: o.tile * 0.72 },
          embedding: v.map((x) => x / norm),
        });
        faceIds.push(`${names[k]}#${j}`);
        personOf.push(p);
      }
      mkdirSync(join(photos, names[k].split('/')[0]), { recursive: true });
      await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composite).png({ compressionLevel: 1 }).toFile(join(photos, names[k]));
      photoRecs.push({ path: names[k], sizeBytes: 1, mtimeMs: 1, width, height, status: 'ok' as const, reason: null, faceCount: count, label: null });
    }
    await w.writeBatch(photoRecs, faceRecs);
    onProgress?.(Math.min(nPhotos, b + BATCH), nPhotos);
  }
  await w.finish(true);
  const now = new Date(0).toISOString();
  const state: PeopleState = {
    persons: Array.from({ length: o.people }, (_, i) => ({ id: i + 1, name: null, createdAt: now })),
    faceIds, personOf: Int32Array.from(personOf), status: personOf.map(() => 'assigned' as FaceStatus), nextId: o.people + 1,
    rule: { method: 'auto', threshold: 0.5, metric: 'euclidean' },
    summary: { faces: faceIds.length, newFaces: faceIds.length, joined: 0, newPeople: o.people, droppedFaces: 0, removedPeople: 0, unassigned: 0, ignored: 0, unsorted: 0, poorJoined: 0 },
  };
  let corrections = 0;
  for (const p of state.persons) {
    if (o.nameEvery && p.id % o.nameEvery === 0) {
      appendCorrection(store, { op: 'name', person: p.id, name: personName(p.id) }, new Date(0));
      corrections++;
    }
  }
  await writePeopleTables(store, state, corrections);
  return { store, photos };
}
