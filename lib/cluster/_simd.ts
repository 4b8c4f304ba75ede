/**
 * A tiny WebAssembly SIMD kernel for blocked dot products (the hot loop of the exact nearest-neighbour search and
 * of k-means): 4 rows against a run of consecutive rows, f32x4 multiply-adds, two rows of the run per pass
 * (8 accumulators: each loaded vector serves 2 or 4 products), the 4 sums of a column reduced together by shuffles
 * into one store. About 20 GMAC/s on one core of the EPYC of this machine (the one-row-per-pass kernel it replaced:
 * 12), several times the best plain-JS loop in Node 20 (no SIMD in JS).
 *
 * The module below is assembled from this WebAssembly text (wabt 1.0.39 `parseWat(..., { simd: true })`, or
 * `wat2wasm --enable-simd`):
 *
 * ```wat
 * (module
 *   (memory (export "memory") 1 65536)
 *   ;; dots4(a, b, n, dp, out): out[4*j + r] = row(a + r) . row(b + j), j < n; rows of dp floats (dp % 4 = 0).
 *   ;; Two b rows per pass (8 accumulators), the 4 sums of a column reduced together by shuffles, one store.
 *   (func (export "dots4") (param $a i32) (param $b i32) (param $n i32) (param $dp i32) (param $out i32)
 *     (local $j i32) (local $t i32) (local $stride i32) (local $pb i32) (local $pc i32)
 *     (local $a1 i32) (local $a2 i32) (local $a3 i32)
 *     (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
 *     (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
 *     (local $v v128) (local $w v128) (local $x v128)
 *     (local.set $stride (i32.shl (local.get $dp) (i32.const 2)))
 *     (local.set $a1 (i32.add (local.get $a) (local.get $stride)))
 *     (local.set $a2 (i32.add (local.get $a1) (local.get $stride)))
 *     (local.set $a3 (i32.add (local.get $a2) (local.get $stride)))
 *     (local.set $pb (local.get $b))
 *     (local.set $j (i32.const 0))
 *     (block $done
 *       (loop $pairs
 *         (br_if $done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
 *         (local.set $pc (i32.add (local.get $pb) (local.get $stride)))
 *         (local.set $s0 (v128.const i32x4 0 0 0 0))
 *         (local.set $s1 (v128.const i32x4 0 0 0 0))
 *         (local.set $s2 (v128.const i32x4 0 0 0 0))
 *         (local.set $s3 (v128.const i32x4 0 0 0 0))
 *         (local.set $q0 (v128.const i32x4 0 0 0 0))
 *         (local.set $q1 (v128.const i32x4 0 0 0 0))
 *         (local.set $q2 (v128.const i32x4 0 0 0 0))
 *         (local.set $q3 (v128.const i32x4 0 0 0 0))
 *         (local.set $t (i32.const 0))
 *         (block $tdone
 *           (loop $inner
 *             (br_if $tdone (i32.ge_u (local.get $t) (local.get $stride)))
 *             (local.set $v (v128.load (i32.add (local.get $pb) (local.get $t))))
 *             (local.set $w (v128.load (i32.add (local.get $pc) (local.get $t))))
 *             (local.set $x (v128.load (i32.add (local.get $a) (local.get $t))))
 *             (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $x) (local.get $v))))
 *             (local.set $q0 (f32x4.add (local.get $q0) (f32x4.mul (local.get $x) (local.get $w))))
 *             (local.set $x (v128.load (i32.add (local.get $a1) (local.get $t))))
 *             (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $x) (local.get $v))))
 *             (local.set $q1 (f32x4.add (local.get $q1) (f32x4.mul (local.get $x) (local.get $w))))
 *             (local.set $x (v128.load (i32.add (local.get $a2) (local.get $t))))
 *             (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $x) (local.get $v))))
 *             (local.set $q2 (f32x4.add (local.get $q2) (f32x4.mul (local.get $x) (local.get $w))))
 *             (local.set $x (v128.load (i32.add (local.get $a3) (local.get $t))))
 *             (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $x) (local.get $v))))
 *             (local.set $q3 (f32x4.add (local.get $q3) (f32x4.mul (local.get $x) (local.get $w))))
 *             (local.set $t (i32.add (local.get $t) (i32.const 16)))
 *             (br $inner)))
 *         ;; [sum s0, sum s1, sum s2, sum s3] by two rounds of pairwise shuffles
 *         (local.set $v (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
 *         (local.set $w (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s2) (local.get $s3))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s2) (local.get $s3))))
 *         (v128.store offset=0 (local.get $out) (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v) (local.get $w))
 *           (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v) (local.get $w))))
 *         (local.set $v (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $q0) (local.get $q1))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $q0) (local.get $q1))))
 *         (local.set $w (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $q2) (local.get $q3))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $q2) (local.get $q3))))
 *         (v128.store offset=16 (local.get $out) (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v) (local.get $w))
 *           (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v) (local.get $w))))
 *         (local.set $out (i32.add (local.get $out) (i32.const 32)))
 *         (local.set $pb (i32.add (local.get $pc) (local.get $stride)))
 *         (local.set $j (i32.add (local.get $j) (i32.const 2)))
 *         (br $pairs)))
 *     ;; the last row when n is odd
 *     (if (i32.lt_u (local.get $j) (local.get $n))
 *       (then
 *         (local.set $s0 (v128.const i32x4 0 0 0 0))
 *         (local.set $s1 (v128.const i32x4 0 0 0 0))
 *         (local.set $s2 (v128.const i32x4 0 0 0 0))
 *         (local.set $s3 (v128.const i32x4 0 0 0 0))
 *         (local.set $t (i32.const 0))
 *         (block $tdone2
 *           (loop $inner2
 *             (br_if $tdone2 (i32.ge_u (local.get $t) (local.get $stride)))
 *             (local.set $v (v128.load (i32.add (local.get $pb) (local.get $t))))
 *             (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $t))) (local.get $v))))
 *             (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load (i32.add (local.get $a1) (local.get $t))) (local.get $v))))
 *             (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load (i32.add (local.get $a2) (local.get $t))) (local.get $v))))
 *             (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load (i32.add (local.get $a3) (local.get $t))) (local.get $v))))
 *             (local.set $t (i32.add (local.get $t) (i32.const 16)))
 *             (br $inner2)))
 *         (local.set $v (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
 *         (local.set $w (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s2) (local.get $s3))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s2) (local.get $s3))))
 *         (v128.store offset=0 (local.get $out) (f32x4.add
 *           (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v) (local.get $w))
 *           (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v) (local.get $w))))))
 *   )
 * )
 * ```
 */

