/**
 * Head pose from the 5 alignment points (eyes, nose tip, mouth corners), without a 3-D model: in a frontal face
 * the nose tip lies on the perpendicular bisector of the eyes and about halfway between the eyes and the mouth;
 * turned (yaw) it moves towards one eye, nodded (pitch) towards the eyes or the mouth. Measured in the face's own
 * frame (rotated so that the eyes are level), so in-plane rotation (roll) does not count.
 */
import { invalidParameter } from '../errors.ts';
import type { Landmarks5 } from '../types.ts';

export interface LandmarkPose {
  /**
   * Turn left/right: the nose tip's offset from the eyes' midpoint along the eye line, in eye distances
   * (0 frontal; about ±0.5 when the nose reaches an eye, a profile).
   */
  yaw: number;
  /**
   * Nod: where the nose tip lies between the eye line (0) and the mouth line (1), minus 0.5: the typical value of
   * a frontal face (0.45–0.55 on LFW) is near 0.
   */
  pitch: number;
  /** In-plane rotation of the eye line, radians. */
  roll: number;
  /** Distance between the eye centres in the landmarks' own pixels. */
  eyeDistance: number;
}

/** The pose proxies of one face (see {@link LandmarkPose}). */
export function landmarkPose(landmarks5: Landmarks5): LandmarkPose {
  const fn = 'landmarkPose';
  if (!Array.isArray(landmarks5) || landmarks5.length !== 5 || !landmarks5.every((p) => Number.isFinite(p?.x) && Number.isFinite(p?.y))) {
    throw invalidParameter(fn, 'landmarks5', '5 points {x, y} with finite coordinates', landmarks5);
  }
  const [le, re, nose, lm, rm] = landmarks5;
  const ex = re.x - le.x, ey = re.y - le.y;
  const eyeDistance = Math.hypot(ex, ey);
  if (!(eyeDistance > 0)) return { yaw: 0, pitch: 0, roll: 0, eyeDistance: 0 };
  const ux = ex / eyeDistance, uy = ey / eyeDistance; // along the eye line
  const vx = -uy, vy = ux; // down the face
  const mid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  const mouth = { x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2 };
  const along = (nose.x - mid.x) * ux + (nose.y - mid.y) * uy;
  const down = (nose.x - mid.x) * vx + (nose.y - mid.y) * vy;
  const mouthDown = (mouth.x - mid.x) * vx + (mouth.y - mid.y) * vy;
  return {
    yaw: along / eyeDistance,
    pitch: mouthDown > 0 ? down / mouthDown - 0.5 : 0.5,
    roll: Math.atan2(ey, ex),
    eyeDistance,
  };
}
