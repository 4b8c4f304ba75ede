/**
 * Named 5-point alignment templates: where the 5 canonical points ({@link Landmarks5}) land in an
 * aligned chip of a given size.
 */
import { unknownName } from '../errors.ts';
import type { Landmarks5, Point } from '../types.ts';

export interface AlignTemplate {
  /** Side of the square chip, in pixels. */
  size: number;
  /** The 5 canonical points in chip pixels (order of {@link Landmarks5}). */
  points: Landmarks5;
}

/**
 * dlib's mean face (points 36-67 of its 68-point `mean_face_shape`, unit square), as used by dlib's
 * `get_face_chip_details(shape, 150, 0.25)` to make the chips its ResNet (face-api's recognition net)
 * was trained on. Eye centres are the means of the 6 eye points; values copied from dlib's
 * `dlib/image_transforms/interpolation.h`.
 * King, "Dlib-ml: A Machine Learning Toolkit", JMLR 10, 2009.
 */
const DLIB_LEFT_EYE_X = [0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743];
const DLIB_LEFT_EYE_Y = [0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077];
const DLIB_RIGHT_EYE_X = [0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335];
const DLIB_RIGHT_EYE_Y = [0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099];
const DLIB_NOSE_TIP = { x: 0.490127, y: 0.515625 }; // point 30
const DLIB_MOUTH_LEFT = { x: 0.254149, y: 0.780233 }; // point 48
const DLIB_MOUTH_RIGHT = { x: 0.726104, y: 0.780233 }; // point 54

const meanOf = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/** dlib's 5 points in its unit square, before padding. */
export const DLIB_UNIT_POINTS: Landmarks5 = [
  { x: meanOf(DLIB_LEFT_EYE_X), y: meanOf(DLIB_LEFT_EYE_Y) },
  { x: meanOf(DLIB_RIGHT_EYE_X), y: meanOf(DLIB_RIGHT_EYE_Y) },
  DLIB_NOSE_TIP,
  DLIB_MOUTH_LEFT,
  DLIB_MOUTH_RIGHT,
];

/** dlib's template at chip `size` with `padding` (fraction of the unit face added on each side). */
export function dlibTemplate(size = 150, padding = 0.25): AlignTemplate {
  const map = (p: Point): Point => ({ x: ((padding + p.x) / (1 + 2 * padding)) * size, y: ((padding + p.y) / (1 + 2 * padding)) * size });
  return { size, points: DLIB_UNIT_POINTS.map(map) as Landmarks5 };
}

/**
 * insightface's `arcface_dst` (112x112 chips, ArcFace training), scaled to `size`.
 * Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face Recognition", CVPR 2019.
 */
export function arcfaceTemplate(size = 112): AlignTemplate {
  const base: [number, number][] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
  ];
  return { size, points: base.map(([x, y]) => ({ x: (x * size) / 112, y: (y * size) / 112 })) as Landmarks5 };
}

/** Template names accepted by the aligner. */
export const TEMPLATE_NAMES = ['dlib', 'arcface'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** The named template at chip `size` (dlib with its 0.25 padding). */
export function namedTemplate(name: TemplateName, size: number): AlignTemplate {
  switch (name) {
    case 'dlib':
      return dlibTemplate(size, 0.25);
    case 'arcface':
      return arcfaceTemplate(size);
    default:
      throw unknownName('namedTemplate', 'name', name, TEMPLATE_NAMES);
  }
}
