/**
 * Does matching the plate's exposure to every frame help video? Two measurements, with matching on and off:
 *   - a synthetic clip of a still subject whose camera drifts in exposure (gain 1 → 1.25 and a lift, as auto
 *     exposure does when a subject walks in), against its true α: mean |α − truth| per frame;
 *   - the real fixed-camera clip (../shared/data/video/vtest.avi, plate estimated from the clip): how much of each
 *     frame is called subject (α > 0.5; the pedestrians cover a few %), and flicker (mean |α_t − α_t−1|).
 * Writes bench-results/video-exposure.json.
 *
 *   node --import tsx bench/video-exposure.ts [--frames 40] [--mode balanced]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { FloatImage } from "../src/image/types.js";
import { toUint8 } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { estimateCleanPlate } from "../src/video/clean-plate.js";
import { probe } from "../src/video/ffmpeg.js";
import { matteVideo } from "../src/video/matte-video.js";
import { DEFAULT_TEMPORAL } from "../src/video/temporal.js";
import { VideoWriter } from "../src/video/writer.js";
import type { ModeName } from "../src/vocabulary.js";
import { makeScene, tempDir } from "../test/fixtures.js";

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "40" },
    mode: { type: "string", default: "balanced" },
  },
});
const frames = Number(values.frames);
const mode = values.mode as ModeName;
const dir = tempDir("bgmatte-exposure-");

/** Every frame's α from matting `clip` with exposure matching on or off. */
async function mattes(clip: string, plate: FloatImage, exposure: boolean, max = Infinity) {
  const matter = await createMatter({ align: "off", exposure, mode });
  const alphas: FloatImage[] = [];
  const t0 = performance.now();
  for await (const f of matteVideo(matter, clip, probe(clip), {
    plate,
    motionSeconds: 0.67,
    handHeld: false,
    temporal: DEFAULT_TEMPORAL,
  })) {
    alphas.push(f.result.alpha);
    if (alphas.length >= max) break;
  }
  await matter.dispose();
  return { alphas, msPerFrame: (performance.now() - t0) / alphas.length };
}

const meanAbs = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// 1. Synthetic exposure drift, against the true α.
const scene = makeScene(640, 360, 7);
const drift = join(dir, "drift.mp4");
const writer = new VideoWriter(drift, { width: 640, height: 360, fps: 10, format: "mp4" });
for (let i = 0; i < frames; i++) {
  const k = i / Math.max(1, frames - 1);
  const [gain, lift] = [1 + 0.25 * k, 0.03 * k];
  const f = { ...scene.photo, data: scene.photo.data.map((v) => Math.min(1, v * gain + lift)) };
  await writer.write(toUint8(f));
}
await writer.finish();
const synthetic: Record<string, unknown> = {};
for (const exposure of [false, true]) {
  const { alphas, msPerFrame } = await mattes(drift, scene.plate, exposure);
  const errors = alphas.map((a) => meanAbs(a.data, scene.alpha.data));
  synthetic[exposure ? "on" : "off"] = {
    meanAlphaError: +mean(errors).toFixed(4),
    lastFrameAlphaError: +errors[errors.length - 1].toFixed(4),
    msPerFrame: Math.round(msPerFrame),
  };
}
console.log("exposure drift (synthetic, 640×360), mean |α − truth|:", JSON.stringify(synthetic));

// 2. The real fixed-camera clip.
const real: Record<string, unknown> = {};
const vtest = join(import.meta.dirname, "..", "..", "shared", "data", "video", "vtest.avi");
if (existsSync(vtest)) {
  const plate = (await estimateCleanPlate(vtest, probe(vtest))).plate;
  for (const exposure of [false, true]) {
    const { alphas, msPerFrame } = await mattes(vtest, plate, exposure, frames);
    const subject = alphas.map((a) => a.data.filter((v) => v > 0.5).length / a.data.length);
    const flicker = alphas.slice(1).map((a, i) => meanAbs(a.data, alphas[i].data));
    real[exposure ? "on" : "off"] = {
      subjectShare: +mean(subject).toFixed(4),
      flicker: +mean(flicker).toFixed(5),
      msPerFrame: Math.round(msPerFrame),
    };
  }
  console.log("vtest.avi (real, fixed camera):", JSON.stringify(real));
}

mkdirSync("bench-results", { recursive: true });
writeFileSync(
  join("bench-results", "video-exposure.json"),
  JSON.stringify({ frames, mode, synthetic, real }, null, 2),
);
