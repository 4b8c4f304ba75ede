/**
 * Reducers by name, for the CLI, the report and notebooks: `reduceBy('umap', x, { seed: 1 })`.
 */
import { unknownName } from '../errors.ts';
import type { Rows } from './_input.ts';
import { pca, type PcaOptions } from './pca.ts';
import { tsne, type TsneOptions } from './tsne.ts';
import { umap, type UmapOptions } from './umap.ts';

/** Options of each reducer, by name. */
export interface ReducerOptions {
  pca: PcaOptions;
  tsne: TsneOptions;
  umap: UmapOptions;
}

export type ReducerName = keyof ReducerOptions;

/** Valid reducer names. */
export const REDUCERS: readonly ReducerName[] = Object.freeze(['pca', 'tsne', 'umap'] as ReducerName[]);

/** Runs the reducer called `name` on `x` with its own options (unknown names list the valid ones). */
export function reduceBy<N extends ReducerName>(name: N, x: Rows, options?: Partial<ReducerOptions[N]>): number[][] {
  switch (name) {
    case 'pca':
      return pca(x, options as Partial<PcaOptions>);
    case 'tsne':
      return tsne(x, options as Partial<TsneOptions>);
    case 'umap':
      return umap(x, options as Partial<UmapOptions>);
    default:
      throw unknownName('reduceBy', 'name', name, REDUCERS);
  }
}
