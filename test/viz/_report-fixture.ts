/**
 * A report over real LFW faces (precomputed embeddings + deep-funneled photos) with a hand-made clustering that
 * has known errors, plus one photo copied under a malicious file name (into a temp folder, never the repo).
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrecomputedEmbeddings } from '../../lib/datasets/precomputed.ts';
import { findData } from '../../lib/paths.ts';
import type { ReportFace, ReportInput } from '../../lib/viz/report.ts';

export const EVIL_NAME = '<img src=x onerror=alert(1)>.jpg';

/** Why the fixture cannot be built here, or undefined when it can. */
export function reportFixtureMissing(): string | undefined {
  if (!findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl')) return 'LFW precomputed embeddings absent (set FACECLUSTER_DATA)';
  if (!findData('lfw-deepfunneled')) return 'LFW deep-funneled photos absent (set FACECLUSTER_DATA)';
  return undefined;
}

/**
 * Faces of people with >= 2 photos among the first 600 lines of the LFW file. Clustering "toy": the truth, except
 * identities 0 and 1 merged (an impure cluster), identity 2 split in two, the last face of identity 3 noise, and
 * the malicious-named face (identity "Mallory") put in identity 0's cluster.
 */
export async function reportFixture(): Promise<{ input: ReportInput; nFaces: number; evilIndex: number }> {
  const root = findData('lfw-deepfunneled') as string;
  const data = await loadPrecomputedEmbeddings({ limit: 600, minPhotosPerIdentity: 2 });
  const faces: ReportFace[] = data.files.map((f, i) => ({ file: f, path: join(root, f), box: data.boxes[i], identity: data.identities[i] }));
  const embeddings = data.embeddings.map((e) => Float32Array.from(e));
  const truth = Array.from(data.labels);
  const dir = mkdtempSync(join(tmpdir(), 'facecluster-report-'));
  const evilPath = join(dir, EVIL_NAME);
  copyFileSync(faces[0].path as string, evilPath);
  faces.push({ file: EVIL_NAME, path: evilPath, box: data.boxes[0], identity: 'Mallory' });
  // Negated: far from every real face, so its map point stands alone and can be hovered.
  embeddings.push(Float32Array.from(embeddings[0], (v) => -v));
  const evilIndex = faces.length - 1;
  truth.push(Math.max(...truth) + 1);
  const pred = truth.map((t) => (t === 1 ? 0 : t));
  let half = true;
  truth.forEach((t, i) => {
    if (t === 2) {
      if (half) pred[i] = 100000;
      half = !half;
    }
  });
  const last3 = truth.lastIndexOf(3);
  pred[last3] = -1;
  pred[evilIndex] = 0;
  return {
    input: {
      faces,
      embeddings,
      truth: Int32Array.from(truth),
      clusterings: [
        { name: 'toy (truth with errors)', labels: Int32Array.from(pred), parameter: 'eps', value: 0.5 },
        { name: 'truth', labels: Int32Array.from(truth) },
      ],
      sweeps: [
        {
          name: 'toy eps sweep',
          parameter: 'eps',
          chosen: 0.5,
          rows: [0.3, 0.4, 0.5, 0.6].map((v, k) => ({ value: v, nClusters: 200 - 40 * k, pairwisePrecision: 1 - 0.1 * k, pairwiseRecall: 0.4 + 0.15 * k, pairwiseF1: 0.55 + 0.1 * k, bcubedF1: 0.6 + 0.08 * k })),
        },
      ],
    },
    nFaces: faces.length,
    evilIndex,
  };
}
