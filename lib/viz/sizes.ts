/**
 * Cluster size distribution: how many clusters have 1, 2, 3-5, ... faces. A good identity clustering of a photo
 * collection has a long tail; a spike of singletons means the threshold is too strict, one huge cluster that it
 * is too loose (Otto, Wang, Jain, "Clustering Millions of Faces by Identity", IEEE TPAMI 40(2), 2018).
 */
import type { TopLevelSpec } from 'vega-lite';
import { resolveOptions } from '../options.ts';
import { invalidParameter } from '../errors.ts';

export interface ClusterSizeOptions {
  /** @default 'Cluster sizes' */
  title: string;
  /** @default 420 */
  width: number;
  /** @default 220 */
  height: number;
}

export const CLUSTER_SIZE_DEFAULTS: Readonly<ClusterSizeOptions> = Object.freeze({ title: 'Cluster sizes', width: 420, height: 220 });

/** Size classes (inclusive ranges) of the chart. */
export const SIZE_CLASSES: readonly (readonly [number, number])[] = [
  [1, 1], [2, 2], [3, 5], [6, 10], [11, 20], [21, 50], [51, 100], [101, Infinity],
];

function className([a, b]: readonly [number, number]): string {
  return a === b ? String(a) : b === Infinity ? `${a}+` : `${a}-${b}`;
}

/** Counts clusters and faces per size class; noise (-1) is counted apart. */
export function clusterSizeCounts(labels: ArrayLike<number>): { rows: { size: string; clusters: number; faces: number }[]; nNoise: number; nClusters: number } {
  const sizes = new Map<number, number>();
  let nNoise = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) nNoise++;
    else sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  }
  const rows = SIZE_CLASSES.map((c) => ({ size: className(c), clusters: 0, faces: 0 }));
  for (const s of sizes.values()) {
    const k = SIZE_CLASSES.findIndex(([a, b]) => s >= a && s <= b);
    rows[k].clusters++;
    rows[k].faces += s;
  }
  return { rows, nNoise, nClusters: sizes.size };
}

/** Bar chart of the number of clusters per size class. */
export function clusterSizeSpec(labels: ArrayLike<number>, options?: Partial<ClusterSizeOptions>): TopLevelSpec {
  const fn = 'clusterSizeSpec';
  const o = resolveOptions(fn, CLUSTER_SIZE_DEFAULTS, options);
  if (!labels || typeof labels.length !== 'number') throw invalidParameter(fn, 'labels', 'an array of cluster labels', labels);
  const { rows, nNoise, nClusters } = clusterSizeCounts(labels);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: o.title, subtitle: `${nClusters} clusters, ${nNoise} noise faces, ${labels.length} faces` },
    width: o.width,
    height: o.height,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: { field: 'size', type: 'ordinal', sort: null, title: 'faces in the cluster', axis: { labelAngle: 0 } },
          y: { field: 'clusters', type: 'quantitative', title: 'clusters' },
          tooltip: [{ field: 'size' }, { field: 'clusters' }, { field: 'faces' }],
        },
      },
      {
        mark: { type: 'text', dy: -6 },
        encoding: { x: { field: 'size', type: 'ordinal', sort: null }, y: { field: 'clusters', type: 'quantitative' }, text: { field: 'clusters' } },
      },
    ],
  } as TopLevelSpec;
}
