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
 *
 *   ;; nearest4(out, norms, k, res): the 4 rows of dots out[4c + r] (f32, as dots4 writes them) and the centres' squared
 *   ;; norms norms[c] (f64): key = norms[c] - 2 out[4c + r] in f64 (as JS computes it); per row r, res (f64) [r] = the
 *   ;; smallest key, [4 + r] = the second smallest (over the other centres), and (i64) [8 + r] = the first centre of
 *   ;; the smallest. Rows 0, 1 in one f64x2, rows 2, 3 in the other.
 *   (func (export "nearest4") (param $out i32) (param $norms i32) (param $k i32) (param $res i32)
 *     (local $c i32) (local $v v128) (local $n v128) (local $t v128) (local $m v128) (local $ci v128)
 *     (local $b0 v128) (local $b1 v128) (local $s0 v128) (local $s1 v128) (local $i0 v128) (local $i1 v128)
 *     (local.set $b0 (f64x2.splat (f64.const inf)))
 *     (local.set $b1 (local.get $b0))
 *     (local.set $s0 (local.get $b0))
 *     (local.set $s1 (local.get $b0))
 *     (local.set $c (i32.const 0))
 *     (block $done
 *       (loop $cs
 *         (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
 *         (local.set $v (v128.load (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 4)))))
 *         (local.set $n (f64x2.splat (f64.load (i32.add (local.get $norms) (i32.shl (local.get $c) (i32.const 3))))))
 *         (local.set $ci (i64x2.splat (i64.extend_i32_u (local.get $c))))
 *         (local.set $t (local.get $v))
 *         (local.set $t (f64x2.promote_low_f32x4 (local.get $t)))
 *         (local.set $t (f64x2.sub (local.get $n) (f64x2.add (local.get $t) (local.get $t))))
 *         (local.set $s0 (f64x2.min (local.get $s0) (f64x2.max (local.get $b0) (local.get $t))))
 *         (local.set $m (f64x2.lt (local.get $t) (local.get $b0)))
 *         (local.set $b0 (v128.bitselect (local.get $t) (local.get $b0) (local.get $m)))
 *         (local.set $i0 (v128.bitselect (local.get $ci) (local.get $i0) (local.get $m)))
 *         (local.set $t (local.get $v))
 *         (local.set $t (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t))))
 *         (local.set $t (f64x2.sub (local.get $n) (f64x2.add (local.get $t) (local.get $t))))
 *         (local.set $s1 (f64x2.min (local.get $s1) (f64x2.max (local.get $b1) (local.get $t))))
 *         (local.set $m (f64x2.lt (local.get $t) (local.get $b1)))
 *         (local.set $b1 (v128.bitselect (local.get $t) (local.get $b1) (local.get $m)))
 *         (local.set $i1 (v128.bitselect (local.get $ci) (local.get $i1) (local.get $m)))
 *         (local.set $c (i32.add (local.get $c) (i32.const 1)))
 *         (br $cs)))
 *     (v128.store offset=0 (local.get $res) (local.get $b0))
 *     (v128.store offset=16 (local.get $res) (local.get $b1))
 *     (v128.store offset=32 (local.get $res) (local.get $s0))
 *     (v128.store offset=48 (local.get $res) (local.get $s1))
 *     (v128.store offset=64 (local.get $res) (local.get $i0))
 *     (v128.store offset=80 (local.get $res) (local.get $i1)))
 *
 *   ;; bounds4(out, norms, moved, k, xs, storeLow, group, low, groups): for the same 4 rows of dots, the lower bounds of
 *   ;; Elkan's k-means as JS computes them (f64): lo = sqrt(max(0, xs[r] + norms[c] - 2 out[4c + r] - xs[4 + r])), with
 *   ;; xs (f64) [r] the row's squared norm and [4 + r] its slack; low (f32) [r k + c] = (lo + moved[c]) * storeLow;
 *   ;; groups (f64) [4 g + r] = the smallest lo over the centres c of group g (`group` consecutive centres).
 *   (func (export "bounds4") (param $out i32) (param $norms i32) (param $moved i32) (param $k i32) (param $xs i32) (param $storeLow f64) (param $group i32) (param $low i32) (param $groups i32)
 *     (local $c i32) (local $left i32) (local $stride i32) (local $p i32)
 *     (local $v v128) (local $n v128) (local $mv v128) (local $t v128) (local $sl v128) (local $zero v128) (local $inf v128)
 *     (local $x0 v128) (local $x1 v128) (local $e0 v128) (local $e1 v128) (local $g0 v128) (local $g1 v128)
 *     (local.set $x0 (v128.load offset=0 (local.get $xs)))
 *     (local.set $x1 (v128.load offset=16 (local.get $xs)))
 *     (local.set $e0 (v128.load offset=32 (local.get $xs)))
 *     (local.set $e1 (v128.load offset=48 (local.get $xs)))
 *     (local.set $sl (f64x2.splat (local.get $storeLow)))
 *     (local.set $zero (f64x2.splat (f64.const 0)))
 *     (local.set $inf (f64x2.splat (f64.const inf)))
 *     (local.set $g0 (local.get $inf))
 *     (local.set $g1 (local.get $inf))
 *     (local.set $stride (i32.shl (local.get $k) (i32.const 2)))
 *     (local.set $left (local.get $group))
 *     (local.set $c (i32.const 0))
 *     (block $done
 *       (loop $cs
 *         (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
 *         (local.set $v (v128.load (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 4)))))
 *         (local.set $n (f64x2.splat (f64.load (i32.add (local.get $norms) (i32.shl (local.get $c) (i32.const 3))))))
 *         (local.set $mv (f64x2.splat (f64.load (i32.add (local.get $moved) (i32.shl (local.get $c) (i32.const 3))))))
 *         (local.set $p (i32.add (local.get $low) (i32.shl (local.get $c) (i32.const 2))))
 *         (local.set $t (local.get $v))
 *         (local.set $t (f64x2.promote_low_f32x4 (local.get $t)))
 *         (local.set $t (f64x2.sub (f64x2.sub (f64x2.add (local.get $x0) (local.get $n)) (f64x2.add (local.get $t) (local.get $t))) (local.get $e0)))
 *         (local.set $t (f64x2.sqrt (f64x2.max (local.get $zero) (local.get $t))))
 *         (local.set $g0 (f64x2.min (local.get $g0) (local.get $t)))
 *         (local.set $t (f64x2.mul (f64x2.add (local.get $t) (local.get $mv)) (local.get $sl)))
 *         (f32.store (local.get $p) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $t))))
 *         (local.set $p (i32.add (local.get $p) (local.get $stride)))
 *         (f32.store (local.get $p) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $t))))
 *         (local.set $p (i32.add (local.get $p) (local.get $stride)))
 *         (local.set $t (local.get $v))
 *         (local.set $t (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t))))
 *         (local.set $t (f64x2.sub (f64x2.sub (f64x2.add (local.get $x1) (local.get $n)) (f64x2.add (local.get $t) (local.get $t))) (local.get $e1)))
 *         (local.set $t (f64x2.sqrt (f64x2.max (local.get $zero) (local.get $t))))
 *         (local.set $g1 (f64x2.min (local.get $g1) (local.get $t)))
 *         (local.set $t (f64x2.mul (f64x2.add (local.get $t) (local.get $mv)) (local.get $sl)))
 *         (f32.store (local.get $p) (f32.demote_f64 (f64x2.extract_lane 0 (local.get $t))))
 *         (local.set $p (i32.add (local.get $p) (local.get $stride)))
 *         (f32.store (local.get $p) (f32.demote_f64 (f64x2.extract_lane 1 (local.get $t))))
 *         (local.set $p (i32.add (local.get $p) (local.get $stride)))
 *         (local.set $c (i32.add (local.get $c) (i32.const 1)))
 *         (local.set $left (i32.sub (local.get $left) (i32.const 1)))
 *         (if (i32.or (i32.eqz (local.get $left)) (i32.eq (local.get $c) (local.get $k)))
 *           (then
 *             (v128.store offset=0 (local.get $groups) (local.get $g0))
 *             (v128.store offset=16 (local.get $groups) (local.get $g1))
 *             (local.set $groups (i32.add (local.get $groups) (i32.const 32)))
 *             (local.set $g0 (local.get $inf))
 *             (local.set $g1 (local.get $inf))
 *             (local.set $left (local.get $group))))
 *         (br $cs))))
 *   ;; dots4i16(a, b, n, dp, out): out (i32) [4j + r] = row(a + r) . row(b + j), j < n; rows of dp int16 (dp % 8 = 0).
 *   ;; As dots4, with i32x4.dot_i16x8_s (8 products a call, summed in pairs into 4 int32 lanes): exact integer sums while
 *   ;; dp * max|value|^2 < 2^31.
 *   (func (export "dots4i16") (param $a i32) (param $b i32) (param $n i32) (param $dp i32) (param $out i32)
 *     (local $j i32) (local $t i32) (local $stride i32) (local $pb i32) (local $pc i32)
 *     (local $a1 i32) (local $a2 i32) (local $a3 i32)
 *     (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
 *     (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
 *     (local $v v128) (local $w v128) (local $x v128)
 *     (local.set $stride (i32.shl (local.get $dp) (i32.const 1)))
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
 *             (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s (local.get $x) (local.get $v))))
 *             (local.set $q0 (i32x4.add (local.get $q0) (i32x4.dot_i16x8_s (local.get $x) (local.get $w))))
 *             (local.set $x (v128.load (i32.add (local.get $a1) (local.get $t))))
 *             (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s (local.get $x) (local.get $v))))
 *             (local.set $q1 (i32x4.add (local.get $q1) (i32x4.dot_i16x8_s (local.get $x) (local.get $w))))
 *             (local.set $x (v128.load (i32.add (local.get $a2) (local.get $t))))
 *             (local.set $s2 (i32x4.add (local.get $s2) (i32x4.dot_i16x8_s (local.get $x) (local.get $v))))
 *             (local.set $q2 (i32x4.add (local.get $q2) (i32x4.dot_i16x8_s (local.get $x) (local.get $w))))
 *             (local.set $x (v128.load (i32.add (local.get $a3) (local.get $t))))
 *             (local.set $s3 (i32x4.add (local.get $s3) (i32x4.dot_i16x8_s (local.get $x) (local.get $v))))
 *             (local.set $q3 (i32x4.add (local.get $q3) (i32x4.dot_i16x8_s (local.get $x) (local.get $w))))
 *             (local.set $t (i32.add (local.get $t) (i32.const 16)))
 *             (br $inner)))
 *         (local.set $v (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
 *         (local.set $w (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s2) (local.get $s3))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s2) (local.get $s3))))
 *         (v128.store offset=0 (local.get $out) (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v) (local.get $w))
 *           (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v) (local.get $w))))
 *         (local.set $v (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $q0) (local.get $q1))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $q0) (local.get $q1))))
 *         (local.set $w (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $q2) (local.get $q3))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $q2) (local.get $q3))))
 *         (v128.store offset=16 (local.get $out) (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v) (local.get $w))
 *           (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v) (local.get $w))))
 *         (local.set $out (i32.add (local.get $out) (i32.const 32)))
 *         (local.set $pb (i32.add (local.get $pc) (local.get $stride)))
 *         (local.set $j (i32.add (local.get $j) (i32.const 2)))
 *         (br $pairs)))
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
 *             (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s (v128.load (i32.add (local.get $a) (local.get $t))) (local.get $v))))
 *             (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s (v128.load (i32.add (local.get $a1) (local.get $t))) (local.get $v))))
 *             (local.set $s2 (i32x4.add (local.get $s2) (i32x4.dot_i16x8_s (v128.load (i32.add (local.get $a2) (local.get $t))) (local.get $v))))
 *             (local.set $s3 (i32x4.add (local.get $s3) (i32x4.dot_i16x8_s (v128.load (i32.add (local.get $a3) (local.get $t))) (local.get $v))))
 *             (local.set $t (i32.add (local.get $t) (i32.const 16)))
 *             (br $inner2)))
 *         (local.set $v (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
 *         (local.set $w (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s2) (local.get $s3))
 *           (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s2) (local.get $s3))))
 *         (v128.store offset=0 (local.get $out) (i32x4.add
 *           (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v) (local.get $w))
 *           (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v) (local.get $w))))))
 *   )
 * )
 * ```
 */

const WASM_BASE64 =
  'AGFzbQEAAAABHANgBX9/f39/AGAEf39/fwBgCX9/f39/fH9/fwADBQQAAQIABQYBAQGAgAQHMgUGbWVtb3J5AgAFZG90czQAAAhuZWFyZXN0NAABB2JvdW5kczQAAghkb3RzNGkxNgADCqcXBNoIAgh/C3sgA0ECdCEHIAAgB2ohCiAKIAdqIQsgCyAHaiEMIAEhCEEAIQUCQANAIAVBAmogAksNASAIIAdqIQn9DAAAAAAAAAAAAAAAAAAAAAAhDf0MAAAAAAAAAAAAAAAAAAAAACEO/QwAAAAAAAAAAAAAAAAAAAAAIQ/9DAAAAAAAAAAAAAAAAAAAAAAhEP0MAAAAAAAAAAAAAAAAAAAAACER/QwAAAAAAAAAAAAAAAAAAAAAIRL9DAAAAAAAAAAAAAAAAAAAAAAhE/0MAAAAAAAAAAAAAAAAAAAAACEUQQAhBgJAA0AgBiAHTw0BIAggBmr9AAQAIRUgCSAGav0ABAAhFiAAIAZq/QAEACEXIA0gFyAV/eYB/eQBIQ0gESAXIBb95gH95AEhESAKIAZq/QAEACEXIA4gFyAV/eYB/eQBIQ4gEiAXIBb95gH95AEhEiALIAZq/QAEACEXIA8gFyAV/eYB/eQBIQ8gEyAXIBb95gH95AEhEyAMIAZq/QAEACEXIBAgFyAV/eYB/eQBIRAgFCAXIBb95gH95AEhFCAGQRBqIQYMAAsLIA0gDv0NAAECAwQFBgcQERITFBUWFyANIA79DQgJCgsMDQ4PGBkaGxwdHh/95AEhFSAPIBD9DQABAgMEBQYHEBESExQVFhcgDyAQ/Q0ICQoLDA0ODxgZGhscHR4f/eQBIRYgBCAVIBb9DQABAgMICQoLEBESExgZGhsgFSAW/Q0EBQYHDA0ODxQVFhccHR4f/eQB/QsEACARIBL9DQABAgMEBQYHEBESExQVFhcgESAS/Q0ICQoLDA0ODxgZGhscHR4f/eQBIRUgEyAU/Q0AAQIDBAUGBxAREhMUFRYXIBMgFP0NCAkKCwwNDg8YGRobHB0eH/3kASEWIAQgFSAW/Q0AAQIDCAkKCxAREhMYGRobIBUgFv0NBAUGBwwNDg8UFRYXHB0eH/3kAf0LBBAgBEEgaiEEIAkgB2ohCCAFQQJqIQUMAAsLIAUgAkkEQP0MAAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD/0MAAAAAAAAAAAAAAAAAAAAACEQQQAhBgJAA0AgBiAHTw0BIAggBmr9AAQAIRUgDSAAIAZq/QAEACAV/eYB/eQBIQ0gDiAKIAZq/QAEACAV/eYB/eQBIQ4gDyALIAZq/QAEACAV/eYB/eQBIQ8gECAMIAZq/QAEACAV/eYB/eQBIRAgBkEQaiEGDAALCyANIA79DQABAgMEBQYHEBESExQVFhcgDSAO/Q0ICQoLDA0ODxgZGhscHR4f/eQBIRUgDyAQ/Q0AAQIDBAUGBxAREhMUFRYXIA8gEP0NCAkKCwwNDg8YGRobHB0eH/3kASEWIAQgFSAW/Q0AAQIDCAkKCxAREhMYGRobIBUgFv0NBAUGBwwNDg8UFRYXHB0eH/3kAf0LBAALC6UCAgF/C3tEAAAAAAAA8H/9FCEKIAohCyAKIQwgCiENQQAhBAJAA0AgBCACTw0BIAAgBEEEdGr9AAQAIQUgASAEQQN0aisDAP0UIQYgBK39EiEJIAUhByAH/V8hByAGIAcgB/3wAf3xASEHIAwgCiAH/fUB/fQBIQwgByAK/UkhCCAHIAogCP1SIQogCSAOIAj9UiEOIAUhByAHIAf9DQgJCgsMDQ4PAAECAwQFBgf9XyEHIAYgByAH/fAB/fEBIQcgDSALIAf99QH99AEhDSAHIAv9SSEIIAcgCyAI/VIhCyAJIA8gCP1SIQ8gBEEBaiEEDAALCyADIAr9CwQAIAMgC/0LBBAgAyAM/QsEICADIA39CwQwIAMgDv0LBEAgAyAP/QsEUAvFAwIEfw17IAT9AAQAIRQgBP0ABBAhFSAE/QAEICEWIAT9AAQwIRcgBf0UIRFEAAAAAAAAAAD9FCESRAAAAAAAAPB//RQhEyATIRggEyEZIANBAnQhCyAGIQpBACEJAkADQCAJIANPDQEgACAJQQR0av0ABAAhDSABIAlBA3RqKwMA/RQhDiACIAlBA3RqKwMA/RQhDyAHIAlBAnRqIQwgDSEQIBD9XyEQIBQgDv3wASAQIBD98AH98QEgFv3xASEQIBIgEP31Af3vASEQIBggEP30ASEYIBAgD/3wASAR/fIBIRAgDCAQ/SEAtjgCACAMIAtqIQwgDCAQ/SEBtjgCACAMIAtqIQwgDSEQIBAgEP0NCAkKCwwNDg8AAQIDBAUGB/1fIRAgFSAO/fABIBAgEP3wAf3xASAX/fEBIRAgEiAQ/fUB/e8BIRAgGSAQ/fQBIRkgECAP/fABIBH98gEhECAMIBD9IQC2OAIAIAwgC2ohDCAMIBD9IQG2OAIAIAwgC2ohDCAJQQFqIQkgCkEBayEKIApFIAkgA0ZyBEAgCCAY/QsEACAIIBn9CwQQIAhBIGohCCATIRggEyEZIAYhCgsMAAsLC9oIAgh/C3sgA0EBdCEHIAAgB2ohCiAKIAdqIQsgCyAHaiEMIAEhCEEAIQUCQANAIAVBAmogAksNASAIIAdqIQn9DAAAAAAAAAAAAAAAAAAAAAAhDf0MAAAAAAAAAAAAAAAAAAAAACEO/QwAAAAAAAAAAAAAAAAAAAAAIQ/9DAAAAAAAAAAAAAAAAAAAAAAhEP0MAAAAAAAAAAAAAAAAAAAAACER/QwAAAAAAAAAAAAAAAAAAAAAIRL9DAAAAAAAAAAAAAAAAAAAAAAhE/0MAAAAAAAAAAAAAAAAAAAAACEUQQAhBgJAA0AgBiAHTw0BIAggBmr9AAQAIRUgCSAGav0ABAAhFiAAIAZq/QAEACEXIA0gFyAV/boB/a4BIQ0gESAXIBb9ugH9rgEhESAKIAZq/QAEACEXIA4gFyAV/boB/a4BIQ4gEiAXIBb9ugH9rgEhEiALIAZq/QAEACEXIA8gFyAV/boB/a4BIQ8gEyAXIBb9ugH9rgEhEyAMIAZq/QAEACEXIBAgFyAV/boB/a4BIRAgFCAXIBb9ugH9rgEhFCAGQRBqIQYMAAsLIA0gDv0NAAECAwQFBgcQERITFBUWFyANIA79DQgJCgsMDQ4PGBkaGxwdHh/9rgEhFSAPIBD9DQABAgMEBQYHEBESExQVFhcgDyAQ/Q0ICQoLDA0ODxgZGhscHR4f/a4BIRYgBCAVIBb9DQABAgMICQoLEBESExgZGhsgFSAW/Q0EBQYHDA0ODxQVFhccHR4f/a4B/QsEACARIBL9DQABAgMEBQYHEBESExQVFhcgESAS/Q0ICQoLDA0ODxgZGhscHR4f/a4BIRUgEyAU/Q0AAQIDBAUGBxAREhMUFRYXIBMgFP0NCAkKCwwNDg8YGRobHB0eH/2uASEWIAQgFSAW/Q0AAQIDCAkKCxAREhMYGRobIBUgFv0NBAUGBwwNDg8UFRYXHB0eH/2uAf0LBBAgBEEgaiEEIAkgB2ohCCAFQQJqIQUMAAsLIAUgAkkEQP0MAAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD/0MAAAAAAAAAAAAAAAAAAAAACEQQQAhBgJAA0AgBiAHTw0BIAggBmr9AAQAIRUgDSAAIAZq/QAEACAV/boB/a4BIQ0gDiAKIAZq/QAEACAV/boB/a4BIQ4gDyALIAZq/QAEACAV/boB/a4BIQ8gECAMIAZq/QAEACAV/boB/a4BIRAgBkEQaiEGDAALCyANIA79DQABAgMEBQYHEBESExQVFhcgDSAO/Q0ICQoLDA0ODxgZGhscHR4f/a4BIRUgDyAQ/Q0AAQIDBAUGBxAREhMUFRYXIA8gEP0NCAkKCwwNDg8YGRobHB0eH/2uASEWIAQgFSAW/Q0AAQIDCAkKCxAREhMYGRobIBUgFv0NBAUGBwwNDg8UFRYXHB0eH/2uAf0LBAALCw==';

export interface DotKernel {
  /** The module's memory as floats (re-read after {@link ensure}: growing detaches the old view). */
  f32(): Float32Array;
  /** Grows the memory to hold at least `bytes`. */
  ensure(bytes: number): void;
  /** out[4j + r] = row(a + r) . row(b + j) for j < n; offsets in bytes, rows of dp floats (dp % 4 = 0). */
  dots4(a: number, b: number, n: number, dp: number, out: number): void;
  /**
   * After dots4 of 4 rows against k centres (out[4c + r]) and the centres' squared norms (norms: k float64):
   * per row r the smallest key `norms[c] - 2 out[4c + r]` (float64, res[r]), the second smallest (res[4 + r]) and
   * the first centre of the smallest (int64, res[8 + r]). Offsets in bytes.
   */
  nearest4(out: number, norms: number, k: number, res: number): void;
  /**
   * For the same 4 rows: `lo = sqrt(max(0, xs[r] + norms[c] - 2 out[4c + r] - xs[4 + r]))` (float64; xs: each row's
   * squared norm, then its slack), low (float32) [r k + c] = (lo + moved[c]) * storeLow, groups (float64) [4g + r]
   * = the smallest lo over group g (`group` consecutive centres). Offsets in bytes.
   */
  bounds4(out: number, norms: number, moved: number, k: number, xs: number, storeLow: number, group: number, low: number, groups: number): void;
  /**
   * As dots4 on rows of dp int16 (dp % 8 = 0): out (int32) [4j + r] = row(a + r) . row(b + j), exact while
   * dp * max|value|^2 < 2^31; twice the products per instruction of the float32 kernel.
   */
  dots4i16(a: number, b: number, n: number, dp: number, out: number): void;
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
  const nearest4 = instance.exports.nearest4 as (out: number, norms: number, k: number, res: number) => void;
  const dots4i16 = instance.exports.dots4i16 as (a: number, b: number, n: number, dp: number, out: number) => void;
  const bounds4 = instance.exports.bounds4 as (out: number, norms: number, moved: number, k: number, xs: number, storeLow: number, group: number, low: number, groups: number) => void;
  return {
    f32: () => new Float32Array(memory.buffer),
    ensure(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
    dots4,
    nearest4,
    bounds4,
    dots4i16,
  };
}

/** A fresh instance (own memory) of the dot-product kernel. Synchronous. */
export function createDotKernel(): DotKernel {
  return dotKernelOf(dotKernelModule());
}
