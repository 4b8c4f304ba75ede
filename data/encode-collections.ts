/**
 * Encodes the labelled collections of FACECLUSTER_DATA with facecluster's default pipeline (UltraFace, 68-point
 * landmarks, the default embedder) plus resnet128, into face stores under $FACECLUSTER_CACHE/stores/<name>: the
 * embeddings the benchmarks (bench:transfer, bench:embedders) and anyone comparing with the README's tables use.
 * This is the precomputed-embeddings path of the default embedder: the shared file
 * embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl holds face-api's resnet128 descriptors only.
 *
 *   npm run data:encode                                   every collection found (all of LFW: ~15 min on 2 cores)
 *   npm run data:encode -- lfw yale                       only these (lfw 120faces pins yale celeba)
 *   npm run data:encode -- --embedder mobilefacenet512,faceres yale   other embedders (the first is the main one)
 *
 * Reruns resume: photos already in a store are skipped, and an embedder a store lacks is added from its stored
 * detections. Read a store with openStore(dir, { embedder }) or `facecluster cluster DIR --embedder NAME`.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { COLLECTIONS, encodeCollection, storeDirOf } from '../bench/_collections.ts';
import { EMBEDDER_NAMES, type EmbedderName } from '../lib/index.ts';

const { values, positionals } = parseArgs({ options: { embedder: { type: 'string' } }, allowPositionals: true });
const names = positionals.length > 0 ? positionals : Object.keys(COLLECTIONS);
const embedders = values.embedder?.split(',') as EmbedderName[] | undefined;
for (const n of names) if (!(n in COLLECTIONS)) { console.error(`encode-collections: unknown collection ${JSON.stringify(n)} (${Object.keys(COLLECTIONS).join(' ')}).`); process.exit(2); }
for (const e of embedders ?? []) if (!(EMBEDDER_NAMES as readonly string[]).includes(e)) { console.error(`encode-collections: --embedder must be names among ${EMBEDDER_NAMES.join(', ')}, got ${JSON.stringify(e)}.`); process.exit(2); }
let failed = 0;
for (const name of names) {
  const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
  console.log(`== ${name} -> ${storeDirOf(name)} (load ${load()})`);
  const t0 = performance.now();
  const s = await encodeCollection(name, embedders, (done, total) => { if (total > 0 && (done % 500 === 0 || done === total)) console.log(`  ${done}/${total}`); });
  if (!s) { console.log(`  ${COLLECTIONS[name].folder} is not in the data folder; skipped`); continue; }
  failed += s.failures.length;
  console.log(`  ${s.photos} photos: ${s.encoded} encoded, ${s.reembedded} given the added embedder(s), ${s.unchanged} unchanged, ${s.failures.length} failed; ${s.totalFaces} faces; ${((performance.now() - t0) / 1000).toFixed(1)} s (load ${load()})`);
}
process.exitCode = failed > 0 ? 1 : 0;
