import { test } from 'node:test';
import assert from 'node:assert/strict';
import { samePartition } from './_helpers.ts';

test('samePartition: renumbering is ignored, splits/merges/noise are not', () => {
  assert.equal(samePartition([0, 0, 1, 2], [5, 5, 3, 9]), true); // pure renumbering
  assert.equal(samePartition([0, 0, 1, 1], [0, 0, 0, 1]), false); // a split
  assert.equal(samePartition([0, 1, 1], [0, 0, 0]), false); // a merge (b's 0 maps to two a labels)
  assert.equal(samePartition([0, -1], [0, 1]), false); // noise vs cluster
  assert.equal(samePartition([-1, -1], [-1, -1]), true);
  assert.equal(samePartition([0], [0, 0]), false); // lengths
});
