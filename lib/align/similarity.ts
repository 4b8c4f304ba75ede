/**
 * Least-squares similarity transform (rotation, uniform scale, translation) between point sets.
 *
 * Umeyama, "Least-squares estimation of transformation parameters between two point patterns",
 * IEEE TPAMI 13(4), 1991. This is what insightface's `norm_crop` (skimage SimilarityTransform.estimate)
 * and dlib's `find_similarity_transform` compute.
 */
import { FaceclusterError } from '../errors.ts';
import type { Point } from '../types.ts';

/**
 * A 2-D affine map `[x', y'] = [a*x + b*y + tx, c*x + d*y + ty]`; for a similarity `d = a`, `c = -b`.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
}

/** Applies `m` to `p`. */
export function applyAffine(m: Affine, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.tx, y: m.c * p.x + m.d * p.y + m.ty };
}

/** Inverse of an invertible affine map. */
export function invertAffine(m: Affine): Affine {
  const det = m.a * m.d - m.b * m.c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new FaceclusterError('invertAffine', `m must be invertible, got determinant ${det}.`, 'm');
  const a = m.d / det;
  const b = -m.b / det;
  const c = -m.c / det;
  const d = m.a / det;
  return { a, b, c, d, tx: -(a * m.tx + b * m.ty), ty: -(c * m.tx + d * m.ty) };
}

/**
 * The similarity transform `T` minimising sum |T(src_i) - dst_i|^2 (Umeyama 1991, 2-D closed form).
 * Reflections are excluded (a mirrored face is not the same face).
 * Throws when fewer than 2 points are given or the source points all coincide.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  const fn = 'estimateSimilarity';
  if (src.length !== dst.length) throw new FaceclusterError(fn, `src and dst must have the same length, got ${src.length} and ${dst.length}.`, 'dst');
  if (src.length < 2) throw new FaceclusterError(fn, `src must have at least 2 points, got ${src.length}.`, 'src');
  const n = src.length;
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i].x; msy += src[i].y; mdx += dst[i].x; mdy += dst[i].y;
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  // With complex numbers s = sx + i sy, d = dx + i dy (centred), the best rotation-scale is
  // z = sum(conj(s) d) / sum(|s|^2), the 2-D closed form of Umeyama's SVD solution without reflection.
  let re = 0, im = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i].x - msx, sy = src[i].y - msy, dx = dst[i].x - mdx, dy = dst[i].y - mdy;
    re += sx * dx + sy * dy;
    im += sx * dy - sy * dx;
    ss += sx * sx + sy * sy;
  }
  if (!(ss > 1e-12)) throw new FaceclusterError(fn, 'src must hold at least 2 distinct points, got all points equal.', 'src');
  const a = re / ss;
  const c = im / ss;
  return { a, b: -c, c, d: a, tx: mdx - (a * msx - c * msy), ty: mdy - (c * msx + a * msy) };
}
