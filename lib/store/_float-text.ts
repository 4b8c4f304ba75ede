/**
 * Decimal text of float32 values written straight into bytes, for CSV files of vectors: 9 significant digits,
 * trailing zeros dropped (`-0.0412345678`, `0.5`, `3`), which reads back as the same float32 (9 digits tell any
 * two float32 apart: IEEE 754-2008, 5.12.2). Writes no string per value: `String(Number(v.toPrecision(9)))` spent
 * ~0.5 us a value and as much again in garbage collection (100,000 x 512-d faces: 27 + 23 CPU s).
 *
 * The 9 digits are `round(|v| x 10^(8-e))`, one double multiplication, so a value whose 10th digit is a tie can
 * round the other way from `toPrecision`; the text is then 1 unit of the 9th digit off, still nearer to `v` than
 * to any other float32 (half their spacing is at least 3 units of the 9th digit), so it still reads back as `v`.
 */

/** Powers of ten 10^0 .. 10^22, every one exact in a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** 10^(k-6) for k = 0..27: where the decimal exponent of a value written in full changes. */
const BOUNDS = Array.from({ length: 28 }, (_, k) => Number(`1e${k - 6}`));
/** The two ASCII digits of 0..99, as one 16-bit pair each (tens first). */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/** `|a| x 10^k` for a whole k in -22..44, with at most two roundings. */
function scale(a: number, k: number): number {
  if (k > 22) return a * POW10[22] * POW10[k - 22];
  return k >= 0 ? a * POW10[k] : a / POW10[-k];
}

/**
 * Writes the text of `v` (a float32 value) at `at` in `out` and returns the position after it. `out` must have
 * 48 bytes free from `at`. Values below 1e-6 or from 1e21 (and non-finite ones) are written as JavaScript prints
 * them (`1.5e-7`), which every CSV reader parses too: the text is then JavaScript's for every value but ties.
 */
export function writeFloat32Text(out: Uint8Array, at: number, v: number): number {
  if (v === 0) {
    out[at] = 48; // '0' (and -0)
    return at + 1;
  }
  let a = v < 0 ? -v : v;
  if (!(a >= 1e-6 && a < 1e21)) {
    const s = String(Number(v.toPrecision(9)));
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
    return at + s.length;
  }
  if (v < 0) out[at++] = 45; // '-'
  let lo = 0; // binary search: BOUNDS[lo] <= a < BOUNDS[lo + 1] (the rounding check below mends a near miss)
  let hi = 27;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (a >= BOUNDS[mid]) lo = mid;
    else hi = mid;
  }
  let e = lo - 6;
  let m = Math.round(scale(a, 8 - e));
  if (m >= 1e9) m = Math.round(scale(a, 8 - ++e));
  else if (m < 1e8) m = Math.round(scale(a, 8 - --e));
  if (m >= 1e9) {
    m = 1e8; // rounded up to the next power of ten
    e++;
  }
  let digits = 9;
  while (m % 10 === 0) {
    m /= 10;
    digits--;
  }
  if (e < 0) {
    // 0.000ddd: '0.', -e-1 zeros, the digits
    out[at] = 48;
    out[at + 1] = 46;
    const lead = 1 - e;
    for (let i = 2; i < lead; i++) out[at + i] = 48;
    writeDigits(out, at + lead, m, digits);
    return at + lead + digits;
  }
  const intDigits = e + 1;
  if (digits <= intDigits) {
    // a whole number: the digits, then zeros
    writeDigits(out, at, m, digits);
    for (let i = digits; i < intDigits; i++) out[at + i] = 48;
    return at + intDigits;
  }
  // ddd.ddd
  const fracDigits = digits - intDigits;
  const f = m % POW10[fracDigits];
  writeDigits(out, at, (m - f) / POW10[fracDigits], intDigits);
  out[at + intDigits] = 46;
  writeDigits(out, at + intDigits + 1, f, fracDigits);
  return at + digits + 1;
}

/** The `count` lowest decimal digits of the whole number `m` (leading zeros included) at `at`, two at a time. */
function writeDigits(out: Uint8Array, at: number, m: number, count: number): void {
  let i = at + count;
  while (i - at >= 2) {
    const r = m % 100;
    m = (m - r) / 100;
    out[--i] = PAIRS[2 * r + 1];
    out[--i] = PAIRS[2 * r];
  }
  if (i > at) out[at] = 48 + (m % 10);
}
