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
 * The default landmarker: face-api's 68-point net. Its weights ship with the npm dependency, so the default
 * pipeline works right after `npm install`; `faceplugin68` needs `npm run models:fetch`. LFW 10-fold
 * (`bench:verify --detector ultraface`, mobilefacenet512, 6,000 pairs): faceplugin68 99.43 ± 0.42 against 99.35 ± 0.56,
 * and 30 against 44 ms/photo for detect + landmarks + embed (load 5-7).
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
