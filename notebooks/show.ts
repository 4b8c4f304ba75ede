/**
 * Notebook-only drawing helper (imported by the notebooks as `./show`, transpiled by tslab itself): a photo with
 * its detected faces drawn over it. Every output goes through the library's display bundles (`fc.showChart`,
 * `fc.showTable`, `fc.showImage`: lib/viz/display.ts), so every Jupyter front end shows it.
 */
import sharp from 'sharp';

interface DrawnFace {
  box: { x: number; y: number; width: number; height: number };
  score?: number;
  landmarks5?: readonly { x: number; y: number }[];
  landmarks68?: readonly { x: number; y: number }[];
}

/**
 * The photo at `path` with each face's box (green), score, 68 landmarks (small yellow dots) and 5 alignment
 * points (red) drawn over it, as PNG bytes. Coordinates are original (upright) pixels, as the library gives them.
 */
export async function drawFaces(path: string, faces: readonly DrawnFace[]): Promise<Buffer> {
  const image = sharp(path).rotate();
  const { width = 0, height = 0 } = await image.metadata();
  const stroke = Math.max(1, Math.round(Math.min(width, height) / 160));
  const dot = (p: { x: number; y: number }, r: number, color: string) => `<circle cx="${p.x}" cy="${p.y}" r="${r}" fill="${color}"/>`;
  const parts = faces.map((f) => [
    `<rect x="${f.box.x}" y="${f.box.y}" width="${f.box.width}" height="${f.box.height}" fill="none" stroke="#00e000" stroke-width="${stroke}"/>`,
    f.score === undefined ? '' : `<text x="${f.box.x}" y="${Math.max(10, f.box.y - 3)}" font-family="sans-serif" font-size="${6 * stroke + 4}" fill="#00e000">${f.score.toFixed(2)}</text>`,
    ...(f.landmarks68 ?? []).map((p) => dot(p, stroke * 0.8, '#ffd000')),
    ...(f.landmarks5 ?? []).map((p) => dot(p, stroke * 2, '#ff2020')),
  ].join(''));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
  return image.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toBuffer();
}
