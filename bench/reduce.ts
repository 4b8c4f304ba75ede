/**
 * `npm run bench:reduce`: seconds for PCA, UMAP and Barnes-Hut t-SNE on the precomputed LFW embeddings at 1k,
 * 5k and all (~12.4k) faces, default options. Prints the 1-minute load average before each run: the machine is
 * shared, so quote figures with it.
 *
 * Usage: npm run bench:reduce [-- --sizes 1000,5000,all] [--methods pca,umap,tsne]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadPrecomputedEmbeddings } from '../lib/datasets/precomputed.ts';
import { findData } from '../lib/paths.ts';
import { reduceBy, type ReducerName } from '../lib/reduce/registry.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,5000,all' }, methods: { type: 'string', default: 'pca,umap,tsne' } } });
if (!findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl')) {
  console.error('bench:reduce: LFW precomputed embeddings absent (set FACECLUSTER_DATA).');
  process.exit(2);
}
const all = await loadPrecomputedEmbeddings();
const sizes = values.sizes!.split(',').map((s) => (s === 'all' ? all.embeddings.length : Number(s)));
const methods = values.methods!.split(',') as ReducerName[];
console.log(`bench:reduce on ${all.embeddings.length} LFW embeddings (128-d), node ${process.version}, ${new Date().toISOString()}`);
console.log('method   n       wall s   cpu s   load(1m)   (cpu s: user+system time of this process, less sensitive to other load)');
for (const n of sizes) {
  const x = all.embeddings.slice(0, n);
  for (const m of methods) {
    const load = loadavg()[0];
    const t = performance.now();
    const c0 = process.cpuUsage();
    const y = reduceBy(m, x, m === 'pca' ? {} : { seed: 42 });
    const s = (performance.now() - t) / 1000;
    const c1 = process.cpuUsage(c0);
    const cpu = (c1.user + c1.system) / 1e6;
    if (y.length !== n) throw new Error(`bench:reduce: ${m} returned ${y.length} rows for ${n}`);
    console.log(`${m.padEnd(8)} ${String(n).padEnd(7)} ${s.toFixed(2).padStart(7)} ${cpu.toFixed(2).padStart(7)}   ${load.toFixed(2)}`);
  }
}
