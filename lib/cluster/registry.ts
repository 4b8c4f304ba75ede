/**
 * The clustering methods by CLI name: each with its function, its defaults, a one-line description, its paper,
 * and its main tunable parameter with a sweep range. Options measured in distances (`distanceOptions`) have
 * defaults and sweep values on the reference scale, face-api's resnet128 descriptors (euclidean distances of the
 * same person mostly below 0.5, of different people mostly above 0.6, LFW verification threshold 0.611); for
 * another embedder {@link scaledClusterMethod} rescales them by its measured distance scale
 * (`embedderDistanceScale` in lib/embed/registry.ts). `auto` needs no scale: it reads it from the collection.
 * `facecluster cluster --method`, `facecluster tune` and the notebooks read this table; {@link clusterBy} runs a
 * method by name.
 */
import { FaceclusterError, unknownName } from '../errors.ts';
import type { ClusterResult } from '../types.ts';
import { AFFINITY_PROPAGATION_DEFAULTS, affinityPropagation, type AffinityPropagationOptions } from './affinity-propagation.ts';
import { AUTO_DEFAULTS, clusterAuto, type AutoOptions } from './auto.ts';
import { AGGLOMERATIVE_DEFAULTS, agglomerative, type AgglomerativeOptions } from './agglomerative.ts';
import { APPROXIMATE_RANK_ORDER_DEFAULTS, approximateRankOrder, type ApproximateRankOrderOptions } from './approximate-rank-order.ts';
import { CHINESE_WHISPERS_DEFAULTS, chineseWhispers, type ChineseWhispersOptions } from './chinese-whispers.ts';
import { DBSCAN_DEFAULTS, dbscan, type DbscanOptions } from './dbscan.ts';
import { KMEANS_DEFAULTS, kmeans, type KMeansOptions } from './kmeans.ts';
import { RANK_ORDER_DEFAULTS, rankOrder, type RankOrderOptions } from './rank-order.ts';

/** CLI names of the clustering methods. */
export type ClusterMethodName =
  | 'auto'
  | 'kmeans'
  | 'dbscan'
  | 'chinese-whispers'
  | 'rank-order'
  | 'approximate-rank-order'
  | 'agglomerative'
  | 'affinity-propagation';

/** The main tunable parameter of a method and the values a sweep should try. */
export interface SweepSpec {
  /** Option name, e.g. `eps`. */
  parameter: string;
  /** Values to try, ascending. */
  values: readonly number[];
  /** What a larger value does, for help texts and chart captions. */
  effect: string;
}

/** One row of {@link CLUSTER_METHODS}. */
export interface ClusterMethod<O extends object = Record<string, unknown>> {
  name: ClusterMethodName;
  /** Library function name, e.g. `chineseWhispers`. */
  functionName: string;
  run: (x: Float32Array[], options?: Partial<O>) => ClusterResult;
  defaults: Readonly<O>;
  description: string;
  paper: string;
  sweep: SweepSpec;
  /**
   * Options in units of the euclidean distance between embeddings (1) or of its square (2), whose defaults and
   * sweep values are for the reference scale (resnet128); {@link scaledClusterMethod} multiplies them by the
   * scale (or its square). Empty for methods that read only ranks or counts.
   */
  distanceOptions: Readonly<Record<string, 1 | 2>>;
}

/** `from`, `from + step`, ... up to `to` (inclusive), rounded to 6 decimals. */
function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to + step / 1e6; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

function method<O extends object>(m: ClusterMethod<O>): ClusterMethod<Record<string, unknown>> {
  return m as unknown as ClusterMethod<Record<string, unknown>>;
}

