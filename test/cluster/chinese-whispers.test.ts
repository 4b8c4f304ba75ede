/** Hand-worked Chinese Whispers cases (dlib's chinese_whispers_clustering semantics). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chineseWhispers } from '../../lib/cluster/chinese-whispers.ts';
import { assertSamePartition, rows } from './_helpers.ts';

// Two 4-cliques joined by one bridge, plus an isolated face (1-D, threshold 0.35):
// A = 0, 0.1, 0.2, 0.3 (all pairs <= 0.3 < 0.35), B = 0.6 .. 0.9 likewise, the only cross pair below 0.35 is
// 0.3 - 0.6 (0.3); 5.0 is alone.
const bridged = rows([[0], [0.1], [0.2], [0.3], [0.6], [0.7], [0.8], [0.9], [5]]);

test('chineseWhispers: two cliques joined by a bridge stay two clusters (connected components would give one)', () => {
  // Once A agrees on a label, face 3 sees it with weight 4 (self + 3 neighbours) against 1 for its B neighbour,
  // and face 4 symmetrically: both cliques keep their labels; the isolated face keeps its own (self-loop only).
  for (let seed = 0; seed < 10; seed++) {
    const r = chineseWhispers(bridged, { threshold: 0.35, seed });
    assertSamePartition(r.labels, [0, 0, 0, 0, 1, 1, 1, 1, 2], `seed ${seed}`);
    assert.equal(r.nClusters, 3);
  }
});

test('chineseWhispers: edges need distance < threshold (strict, as dlib)', () => {
  // 0 and 0.5 are exactly 0.5 apart: no edge at threshold 0.5 -> two clusters
  assertSamePartition(chineseWhispers(rows([[0], [0.5]]), { threshold: 0.5 }).labels, [0, 1]);
  // an edge at 0.5000001: one neighbour (weight 1) ties the self-loop (1): the smaller label wins -> one cluster
  assertSamePartition(chineseWhispers(rows([[0], [0.5]]), { threshold: 0.5000001 }).labels, [0, 0]);
});

test('chineseWhispers: similarity weighting still lets one neighbour outweigh the self-loop', () => {
  // weights 2 - d/t: the pair at d = 0.3 (t = 0.35) has weight 1.14 > self-loop 1, so the faces join
  // (with weights below 1 every face would keep its own label forever).
  assertSamePartition(chineseWhispers(rows([[0], [0.3], [3]]), { threshold: 0.35, weighting: 'similarity' }).labels, [0, 0, 1]);
});
