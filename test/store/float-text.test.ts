// writeFloat32Text (CSV of vectors): hand-worked texts, and every value of a seeded sweep of float32 bit patterns
// read back as itself and written as JavaScript's String(Number(v.toPrecision(9))) writes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFloat32Text } from '../../lib/store/_float-text.ts';

const text = (v: number) => {
  const out = new Uint8Array(64);
  return Buffer.from(out.subarray(0, writeFloat32Text(out, 0, v))).toString('latin1');
};
const f = Math.fround;

test('writeFloat32Text: hand-worked values', () => {
  assert.equal(text(0), '0');
  assert.equal(text(-0), '0');
  assert.equal(text(0.5), '0.5');
  assert.equal(text(3), '3');
  assert.equal(text(-1200), '-1200'); // a whole number: digits then zeros
  assert.equal(text(f(0.1)), '0.100000001'); // float32 0.1 is 0.100000001490116..., 9 digits
  assert.equal(text(f(-0.0412345678)), '-0.0412345678');
  assert.equal(text(f(123456789)), '123456792'); // the float32 nearest 123456789
  assert.equal(text(f(12.375)), '12.375'); // digits on both sides of the point
  assert.equal(text(f(9.9999999)), '10'); // float32 10 exactly
  assert.equal(text(f(0.0000015)), '0.00000150000005'); // from 1e-6: written in full (float32 1.50000005e-6)
  assert.equal(text(f(0.00000015)), '1.50000005e-7'); // below 1e-6: as JavaScript prints it
  assert.equal(text(f(3e22)), '2.99999993e+22');
});

test('writeFloat32Text: 400,000 float32 bit patterns and every float32 within 300 of each power of ten read back exactly, as JavaScript writes them', () => {
  const b = new Float32Array(1);
  const u = new Uint32Array(b.buffer);
  let seed = 21;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const values: number[] = [];
  for (let i = 0; i < 400_000; i++) {
    u[0] = next();
    if (Number.isFinite(b[0])) values.push(b[0]);
  }
  for (let k = -8; k <= 22; k++) {
    b[0] = Number(`1e${k}`);
    const at = u[0];
    for (let d = -300; d <= 300; d++) {
      u[0] = at + d;
      values.push(b[0], -b[0]);
    }
  }
  let wrong = 0;
  for (const v of values) {
    const s = text(v);
    if (Math.fround(Number(s)) !== v || (v !== 0 && s !== String(Number(v.toPrecision(9))))) {
      if (wrong++ < 5) assert.fail(`${v}: wrote ${s}, JavaScript ${String(Number(v.toPrecision(9)))}`);
    }
  }
  assert.equal(wrong, 0);
});
