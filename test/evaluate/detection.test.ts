// Face-level detection matching (lib/evaluate/detection.ts) on hand-worked boxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchDetections } from '../../lib/evaluate/detection.ts';

const box = (x: number, y: number, s = 10) => ({ x, y, width: s, height: s });

test('matchDetections: one-to-one, best overlap first, IoU >= minIou inclusive; a second box on a face is false', () => {
  const truth = [box(0, 0), box(100, 0)];
  // d0 on face 0 (IoU 1); d1 shifted 5 px on face 0 (IoU 50/150 = 1/3); d2 far away; d3 on face 1 shifted 2 px (IoU 80/120 = 2/3)
  const detections = [box(0, 0), box(5, 0), box(300, 300), box(102, 0)];
  const m = matchDetections(truth, detections, 0.4);
  assert.deepEqual(m.truthFound, [true, true]);
  assert.deepEqual(m.detectionTrue, [true, false, false, true]); // d1: a second box on face 0
  assert.deepEqual([...m.detectionOf], [0, 3]);
  // the threshold is inclusive: at minIou 1/3 d1 could match, but face 0 is taken by d0 (IoU 1) first
  assert.deepEqual(matchDetections([box(0, 0)], [box(5, 0)], 1 / 3).truthFound, [true]);
  assert.deepEqual(matchDetections([box(0, 0)], [box(5, 0)], 0.34).truthFound, [false]);
  // greedy by IoU: face 0 and detection 1 coincide (IoU 1); detection 0 (IoU 2/3 with face 1, 1/4 with face 0) takes face 1
  const g = matchDetections([box(0, 0), box(4, 0)], [box(6, 0), box(0, 0)], 0.3);
  assert.deepEqual([...g.detectionOf], [1, 0]);
  // nothing to match
  assert.deepEqual(matchDetections([], [box(0, 0)]).detectionTrue, [false]);
  assert.deepEqual(matchDetections([box(0, 0)], []).truthFound, [false]);
  assert.throws(() => matchDetections([], [], 0), /matchDetections: minIou must be a finite number > 0 and <= 1, got 0\./);
});