/** Every clustering method by CLI name. */
export const CLUSTER_METHODS: Readonly<Record<ClusterMethodName, ClusterMethod>> = Object.freeze({
  auto: method<AutoOptions>({
    name: 'auto',
    functionName: 'clusterAuto',
    run: clusterAuto,
    defaults: AUTO_DEFAULTS,
    description: 'The default: average linkage cut where the expected BCubed F under a label-free mixture of pair distances is highest; no threshold to tune.',
    paper: 'Sokal & Michener 1958 (average linkage); Dempster, Laird, Rubin, JRSS B 1977 (EM); Amigó et al., Information Retrieval 2009 (BCubed)',
    sweep: { parameter: 'neighbors', values: [4, 8, 16, 32, 64], effect: 'more candidate pairs in the linkage tree' },
    distanceOptions: {},
  }),
  kmeans: method<KMeansOptions>({
    name: 'kmeans',
    functionName: 'kmeans',
    run: kmeans,
    defaults: KMEANS_DEFAULTS,
    description: 'k-means (k-means++ init, restarts): needs the number of people; no noise.',
    paper: 'Lloyd, IEEE Trans. Inf. Theory 1982; Arthur & Vassilvitskii, "k-means++", SODA 2007',
    sweep: { parameter: 'nClusters', values: [25, 50, 100, 200, 400, 800, 1600, 3200, 6400], effect: 'more, smaller clusters' },
    distanceOptions: {},
  }),
  dbscan: method<DbscanOptions>({
    name: 'dbscan',
    functionName: 'dbscan',
    run: dbscan,
    defaults: DBSCAN_DEFAULTS,
    description: 'DBSCAN: dense regions within eps become clusters, the rest is noise (-1).',
    paper: 'Ester, Kriegel, Sander, Xu, "A Density-Based Algorithm for Discovering Clusters ... with Noise", KDD 1996',
    sweep: { parameter: 'eps', values: range(0.34, 0.54, 0.01), effect: 'larger clusters, less noise' },
    distanceOptions: { eps: 1 },
  }),
  'chinese-whispers': method<ChineseWhispersOptions>({
    name: 'chinese-whispers',
    functionName: 'chineseWhispers',
    run: chineseWhispers,
    defaults: CHINESE_WHISPERS_DEFAULTS,
    description: "Chinese Whispers (dlib's face clustering): label propagation over pairs closer than a threshold.",
    paper: 'Biemann, "Chinese Whispers - an Efficient Graph Clustering Algorithm ...", TextGraphs @ HLT-NAACL 2006',
    sweep: { parameter: 'threshold', values: range(0.34, 0.54, 0.01), effect: 'larger clusters' },
    distanceOptions: { threshold: 1 },
  }),
  'rank-order': method<RankOrderOptions>({
    name: 'rank-order',
    functionName: 'rankOrder',
    run: rankOrder,
    defaults: RANK_ORDER_DEFAULTS,
    description: 'Rank-order clustering: iterative cluster merging by shared nearest-neighbour ranks.',
    paper: 'Zhu, Wen, Sun, Tang, "A Rank-Order Distance based Clustering Algorithm for Face Tagging", CVPR 2011',
    sweep: { parameter: 'rankThreshold', values: range(2, 40, 2), effect: 'larger clusters' },
    distanceOptions: {},
  }),
  'approximate-rank-order': method<ApproximateRankOrderOptions>({
    name: 'approximate-rank-order',
    functionName: 'approximateRankOrder',
    run: approximateRankOrder,
    defaults: APPROXIMATE_RANK_ORDER_DEFAULTS,
    description: 'Approximate rank-order: top-k lists from a kNN index, one pass of transitive merging; scales to millions.',
    paper: 'Otto, Wang, Jain, "Clustering Millions of Faces by Identity", IEEE TPAMI 2018 (arXiv:1604.00989)',
    sweep: { parameter: 'threshold', values: range(0.2, 4, 0.2), effect: 'larger clusters' },
    distanceOptions: { maxDistance: 1 },
  }),
  agglomerative: method<AgglomerativeOptions>({
    name: 'agglomerative',
    functionName: 'agglomerative',
    run: agglomerative,
    defaults: AGGLOMERATIVE_DEFAULTS,
    description: 'Agglomerative clustering (single/complete/average/ward linkage) cut at a distance threshold.',
    paper: 'Müllner, "Modern hierarchical, agglomerative clustering algorithms", arXiv:1109.2378, 2011',
    sweep: { parameter: 'distanceThreshold', values: range(0.4, 0.65, 0.01), effect: 'larger clusters' },
    distanceOptions: { distanceThreshold: 1 },
  }),
  'affinity-propagation': method<AffinityPropagationOptions>({
    name: 'affinity-propagation',
    functionName: 'affinityPropagation',
    run: affinityPropagation,
    defaults: AFFINITY_PROPAGATION_DEFAULTS,
    description: 'Affinity propagation: exemplars by message passing; dense n x n (at most 15,000 points).',
    paper: 'Frey & Dueck, "Clustering by Passing Messages Between Data Points", Science 2007',
    sweep: { parameter: 'preference', values: [-4, -2, -1.5, -1, -0.75, -0.5, -0.4, -0.3, -0.2, -0.1], effect: 'more, smaller clusters' },
    distanceOptions: { preference: 2 },
  }),
});

/**
 * The method `facecluster cluster` and `facecluster run` use when none is given: {@link clusterAuto}, which sets
 * its own cut from the collection (the LFW-tuned thresholds of the others split the people of a personal library
 * into many; see the README's transfer table).
 */
export const DEFAULT_CLUSTER_METHOD: ClusterMethodName = 'auto';

/**
 * `method` with its distance options (see {@link ClusterMethod.distanceOptions}) rescaled from the reference
 * scale (resnet128) by `scale`: defaults and sweep values multiplied by `scale` (or `scale`² for squared
 * distances), rounded to 3 significant digits. A scale of 1 gives the method as it is.
 */
export function scaledClusterMethod(name: ClusterMethodName, scale: number): ClusterMethod {
  const m = getClusterMethod(name);
  if (!(Number.isFinite(scale) && scale > 0)) throw new FaceclusterError('scaledClusterMethod', `scale must be a finite number > 0, got ${scale}.`, 'scale');
  if (scale === 1) return m;
  const round = (v: number) => Number(v.toPrecision(3));
  const times = (key: string, v: unknown) => (typeof v === 'number' && key in m.distanceOptions ? round(v * scale ** m.distanceOptions[key]) : v);
  const defaults = Object.fromEntries(Object.entries(m.defaults).map(([k, v]) => [k, times(k, v)]));
  const sweep = { ...m.sweep, values: m.sweep.values.map((v) => times(m.sweep.parameter, v) as number) };
  return Object.freeze({ ...m, defaults: Object.freeze(defaults), sweep: Object.freeze(sweep) });
}

/** The valid method names, in table order. */
export const CLUSTER_METHOD_NAMES = Object.freeze(Object.keys(CLUSTER_METHODS) as ClusterMethodName[]);

/** Looks a method up by CLI name; the error lists the valid names. */
export function getClusterMethod(name: string): ClusterMethod {
  if (!Object.prototype.hasOwnProperty.call(CLUSTER_METHODS, name)) throw unknownName('clusterBy', 'method', name, CLUSTER_METHOD_NAMES);
  return CLUSTER_METHODS[name as ClusterMethodName];
}

/**
 * Runs the method called `name` (a {@link ClusterMethodName}) with `options` (that method's options; unknown keys
 * are rejected by the method).
 */
export function clusterBy(name: string, x: Float32Array[], options?: Record<string, unknown>): ClusterResult {
  return getClusterMethod(name).run(x, options);
}
