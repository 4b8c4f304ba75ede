/**
 * Greedy non-maximum suppression as MTCNN uses it (facenet `detect_face.nms`, after Zhang et al.'s MATLAB
 * code): boxes are inclusive pixel rectangles, so a box's area is (x2 - x1 + 1) * (y2 - y1 + 1).
 *
 * Repeatedly keep the highest-scoring box left and drop every other box whose overlap with it is
 * greater than `threshold` (an overlap equal to the threshold is kept). Overlap is
 * - `union`: intersection / union (IoU);
 * - `min`: intersection / the smaller of the two areas (drops boxes nested inside a kept box).
 */

/** A candidate box in MTCNN's inclusive pixel coordinates, with its score. */
export interface ScoredBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

export type NmsMethod = 'union' | 'min';

/**
 * Returns the indices of the kept boxes, highest score first (ties: lower index first).
 * Does not modify `boxes`.
 */
export function nms(boxes: readonly ScoredBox[], threshold: number, method: NmsMethod): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].score - boxes[a].score || a - b);
  const area = boxes.map((b) => (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1));
  const suppressed = new Uint8Array(boxes.length);
  const keep: number[] = [];
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi];
    if (suppressed[i]) continue;
    keep.push(i);
    const a = boxes[i];
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj];
      if (suppressed[j]) continue;
      const b = boxes[j];
      const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + 1);
      const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + 1);
      const inter = w * h;
      const overlap = method === 'min' ? inter / Math.min(area[i], area[j]) : inter / (area[i] + area[j] - inter);
      if (overlap > threshold) suppressed[j] = 1;
    }
  }
  return keep;
}
