/**
 * The WebAssembly SIMD kernel of k-means' bound steps and centre sums (_kmeans-assign.ts, kmeans.ts), on a memory that
 * every thread shares: Elkan's bounds live in it, so each thread's instance reads the rows any chunk needs, and the
 * JS loops they replace (a group of 16 bounds at a time, one wasm call per 4 candidate centres, one float64 add at a
 * time) are single calls:
 *
 * - `scanPoint`: a point's group bounds 4 at a time; for each group left, its 16 Elkan bounds 4 at a time, listing
 *   the candidates (bound <= the point's upper bound) and the smallest bound of the others. The groups left are
 *   listed and their bounds loaded first, so that their cache misses (the bounds are n x k floats, far past the L2
 *   cache) overlap. The tests are float32 (`L <= ulim + M`): the callers round ulim and M up by 2^-19 relative, so
 *   that every centre the float64 test `L - moved <= u` keeps is kept (the sum's rounding is 2^-24 relative), and a
 *   minimum `L - M` is at most 2^-24 high (subtraction is exactly rounded; M is never below the move).
 * - `keysList`: `|c|^2 - 2 x.c` for a list of centres (float32 dot products: keyError of _kmeans-assign.ts bounds them
 *   whatever the order of the sum).
 * - `sumRows`: the centre sums of the changed clusters, float64, the points added in their order: the same numbers as
 *   the plain loop.
 *
 * Measured in bench:sklearn (k-means on all of LFW, k 500, two threads): 0.38–0.40 s before, 0.25–0.27 s after.
 *
 * Assembled from this WebAssembly text (wabt 1.0.39 `parseWat(..., { simd: true, threads: true })`, validated with the
 * same features):
 *
 * ```wat
 * (module
 *   (import "env" "memory" (memory 1 65536 shared))
 *   ;; scanPoint(row, grow, moved, gmoved, quads, ulim, failed, gmin, cand) -> (groups left << 16) | candidates:
 *   ;; the groups g (4 a quad) with grow[g] <= ulim + gmoved[g] are listed in failed; for each, its 16 centres c with
 *   ;; row[c] <= ulim + moved[c] go to cand, and the smallest row[c] - moved[c] of the others to gmin (one per listed group).
 *   (func (export "scanPoint") (param $row i32) (param $grow i32) (param $moved i32) (param $gmoved i32) (param $quads i32) (param $ulim f32) (param $failed i32) (param $gmin i32) (param $cand i32) (result i32)
 *     (local $q i32) (local $m i32) (local $g i32) (local $nf i32) (local $f i32) (local $n i32) (local $b i32) (local $c i32) (local $bits i32) (local $r i32) (local $mv i32)
 *     (local $u v128) (local $inf v128) (local $L v128) (local $M v128) (local $C v128) (local $min v128) (local $touch v128)
 *     (local.set $u (f32x4.splat (local.get $ulim)))
 *     (local.set $inf (f32x4.splat (f32.const inf)))
 *     ;; pass 1: the groups whose bound is left, listed; each one's bounds loaded once, so that their cache misses overlap
 *     (block $done
 *       (loop $quad
 *         (br_if $done (i32.ge_u (local.get $q) (local.get $quads)))
 *         (local.set $m (i32x4.bitmask (f32x4.le
 *           (v128.load (i32.add (local.get $grow) (i32.shl (local.get $q) (i32.const 4))))
 *           (f32x4.add (local.get $u) (v128.load (i32.add (local.get $gmoved) (i32.shl (local.get $q) (i32.const 4))))))))
 *         (local.set $g (i32.shl (local.get $q) (i32.const 2)))
 *         (block $lanesDone
 *           (loop $lane
 *             (br_if $lanesDone (i32.eqz (local.get $m)))
 *             (if (i32.and (local.get $m) (i32.const 1))
 *               (then
 *                 (i32.store (i32.add (local.get $failed) (i32.shl (local.get $nf) (i32.const 2))) (local.get $g))
 *                 (local.set $touch (v128.or (local.get $touch) (v128.load (i32.add (local.get $row) (i32.shl (local.get $g) (i32.const 6))))))
 *                 (local.set $nf (i32.add (local.get $nf) (i32.const 1)))))
 *             (local.set $g (i32.add (local.get $g) (i32.const 1)))
 *             (local.set $m (i32.shr_u (local.get $m) (i32.const 1)))
 *             (br $lane)))
 *         (local.set $q (i32.add (local.get $q) (i32.const 1)))
 *         (br $quad)))
 *     ;; pass 2: every bound of the listed groups
 *     (block $scanned
 *       (loop $group
 *         (br_if $scanned (i32.ge_u (local.get $f) (local.get $nf)))
 *         (local.set $g (i32.load (i32.add (local.get $failed) (i32.shl (local.get $f) (i32.const 2)))))
 *         (local.set $r (i32.add (local.get $row) (i32.shl (local.get $g) (i32.const 6))))
 *         (local.set $mv (i32.add (local.get $moved) (i32.shl (local.get $g) (i32.const 6))))
 *         (local.set $min (local.get $inf))
 *         (local.set $b (i32.const 0))
 *         (loop $block
 *           (local.set $L (v128.load (local.get $r)))
 *           (local.set $M (v128.load (local.get $mv)))
 *           (local.set $C (f32x4.le (local.get $L) (f32x4.add (local.get $u) (local.get $M))))
 *           (if (v128.any_true (local.get $C))
 *             (then
 *               (local.set $bits (i32x4.bitmask (local.get $C)))
 *               (local.set $c (i32.add (i32.shl (local.get $g) (i32.const 4)) (i32.shl (local.get $b) (i32.const 2))))
 *               (loop $each
 *                 (if (i32.and (local.get $bits) (i32.const 1))
 *                   (then
 *                     (i32.store (i32.add (local.get $cand) (i32.shl (local.get $n) (i32.const 2))) (local.get $c))
 *                     (local.set $n (i32.add (local.get $n) (i32.const 1)))))
 *                 (local.set $c (i32.add (local.get $c) (i32.const 1)))
 *                 (local.set $bits (i32.shr_u (local.get $bits) (i32.const 1)))
 *                 (br_if $each (local.get $bits)))))
 *           (local.set $min (f32x4.min (local.get $min)
 *             (v128.bitselect (local.get $inf) (f32x4.sub (local.get $L) (local.get $M)) (local.get $C))))
 *           (local.set $r (i32.add (local.get $r) (i32.const 16)))
 *           (local.set $mv (i32.add (local.get $mv) (i32.const 16)))
 *           (local.set $b (i32.add (local.get $b) (i32.const 1)))
 *           (br_if $block (i32.lt_u (local.get $b) (i32.const 4))))
 *         (local.set $min (f32x4.min (local.get $min)
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $min) (local.get $min))))
 *         (local.set $min (f32x4.min (local.get $min)
 *           (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $min) (local.get $min))))
 *         (f32.store (i32.add (local.get $gmin) (i32.shl (local.get $f) (i32.const 2))) (f32x4.extract_lane 0 (local.get $min)))
 *         (local.set $f (i32.add (local.get $f) (i32.const 1)))
 *         (br $group)))
 *     ;; the loaded bounds are stored (16 bytes before cand) so that the loads of pass 1 stay
 *     (v128.store offset=0 (i32.sub (local.get $cand) (i32.const 16)) (local.get $touch))
 *     (i32.add (i32.shl (local.get $nf) (i32.const 16)) (local.get $n)))
 *   ;; keysList(x, centres, dp, norms, list, n, keys): keys[t] = norms[c] - 2 x . centres[c] (float64; the dot product in
 *   ;; float32, two accumulators) for c = list[t], t < n; rows of dp floats (dp % 4 = 0).
 *   (func (export "keysList") (param $x i32) (param $centres i32) (param $dp i32) (param $norms i32) (param $list i32) (param $n i32) (param $keys i32)
 *     (local $t i32) (local $c i32) (local $p i32) (local $q i32) (local $end i32) (local $a0 v128) (local $a1 v128)
 *     (local.set $end (i32.add (local.get $x) (i32.shl (local.get $dp) (i32.const 2))))
 *     (block $done
 *       (loop $each
 *         (br_if $done (i32.ge_u (local.get $t) (local.get $n)))
 *         (local.set $c (i32.load (i32.add (local.get $list) (i32.shl (local.get $t) (i32.const 2)))))
 *         (local.set $p (i32.add (local.get $centres) (i32.shl (i32.mul (local.get $c) (local.get $dp)) (i32.const 2))))
 *         (local.set $q (local.get $x))
 *         (local.set $a0 (v128.const i32x4 0 0 0 0))
 *         (local.set $a1 (v128.const i32x4 0 0 0 0))
 *         (block $pairsDone
 *           (loop $pairs
 *             (br_if $pairsDone (i32.gt_u (i32.add (local.get $q) (i32.const 32)) (local.get $end)))
 *             (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $p)))))
 *             (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $p)))))
 *             (local.set $q (i32.add (local.get $q) (i32.const 32)))
 *             (local.set $p (i32.add (local.get $p) (i32.const 32)))
 *             (br $pairs)))
 *         (if (i32.lt_u (local.get $q) (local.get $end))
 *           (then (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $p)))))))
 *         (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
 *         (local.set $a0 (f32x4.add (local.get $a0)
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0))))
 *         (local.set $a0 (f32x4.add (local.get $a0)
 *           (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $a0) (local.get $a0))))
 *         (f64.store (i32.add (local.get $keys) (i32.shl (local.get $t) (i32.const 3)))
 *           (f64.sub (f64.load (i32.add (local.get $norms) (i32.shl (local.get $c) (i32.const 3))))
 *             (f64.mul (f64.const 2) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $a0))))))
 *         (local.set $t (i32.add (local.get $t) (i32.const 1)))
 *         (br $each)))
 *   )
 *   ;; sumRows(points, dp, d, labels, n, changed, sums): for i < n in order, when changed[labels[i]]: sums[labels[i]] +=
 *   ;; points[i] (float64 rows of d, float32 rows of dp), two coordinates an instruction.
 *   (func (export "sumRows") (param $points i32) (param $dp i32) (param $d i32) (param $labels i32) (param $n i32) (param $changed i32) (param $sums i32)
 *     (local $i i32) (local $c i32) (local $p i32) (local $q i32) (local $t i32) (local $pairs i32)
 *     (local.set $pairs (i32.and (local.get $d) (i32.const -2)))
 *     (block $done
 *       (loop $each
 *         (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
 *         (local.set $c (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
 *         (if (i32.load8_u (i32.add (local.get $changed) (local.get $c)))
 *           (then
 *             (local.set $p (i32.add (local.get $points) (i32.shl (i32.mul (local.get $i) (local.get $dp)) (i32.const 2))))
 *             (local.set $q (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $c) (local.get $d)) (i32.const 3))))
 *             (local.set $t (i32.const 0))
 *             (block $pairsDone
 *               (loop $pair
 *                 (br_if $pairsDone (i32.ge_u (local.get $t) (local.get $pairs)))
 *                 (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q))
 *                   (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))))
 *                 (local.set $p (i32.add (local.get $p) (i32.const 8)))
 *                 (local.set $q (i32.add (local.get $q) (i32.const 16)))
 *                 (local.set $t (i32.add (local.get $t) (i32.const 2)))
 *                 (br $pair)))
 *             (if (i32.lt_u (local.get $t) (local.get $d))
 *               (then (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.promote_f32 (f32.load (local.get $p)))))))))
 *         (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *         (br $each)))
 *   )
 * )
 * ```
 */