const WASM_BASE64 =
  'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFBgEBAYCABAcSAgZtZW1vcnkCAAVkb3RzNAAACt0IAdoIAgh/C3sgA0ECdCEHIAAgB2ohCiAKIAdqIQsgCyAHaiEMIAEhCEEAIQUCQANAIAVBAmogAksNASAIIAdqIQn9DAAAAAAAAAAAAAAAAAAAAAAhDf0MAAAAAAAAAAAAAAAAAAAAACEO/QwAAAAAAAAAAAAAAAAAAAAAIQ/9DAAAAAAAAAAAAAAAAAAAAAAhEP0MAAAAAAAAAAAAAAAAAAAAACER/QwAAAAAAAAAAAAAAAAAAAAAIRL9DAAAAAAAAAAAAAAAAAAAAAAhE/0MAAAAAAAAAAAAAAAAAAAAACEUQQAhBgJAA0AgBiAHTw0BIAggBmr9AAQAIRUgCSAGav0ABAAhFiAAIAZq/QAEACEXIA0gFyAV/eYB/eQBIQ0gESAXIBb95gH95AEhESAKIAZq/QAEACEXIA4gFyAV/eYB/eQBIQ4gEiAXIBb95gH95AEhEiALIAZq/QAEACEXIA8gFyAV/eYB/eQBIQ8gEyAXIBb95gH95AEhEyAMIAZq/QAEACEXIBAgFyAV/eYB/eQBIRAgFCAXIBb95gH95AEhFCAGQRBqIQYMAAsLIA0gDv0NAAECAwQFBgcQERITFBUWFyANIA79DQgJCgsMDQ4PGBkaGxwdHh/95AEhFSAPIBD9DQABAgMEBQYHEBESExQVFhcgDyAQ/Q0ICQoLDA0ODxgZGhscHR4f/eQBIRYgBCAVIBb9DQABAgMICQoLEBESExgZGhsgFSAW/Q0EBQYHDA0ODxQVFhccHR4f/eQB/QsEACARIBL9DQABAgMEBQYHEBESExQVFhcgESAS/Q0ICQoLDA0ODxgZGhscHR4f/eQBIRUgEyAU/Q0AAQIDBAUGBxAREhMUFRYXIBMgFP0NCAkKCwwNDg8YGRobHB0eH/3kASEWIAQgFSAW/Q0AAQIDCAkKCxAREhMYGRobIBUgFv0NBAUGBwwNDg8UFRYXHB0eH/3kAf0LBBAgBEEgaiEEIAkgB2ohCCAFQQJqIQUMAAsLIAUgAkkEQP0MAAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD/0MAAAAAAAAAAAAAAAAAAAAACEQQQAhBgJAA0AgBiAHTw0BIAggBmr9AAQAIRUgDSAAIAZq/QAEACAV/eYB/eQBIQ0gDiAKIAZq/QAEACAV/eYB/eQBIQ4gDyALIAZq/QAEACAV/eYB/eQBIQ8gECAMIAZq/QAEACAV/eYB/eQBIRAgBkEQaiEGDAALCyANIA79DQABAgMEBQYHEBESExQVFhcgDSAO/Q0ICQoLDA0ODxgZGhscHR4f/eQBIRUgDyAQ/Q0AAQIDBAUGBxAREhMUFRYXIA8gEP0NCAkKCwwNDg8YGRobHB0eH/3kASEWIAQgFSAW/Q0AAQIDCAkKCxAREhMYGRobIBUgFv0NBAUGBwwNDg8UFRYXHB0eH/3kAf0LBAALCw==';

export interface DotKernel {
  /** The module's memory as floats (re-read after {@link ensure}: growing detaches the old view). */
  f32(): Float32Array;
  /** Grows the memory to hold at least `bytes`. */
  ensure(bytes: number): void;
  /** out[4j + r] = row(a + r) . row(b + j) for j < n; offsets in bytes, rows of dp floats (dp % 4 = 0). */
  dots4(a: number, b: number, n: number, dp: number, out: number): void;
}

let module: WebAssembly.Module | null = null;

/** The compiled module (compiled once; workers of _threads.ts receive it and instantiate their own). */
export function dotKernelModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return module;
}

/**
 * A fresh instance (own memory) of the compiled module. Self-contained (no imports, no closures): _threads.ts ships
 * its source to the worker threads.
 */
export function dotKernelOf(compiled: WebAssembly.Module): DotKernel {
  const instance = new WebAssembly.Instance(compiled, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const dots4 = instance.exports.dots4 as (a: number, b: number, n: number, dp: number, out: number) => void;
  return {
    f32: () => new Float32Array(memory.buffer),
    ensure(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
    dots4,
  };
}

/** A fresh instance (own memory) of the dot-product kernel. Synchronous. */
export function createDotKernel(): DotKernel {
  return dotKernelOf(dotKernelModule());
}
