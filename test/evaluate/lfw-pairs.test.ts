import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lfwTenFold, parseLfwPairs, type LfwPair } from '../../lib/evaluate/lfw-pairs.ts';
import { findData } from '../../lib/paths.ts';

test('parseLfwPairs: folds of same then different pairs, photo paths with 4-digit numbers', () => {
  const pairs = parseLfwPairs('2 1\nAl 1 3\nBo 2 Cy 10\nDi 4 5\nEd 1 Al 2\n');
  assert.deepEqual(pairs, [
    { a: 'Al/Al_0001.jpg', b: 'Al/Al_0003.jpg', same: true, fold: 0 },
    { a: 'Bo/Bo_0002.jpg', b: 'Cy/Cy_0010.jpg', same: false, fold: 0 },
    { a: 'Di/Di_0004.jpg', b: 'Di/Di_0005.jpg', same: true, fold: 1 },
    { a: 'Ed/Ed_0001.jpg', b: 'Al/Al_0002.jpg', same: false, fold: 1 },
  ]);
  assert.throws(() => parseLfwPairs('2 1\nAl 1 3\n'), /parseLfwPairs: text must have 5 lines for 2 folds of 2 x 1 pairs, got 2\./);
  assert.throws(() => parseLfwPairs('1 1\nAl 1\nBo 2 Cy 10\n'), /line 2 must be a same-person "name i j" pair, got "Al 1"/);
});

test('lfwTenFold: threshold from the other folds; a pair without a face counts wrong (worked by hand)', () => {
  // 3 folds, each: one same pair, one different pair
  const mk = (fold: number): LfwPair[] => [
    { a: 'x', b: 'y', same: true, fold },
    { a: 'x', b: 'z', same: false, fold },
  ];
  const pairs = [...mk(0), ...mk(1), ...mk(2)];
  // folds 0 and 1 separate at any threshold in (0.4, 1.0) / (0.5, 0.9); fold 2's same pair is far (1.2)
  const d = [0.4, 1.0, 0.5, 0.9, 1.2, 1.3];
  const r = lfwTenFold(pairs, d);
  // fold 0 held out: trained on folds 1, 2: distances 0.5 s, 0.9 d, 1.2 s, 1.3 d -> best: t in [0.5, 0.9) (3 of 4
  // right; t >= 1.2 is also 3 of 4 but the first best wins) -> t = 0.7; fold 0: 0.4 <= 0.7 same ok, 1.0 > 0.7 ok -> 1
  assert.equal(r.thresholds[0], 0.7);
  assert.equal(r.folds[0], 1);
  // fold 2 held out: trained on 0.4 s, 0.5 s, 0.9 d, 1.0 d -> t = 0.7; fold 2: 1.2 (same) rejected: wrong, 1.3 ok -> 0.5
  assert.equal(r.folds[2], 0.5);
  assert.equal(r.missing, 0);
  // a missing distance: wrong on its fold, left out of the training
  const m = lfwTenFold(pairs, [NaN, 1.0, 0.5, 0.9, 1.2, 1.3]);
  assert.equal(m.missing, 1);
  assert.equal(m.folds[0], 0.5);
  assert.ok(Math.abs(r.mean - (1 + 1 + 0.5) / 3) < 1e-12);
  assert.throws(() => lfwTenFold(pairs, [1]), /lfwTenFold: distance must have one value per pair \(6\), got 1\./);
});

test('parseLfwPairs: the shared pairs.txt has 10 folds of 300 + 300 pairs', { skip: findData('lfw-pairs.txt') ? false : 'lfw-pairs.txt not found' }, () => {
  const pairs = parseLfwPairs(readFileSync(join(findData('lfw-pairs.txt')!), 'utf8'));
  assert.equal(pairs.length, 6000);
  assert.equal(pairs.filter((p) => p.same).length, 3000);
  assert.deepEqual([...new Set(pairs.map((p) => p.fold))], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});