const WASM_BASE64 =
  'AGFzbQEAAAABGAJgCX9/f39/fX9/fwF/YAd/f39/f39/AAISAQNlbnYGbWVtb3J5AgMBgIAEAwQDAAEBByIDCXNjYW5Qb2ludAAACGtleXNMaXN0AAEHc3VtUm93cwACCskHA9cDAgt/B3sgBf0TIRRDAACAf/0TIRUCQANAIAkgBE8NASABIAlBBHRq/QAEACAUIAMgCUEEdGr9AAQA/eQB/UX9pAEhCiAJQQJ0IQsCQANAIApFDQEgCkEBcQRAIAYgDEECdGogCzYCACAaIAAgC0EGdGr9AAQA/VAhGiAMQQFqIQwLIAtBAWohCyAKQQF2IQoMAAsLIAlBAWohCQwACwsCQANAIA0gDE8NASAGIA1BAnRqKAIAIQsgACALQQZ0aiESIAIgC0EGdGohEyAVIRlBACEPA0AgEv0ABAAhFiAT/QAEACEXIBYgFCAX/eQB/UUhGCAY/VMEQCAY/aQBIREgC0EEdCAPQQJ0aiEQA0AgEUEBcQRAIAggDkECdGogEDYCACAOQQFqIQ4LIBBBAWohECARQQF2IREgEQ0ACwsgGSAVIBYgF/3lASAY/VL96AEhGSASQRBqIRIgE0EQaiETIA9BAWohDyAPQQRJDQALIBkgGSAZ/Q0ICQoLDA0ODwABAgMEBQYH/egBIRkgGSAZIBn9DQQFBgcAAQIDDA0ODwgJCgv96AEhGSAHIA1BAnRqIBn9HwA4AgAgDUEBaiENDAALCyAIQRBrIBr9CwQAIAxBEHQgDmoLwAICBX8CeyAAIAJBAnRqIQsCQANAIAcgBU8NASAEIAdBAnRqKAIAIQggASAIIAJsQQJ0aiEJIAAhCv0MAAAAAAAAAAAAAAAAAAAAACEM/QwAAAAAAAAAAAAAAAAAAAAAIQ0CQANAIApBIGogC0sNASAMIAr9AAQAIAn9AAQA/eYB/eQBIQwgDSAK/QAEECAJ/QAEEP3mAf3kASENIApBIGohCiAJQSBqIQkMAAsLIAogC0kEQCAMIAr9AAQAIAn9AAQA/eYB/eQBIQwLIAwgDf3kASEMIAwgDCAM/Q0ICQoLDA0ODwABAgMEBQYH/eQBIQwgDCAMIAz9DQQFBgcAAQIDDA0ODwgJCgv95AEhDCAGIAdBA3RqIAMgCEEDdGorAwBEAAAAAAAAAEAgDP0fALuioTkDACAHQQFqIQcMAAsLC6sBAQZ/IAJBfnEhDAJAA0AgByAETw0BIAMgB0ECdGooAgAhCCAFIAhqLQAABEAgACAHIAFsQQJ0aiEJIAYgCCACbEEDdGohCkEAIQsCQANAIAsgDE8NASAKIAr9AAQAIAn9XQMA/V/98AH9CwQAIAlBCGohCSAKQRBqIQogC0ECaiELDAALCyALIAJJBEAgCiAKKwMAIAkqAgC7oDkDAAsLIAdBAWohBwwACwsL';

