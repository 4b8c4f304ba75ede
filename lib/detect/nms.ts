/**
 * Box overlap and greedy non-maximum suppression on {@link Box}es (`{x, y, width, height}`, continuous pixels):
 * what merges one detector's overlapping candidates, the copies of one face found by two overlapping tiles, and
 * what matches detections to known faces in `bench:detect`.
 *
 * Greedy NMS: keep the highest-scoring box left, drop every other box that overlaps it by more than the
 * threshold, repeat (Neubeck, Van Gool, "Efficient Non-Maximum Suppression", ICPR 2006; the form every
 * single-shot face detector uses, UltraFace's original code among them).
 */
import type { Box } from '../types.ts';

/** Intersection over union of two boxes, in [0, 1] (0 when they do not overlap or one is empty). */
export function boxIou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Intersection over the smaller box's area, in [0, 1]: 1 when one box lies inside the other. */
export function boxOverlapOfSmaller(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

/**
 * Greedy non-maximum suppression: `items` by descending score (ties keep their order), each kept unless its
 * box overlaps a box already kept: IoU strictly above `iou`, or (when `ofSmaller` is given) intersection over
 * the smaller box strictly above `ofSmaller` (MTCNN's `min` overlap: a box of part of a face, nested in the
 * face's box, has a small IoU with it). At most `max` kept. Returns the kept items, best first; `items` is not
 * modified.
 */
export function suppressOverlaps<T extends { box: Box; score: number }>(items: readonly T[], iou: number, max = Infinity, ofSmaller = Infinity): T[] {
  const order = items.map((_, i) => i).sort((a, b) => items[b].score - items[a].score || a - b);
  const kept: T[] = [];
  for (const i of order) {
    if (kept.length >= max) break;
    const c = items[i];
    if (!kept.some((k) => boxIou(k.box, c.box) > iou || boxOverlapOfSmaller(k.box, c.box) > ofSmaller)) kept.push(c);
  }
  return kept;
}
