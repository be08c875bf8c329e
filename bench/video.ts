/**
 * Video benchmark: end-to-end fps at 640×360, 1280×720 and 1920×1080 on a synthetic clip, for each speed/quality
 * mode, and the share of time per stage (decode + motion buffer, pipeline stages, composite + encode).
 * Writes bench-results/video.json.
 *
 *   node --import tsx bench/video.ts [--frames 20] [--modes fast,balanced,best]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { composite } from "../src/composite/composite.js";
import { toUint8 } from "../src/image/types.js";
import { MODE_NAMES, type ModeName } from "../src/vocabulary.js";
import { createMatter } from "../src/node/matter.js";
import { probe } from "../src/video/ffmpeg.js";
import { matteVideo } from "../src/video/matte-video.js";
import { DEFAULT_TEMPORAL } from "../src/video/temporal.js";
import { VideoWriter } from "../src/video/writer.js";
import { clipFrames, makeScene, tempDir, writeClip } from "../test/fixtures.js";
import { dtssd } from "../src/eval/metrics.js";

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "20" },
    modes: { type: "string", default: MODE_NAMES.join(",") },
  },
});
const frames = Number(values.frames);
const modes = values.modes!.split(",") as ModeName[];
const dir = tempDir("bgmatte-bench-");
const results: Record<string, unknown> = {};

for (const [w, h] of [
  [640, 360],
  [1280, 720],
  [1920, 1080],
]) {
  const scene = makeScene(w, h);
  const clip = join(dir, `clip-${w}.mp4`);
  // A clip of the still scene (the encoder's noise varies it a little from frame to frame).
  const clipWriter = new VideoWriter(clip, { width: w, height: h, fps: 25, format: "mp4" });
  const still = toUint8(scene.photo);
  for (let i = 0; i < frames; i++) await clipWriter.write(still);
  await clipWriter.finish();
  const info = probe(clip);
  for (const mode of modes) {
    const matter = await createMatter({ align: "off", exposure: false, mode });
    const writer = new VideoWriter(join(dir, `out-${w}-${mode}.mp4`), {
      width: w,
      height: h,
      fps: info.fps,
      format: "mp4",
    });
    const stages: Record<string, number> = {};
    const t0 = performance.now();
    let last = t0;
    let n = 0;
    for await (const f of matteVideo(matter, clip, info, {
      plate: scene.plate,
      motionSeconds: 0.2,
      handHeld: false,
      temporal: DEFAULT_TEMPORAL,
    })) {
      const got = performance.now();
      const pipelineMs = Object.values(f.result.meta.timings).reduce((a, b) => a + b, 0);
      stages["decode+motion buffer+temporal"] =
        (stages["decode+motion buffer+temporal"] ?? 0) + (got - last - pipelineMs);
      for (const [k, v] of Object.entries(f.result.meta.timings)) stages[k] = (stages[k] ?? 0) + v;
      const e0 = performance.now();
      await writer.write(toUint8(composite(f.result, [0, 0.7, 0.25])));
      stages["composite+encode"] = (stages["composite+encode"] ?? 0) + (performance.now() - e0);
      last = performance.now();
      n++;
    }
    await writer.finish();
    await matter.dispose();
    const total = performance.now() - t0;
    const share = Object.fromEntries(
      Object.entries(stages).map(([k, v]) => [k, `${((100 * v) / total).toFixed(0)} %`]),
    );
    results[`${w}x${h} ${mode}`] = { fps: +(n / (total / 1000)).toFixed(2), frames: n, share };
    console.log(
      `${w}×${h} ${mode}: ${(n / (total / 1000)).toFixed(2)} fps  (${Object.entries(share)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`,
    );
  }
}
// Temporal stability: dtSSD against the known α of the moving-disc clip, with and without flicker reduction.
{
  const { frames: discFrames, plate, alphas } = clipFrames();
  const clip = join(dir, "disc.mp4");
  await writeClip(clip, discFrames);
  const info = probe(clip);
  const stability: Record<string, number> = {};
  for (const [name, temporal] of [
    ["off", { ...DEFAULT_TEMPORAL, strength: 0 }],
    ["on", DEFAULT_TEMPORAL],
  ] as const) {
    const matter = await createMatter({ align: "off", exposure: false });
    const preds = [];
    for await (const f of matteVideo(matter, clip, info, {
      plate,
      motionSeconds: 0.2,
      handHeld: false,
      temporal,
    }))
      preds.push(f.result.alpha);
    await matter.dispose();
    stability[`temporal ${name}`] = +dtssd(preds, alphas).toFixed(3);
  }
  results.dtSSD = stability;
  console.log(`dtSSD on the moving-disc clip: ${JSON.stringify(stability)}`);
}
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/video.json", JSON.stringify(results, null, 2));
