/**
 * Where a clustering goes wrong, against true identities: impure clusters (faces of several people in one
 * cluster) and split people (one person's faces spread over several clusters or noise). The two error kinds of
 * pairwise / BCubed precision and recall (Amigó, Gonzalo, Artiles, Verdejo, "A comparison of extrinsic clustering
 * evaluation metrics based on formal constraints", Information Retrieval 12(4), 2009), shown face by face.
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';

export interface ImpureCluster {
  cluster: number;
  size: number;
  /** The most frequent true identity of the cluster. */
  majority: number;
  majorityCount: number;
  /** Face indices, the majority identity first, then the intruders grouped by identity. */
  members: number[];
  /** Faces not of the majority identity. */
  intruders: number;
}

export interface SplitIdentity {
  identity: number;
  size: number;
  /** The clusters holding this person's faces, largest first; `cluster` -1 is noise. */
  parts: { cluster: number; members: number[] }[];
}

export interface ClusterErrorOptions {
  /** Most impure clusters and split identities returned (the worst first). @default 20 */
  maxItems: number;
}

export const CLUSTER_ERROR_DEFAULTS: Readonly<ClusterErrorOptions> = Object.freeze({ maxItems: 20 });

/**
 * Impure clusters (most intruders first) and split identities (most parts first). Noise (-1) is not a cluster:
 * noise faces never make a cluster impure, but a person with faces in noise counts as split.
 */
export function clusterErrors(pred: ArrayLike<number>, truth: ArrayLike<number>, options?: Partial<ClusterErrorOptions>): { impure: ImpureCluster[]; split: SplitIdentity[] } {
  const fn = 'clusterErrors';
  const o = resolveOptions(fn, CLUSTER_ERROR_DEFAULTS, options);
  checkInteger(fn, 'maxItems', o.maxItems, 0);
  if (pred.length !== truth.length) throw new FaceclusterError(fn, `truth must have one label per face (${pred.length}), got ${truth.length}.`, 'truth');
  const byCluster = new Map<number, number[]>();
  const byIdentity = new Map<number, number[]>();
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] >= 0) {
      const c = byCluster.get(pred[i]);
      if (c) c.push(i);
      else byCluster.set(pred[i], [i]);
    }
    const t = byIdentity.get(truth[i]);
    if (t) t.push(i);
    else byIdentity.set(truth[i], [i]);
  }
  const groupBy = (idx: number[], key: (i: number) => number): [number, number[]][] => {
    const m = new Map<number, number[]>();
    for (const i of idx) {
      const k = key(i);
      const g = m.get(k);
      if (g) g.push(i);
      else m.set(k, [i]);
    }
    return [...m.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
  };
  const impure: ImpureCluster[] = [];
  for (const [cluster, members] of byCluster) {
    const groups = groupBy(members, (i) => truth[i]);
    if (groups.length < 2) continue;
    impure.push({ cluster, size: members.length, majority: groups[0][0], majorityCount: groups[0][1].length, members: groups.flatMap(([, g]) => g), intruders: members.length - groups[0][1].length });
  }
  impure.sort((a, b) => b.intruders - a.intruders || b.size - a.size || a.cluster - b.cluster);
  const split: SplitIdentity[] = [];
  for (const [identity, members] of byIdentity) {
    const groups = groupBy(members, (i) => (pred[i] >= 0 ? pred[i] : -1));
    if (groups.length < 2 && !(groups[0][0] === -1 && members.length > 1)) continue;
    split.push({ identity, size: members.length, parts: groups.map(([cluster, g]) => ({ cluster, members: g })) });
  }
  split.sort((a, b) => b.parts.length - a.parts.length || b.size - a.size || a.identity - b.identity);
  return { impure: impure.slice(0, o.maxItems), split: split.slice(0, o.maxItems) };
}
