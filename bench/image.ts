/**
 * Image benchmark: end-to-end time and peak memory for a 1920×1080 photo, per-stage times, and the network
 * alone at 512×512 for several thread counts. Prints a table and writes JSON (bench-results/image.json).
 *
 *   npm run bench                 # or: node --import tsx bench/image.ts --runs 5
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { parseArgs } from "node:util";
import { createImage } from "../src/image/types.js";
import { contractPath, resolveModel } from "../src/network/models-node.js";
import { createNodeNetwork } from "../src/network/session-node.js";
import { createMatter } from "../src/node/matter.js";
import { makeScene } from "../test/fixtures.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    out: { type: "string", default: "bench-results/image.json" },
  },
});
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function networkAlone(threads: number) {
  const model = resolveModel(undefined);
  const net = await createNodeNetwork(model.path, contractPath(), {
    threads,
    device: "cpu",
    name: model.name,
  });
  const mk = (c: number) => {
    const im = createImage(512, 512, c);
    im.data.forEach((_, i) => (im.data[i] = ((i * 2654435761) % 1000) / 1000));
    return im;
  };
  const inputs = { image: mk(3), plate: mk(3), prior: mk(1), motion: mk(4) };
  await net.run(inputs); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await net.run(inputs);
    times.push(performance.now() - t0);
  }
  await net.dispose();
  return median(times);
}

const scene = makeScene(1920, 1080);
const raw = (im: typeof scene.photo) => ({
  data: im.data,
  width: im.width,
  height: im.height,
  channels: 3 as const,
});
const results: Record<string, unknown> = {
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version },
  runs,
};

const threadCounts = [...new Set([1, 2, Math.min(4, availableParallelism())])];
const networkMs: Record<string, number> = {};
for (const t of threadCounts) networkMs[`threads=${t}`] = await networkAlone(t);
results.network512 = networkMs;

const matter = await createMatter({});
await matter.matte({ image: raw(scene.photo), plate: raw(scene.plate) }); // warm-up
const totals: number[] = [];
const stages: Record<string, number[]> = {};
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await matter.matte({ image: raw(scene.photo), plate: raw(scene.plate) });
  totals.push(performance.now() - t0);
  for (const [k, v] of Object.entries(r.meta.timings)) (stages[k] ??= []).push(v);
}
await matter.dispose();
results.endToEnd1080p = {
  totalMs: median(totals),
  stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(median(v))])),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
};

console.log(`network alone, 512×512 (median of ${runs}):`);
for (const [k, v] of Object.entries(networkMs)) console.log(`  ${k.padEnd(10)} ${v.toFixed(0)} ms`);
const e = results.endToEnd1080p as { totalMs: number; stagesMs: Record<string, number>; peakRssMB: number };
console.log(
  `end to end, 1920×1080 photo (median of ${runs}): ${e.totalMs.toFixed(0)} ms, peak RSS ${e.peakRssMB} MB`,
);
console.log(
  `  stages (ms): ${Object.entries(e.stagesMs)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}`,
);
mkdirSync("bench-results", { recursive: true });
writeFileSync(values.out!, JSON.stringify(results, null, 2));
console.log(`wrote ${values.out}`);
