/**
 * Face-level detection scoring: which known faces a detector found and which of its detections are faces.
 *
 * Matching is one-to-one and greedy by overlap: every (known face, detection) pair with IoU >= `minIou` is taken
 * in descending IoU order (ties: known face first, then detection, by index) when neither is matched yet. A
 * known face matched is found (recall = found / known faces); a detection matched is true (precision = true /
 * detections). A second detection of a face already matched is a false one. This is the PASCAL VOC rule
 * (Everingham, Van Gool, Williams, Winn, Zisserman, "The PASCAL Visual Object Classes (VOC) Challenge", IJCV
 * 2010) with the threshold lowered from 0.5 to 0.4, since detectors disagree on how much forehead and chin a
 * face box holds.
 */
import { checkNumber } from '../options.ts';
import { boxIou } from '../detect/nms.ts';
import type { Box } from '../types.ts';

/** Which known faces were found and which detections are true. */
export interface DetectionMatch {
  /** `truthFound[i]`: known face i was matched by a detection. */
  truthFound: boolean[];
  /** `detectionTrue[j]`: detection j matched a known face. */
  detectionTrue: boolean[];
  /** `detectionOf[i]`: the detection matched to known face i, or -1. */
  detectionOf: Int32Array;
}

/**
 * Matches `detections` to known faces `truth` (see the module comment). Neither input is modified.
 *
 * @param minIou smallest IoU of a match, in (0, 1]. @default 0.4
 */
export function matchDetections(truth: readonly Box[], detections: readonly Box[], minIou = 0.4): DetectionMatch {
  checkNumber('matchDetections', 'minIou', minIou, 0, 1, true);
  const pairs: { i: number; j: number; iou: number }[] = [];
  for (let i = 0; i < truth.length; i++) {
    for (let j = 0; j < detections.length; j++) {
      const iou = boxIou(truth[i], detections[j]);
      if (iou >= minIou) pairs.push({ i, j, iou });
    }
  }
  pairs.sort((a, b) => b.iou - a.iou || a.i - b.i || a.j - b.j);
  const truthFound = truth.map(() => false);
  const detectionTrue = detections.map(() => false);
  const detectionOf = new Int32Array(truth.length).fill(-1);
  for (const p of pairs) {
    if (truthFound[p.i] || detectionTrue[p.j]) continue;
    truthFound[p.i] = true;
    detectionTrue[p.j] = true;
    detectionOf[p.i] = p.j;
  }
  return { truthFound, detectionTrue, detectionOf };
}