let module: WebAssembly.Module | null = null;

/** The compiled module (compiled once; the worker threads of _threads.ts receive it and instantiate their own). */
export function kmeansSimdModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return module;
}

/** See the file header; offsets in bytes. */
export type ScanPoint = (row: number, groupRow: number, moved: number, groupMoved: number, quads: number, ulim: number, failed: number, gmin: number, cand: number) => number;
export type KeysList = (x: number, centres: number, dp: number, norms: number, list: number, n: number, keys: number) => void;
export type SumRows = (points: number, dp: number, d: number, labels: number, n: number, changed: number, sums: number) => void;

/** The memory {@link releaseSharedMemory} gave back, for the next call. */
let spare: WeakRef<WebAssembly.Memory> | null = null;

/**
 * A shared WebAssembly memory of at least `bytes`: the one given back last when it is large enough and at most twice
 * the size (not zeroed: the caller writes every byte it reads), else a new one. The caller keeps it until
 * {@link releaseSharedMemory}.
 */
export function sharedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const old = spare?.deref();
  spare = null;
  if (old && old.buffer.byteLength >= pages * 65536 && old.buffer.byteLength <= 2 * pages * 65536) return old;
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Gives a memory from {@link sharedMemory} back for a later call (no thread may touch it afterwards). */
export function releaseSharedMemory(memory: WebAssembly.Memory): void {
  spare = new WeakRef(memory);
}
