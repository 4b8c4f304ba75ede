/**
 * The two assignment steps of k-means must agree exactly: Elkan's and the group bounds (ElkanAssigner) against
 * every point with every centre (FullAssigner), at every Lloyd step of real runs (LFW's face-api embeddings, many
 * centres) and on toy cases with ties and an emptied cluster.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import { ElkanAssigner, FullAssigner } from '../../lib/cluster/_kmeans-assign.ts';
import { toMatrix } from '../../lib/cluster/_input.ts';
import { kmeans, kmeansSteps } from '../../lib/cluster/kmeans.ts';
import { rows } from './_helpers.ts';

const file = precomputedEmbeddingsPath();
const skip = existsSync(file) ? false : `LFW embeddings not found at ${file} (set FACECLUSTER_DATA)`;

/** Runs the Lloyd steps of kmeansSteps and checks Elkan's assignment against the full one at each of them. */
function agreeAlongRun(x: Float32Array[], init: Float32Array[]): { steps: number; computed: number[]; halfSteps: number; elkanSteps: number } {
  const m = toMatrix('test', x);
  const k = init.length;
  const full = new FullAssigner(m, k);
  const elkan = new ElkanAssigner(m, k, new FullAssigner(m, k));
  const flat = (r: Float32Array[]) => { const c = new Float64Array(k * m.d); r.forEach((v, j) => c.set(v, j * m.d)); return c; };
  let centers = flat(init);
  const lf = new Int32Array(m.n), df = new Float64Array(m.n);
  const le = new Int32Array(m.n), de = new Float64Array(m.n);
  elkan.start(centers, le, de);
  const computed: number[] = [];
  let steps = 0;
  let elkanSteps = 0;
  for (const step of kmeansSteps(x, { nClusters: k, init })) {
    full.assign(centers, lf, df);
    if (steps > 0) {
      elkan.assign(centers, le, de);
      computed.push(elkan.computed);
      if (elkan.computed < m.n * k) elkanSteps++; // a step from the bounds (a full one computes every pair)
    }
    assert.deepEqual(le, lf, `labels of step ${step.iteration}`);
    assert.deepEqual(de, df, `squared distances of step ${step.iteration}`);
    // the next step's centres, as kmeansSteps moved them (relocations included)
    const next = flat(step.centers);
    const shift2 = new Float64Array(k);
    for (let c = 0; c < k; c++) for (let t = 0; t < m.d; t++) shift2[c] += (next[c * m.d + t] - centers[c * m.d + t]) ** 2;
    // labels after the relocation of emptied clusters are kmeansSteps'; tell Elkan which points were moved
    for (let i = 0; i < m.n; i++) if (step.labels[i] !== le[i]) { elkan.relocated(i, le[i]); le[i] = step.labels[i]; }
    elkan.centersMoved(shift2, le);
    centers = next;
    steps++;
  }
  return { steps, computed, halfSteps: elkan.halfSteps, elkanSteps };
}

test('Elkan assignment = full assignment at every step: LFW, the first 3,000 faces, k 200', { skip }, async () => {
  const ds = await loadPrecomputedEmbeddings({ limit: 3000 });
  const n = ds.embeddings.length;
  assert.ok(n >= 2000, `${n} faces`);
  const init = Array.from({ length: 200 }, (_, c) => Float32Array.from(ds.embeddings[(c * 37) % n]));
  const { steps, computed, halfSteps, elkanSteps } = agreeAlongRun(ds.embeddings, init);
  assert.ok(steps >= 5, `${steps} steps`);
  // in 128-d the centres' half distances exclude almost nothing: dropped after the first step that tried them
  assert.ok(elkanSteps >= 3 && halfSteps === 1, `half distances at ${halfSteps} of ${elkanSteps} steps from the bounds`);
  // the point of the bounds: late steps compute a small share of the 600,000 pairs
  assert.ok(computed[computed.length - 1] < 0.05 * n * 200, `last step computed ${computed[computed.length - 1]} pairs`);
});

test('Elkan assignment on ties: duplicate centres go to the lower index, the emptied one takes the farthest point', () => {
  // points 0..3 on a line; centres 0 and 1 both at 0 (a tie for every point: the lower index, 0, wins), centre 2 at 3
  const x = rows([[0], [1], [2], [3], [3.2], [0.1]]);
  const init = rows([[0], [0], [3]]);
  const { steps } = agreeAlongRun(x, init);
  assert.ok(steps >= 2);
  // centre 1 is emptied at step 1 and takes a point: three clusters in the end
  assert.equal(new Set(kmeans(x, { nClusters: 3, init }).labels).size, 3);
});

test('Elkan assignment on blobs in 64-d with many equal points', () => {
  let s = 7;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  const base = Array.from({ length: 20 }, () => Float32Array.from({ length: 64 }, rand));
  const x: Float32Array[] = [];
  for (let i = 0; i < 600; i++) {
    const b = base[i % 20];
    // every third point an exact copy of its blob's centre: many exact ties between equal centres below
    x.push(i % 3 === 0 ? Float32Array.from(b) : Float32Array.from(b, (v) => v + 0.05 * rand()));
  }
  const init = Array.from({ length: 40 }, (_, c) => Float32Array.from(x[(c * 3) % 600]));
  agreeAlongRun(x, init);
});

test('Elkan assignment in 2-d: the half distances of the centres keep excluding pairs and are kept at every step', () => {
  let s = 7;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  const base = Array.from({ length: 5 }, () => [4 * rand(), 4 * rand()]);
  const x = Array.from({ length: 2000 }, (_, i) => Float32Array.from(base[i % 5], (v) => v + rand()));
  const init = Array.from({ length: 8 }, (_, c) => Float32Array.from(x[c * 7]));
  const { halfSteps, elkanSteps } = agreeAlongRun(x, init);
  assert.ok(elkanSteps >= 5 && halfSteps === elkanSteps, `half distances at ${halfSteps} of ${elkanSteps} steps from the bounds`);
});

test('Elkan assignment on a reused memory full of NaN bytes: the padding it reads is cleared, the labels are exact', () => {
  // 30-d (rows padded to 32), k 37 (bound rows padded to 48, 3 groups padded to 4): every padding the scans read
  let s = 11;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  const base = Array.from({ length: 12 }, () => Float32Array.from({ length: 30 }, rand));
  const x = Array.from({ length: 1500 }, (_, i) => Float32Array.from(base[i % 12], (v) => v + 0.8 * rand()));
  const init = Array.from({ length: 37 }, (_, c) => Float32Array.from(x[c * 37]));
  const m = toMatrix('test', x);
  const first = new ElkanAssigner(m, 37, new FullAssigner(m, 37));
  assert.ok(first.sums !== null, 'the points are on the memory');
  // every byte of the memory 0xff (NaN as float32 and float64), then given back: the next assigner of this size takes it
  new Uint8Array(first.sums!.buffer).fill(0xff);
  first.release();
  const { steps, elkanSteps } = agreeAlongRun(x, init);
  assert.ok(steps >= 3 && elkanSteps >= 1, `${steps} steps, ${elkanSteps} from the bounds`);
});
