/**
 * face-api's 68-point landmark net (for detectors that give no landmarks: SSD MobileNet, Tiny), and the
 * 5 canonical points derived from the 68 (iBUG 300-W layout): eye centres (mean of points 36-41 and
 * 42-47), nose tip (30), mouth corners (48, 54).
 *
 * Sagonas, Tzimiropoulos, Zafeiriou, Pantic, "300 Faces in-the-Wild Challenge: The first facial landmark
 * localization challenge", ICCV Workshops 2013 (the 68-point layout).
 */
import { FaceclusterError } from '../errors.ts';
import { cropImage } from '../image/crop.ts';
import { loadFaceApiNet, releaseFaceApiNet } from '../runtime/face-api.ts';
import { rgbToTensor } from '../runtime/tensor.ts';
import type { Box, Landmarks5, Point, RgbImage } from '../types.ts';

export interface Landmarker68 {
  /** 68 points per box, in image pixels. Boxes are cropped as face-api does (rounded, clamped). */
  landmarks(image: RgbImage, boxes: Box[]): Promise<Point[][]>;
  dispose(): void;
}

/** Loads face-api's `faceLandmark68Net` (once per process). */
export async function createLandmarker68(): Promise<Landmarker68> {
  const { faceapi, runtime } = await loadFaceApiNet('faceLandmark68Net');
  const tf = runtime.tf;
  let disposed = false;
  return {
    async landmarks(image, boxes) {
      if (disposed) throw new FaceclusterError('landmarks68', 'the landmarker was disposed.');
      if (boxes.length === 0) return [];
      const crops = boxes.map((b) => cropImage(image, b));
      const origins = boxes.map((b) => ({ x: Math.max(0, Math.floor(b.x)), y: Math.max(0, Math.floor(b.y)) }));
      const tensors = crops.map((c) => rgbToTensor(tf, c));
      try {
        const result = await faceapi.nets.faceLandmark68Net.detectLandmarks((tensors.length === 1 ? tensors[0] : tensors) as never);
        const list = Array.isArray(result) ? result : [result];
        return list.map((lm, i) => lm.positions.map((p) => ({ x: p.x + origins[i].x, y: p.y + origins[i].y })));
      } finally {
        for (const t of tensors) t.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void releaseFaceApiNet('faceLandmark68Net');
    },
  };
}

function mean(points: Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / points.length, y: y / points.length };
}

/** The 5 canonical points (see {@link Landmarks5}) from 68 iBUG points. */
export function landmarks5From68(points: Point[]): Landmarks5 {
  if (points.length !== 68) throw new FaceclusterError('landmarks5From68', `points must be 68 points, got ${points.length}.`, 'points');
  return [mean(points.slice(36, 42)), mean(points.slice(42, 48)), { ...points[30] }, { ...points[48] }, { ...points[54] }];
}
