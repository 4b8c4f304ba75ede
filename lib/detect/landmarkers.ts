/**
 * `createLandmarker(name, config)`: builds a 68-point landmarker by name, for detectors that give no
 * landmarks (UltraFace, SSD MobileNet, Tiny); the face encoder derives the 5 alignment points from its 68
 * (`landmarks5From68`). Unknown names throw, listing the valid ones.
 *
 * To add one: `lib/detect/landmarks-<name>.ts` with an async factory returning a {@link Landmarker68}, its
 * name in {@link LANDMARKER_NAMES} and one line in `FACTORIES`.
 */
import { unknownName } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import { createFaceplugin68Landmarker, type Faceplugin68Config } from './landmarks-faceplugin.ts';
import { createLandmarker68, type Landmarker68 } from './landmarks68.ts';

/** Every registered landmarker name; the first is the default. */
export const LANDMARKER_NAMES = ['faceapi68', 'faceplugin68'] as const;
export type LandmarkerName = (typeof LANDMARKER_NAMES)[number];

/**
 * The default landmarker: face-api's 68-point net, the one every existing store was made with (another default
 * re-encodes them all). LFW 10-fold (`bench:verify --detector ultraface`, 6,000 pairs, load 4-8): with
 * mobilefacenet512 faceplugin68 gives 99.43 ± 0.42 (5,966 pairs right) against 99.35 ± 0.56 (5,961), and 30 against
 * 44 ms/photo for detect + landmarks + embed; with resnet128 98.82 ± 0.32 against 98.85 ± 0.43. Five pairs in
 * 6,000 is within the fold-to-fold spread, so the default is unchanged; faceplugin68 is the faster choice.
 */
export const DEFAULT_LANDMARKER: LandmarkerName = 'faceapi68';

export interface LandmarkerConfigs {
  /** face-api's net has no load-time options. */
  faceapi68: Record<string, never>;
  faceplugin68: Faceplugin68Config;
}

const FACTORIES: { [K in LandmarkerName]: (config?: Partial<LandmarkerConfigs[K]>) => Promise<Landmarker68> } = {
  faceapi68: (config) => {
    resolveOptions('createLandmarker68', {}, config);
    return createLandmarker68();
  },
  faceplugin68: createFaceplugin68Landmarker,
};

export function isLandmarkerName(name: unknown): name is LandmarkerName {
  return typeof name === 'string' && (LANDMARKER_NAMES as readonly string[]).includes(name);
}

/** Builds the landmarker `name`; call `dispose()` when done. */
export async function createLandmarker<K extends LandmarkerName>(name: K, config?: Partial<LandmarkerConfigs[K]>): Promise<Landmarker68> {
  if (!isLandmarkerName(name)) throw unknownName('createLandmarker', 'name', name, LANDMARKER_NAMES);
  return (FACTORIES[name] as (config?: Partial<LandmarkerConfigs[K]>) => Promise<Landmarker68>)(config);
}
