/**
 * Does memory stay flat over a long clip? Mattes a generated clip (a test pattern moving over a grey room) with the
 * library's `matteVideoFile`, as `bgmatte video` does, and samples the resident memory every 100 frames. Prints the
 * series and the growth over the second half (after the runtimes' arenas have warmed up); writes
 * bench-results/video-memory.json.
 *
 *   node --import tsx bench/video-memory.ts [--seconds 120] [--mode fast] [--size 640x360]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { ffmpegPath, probe } from "../src/video/ffmpeg.js";
import { matteVideoFile } from "../src/video/matte-video-file.js";
import { openTarget } from "../src/video/target.js";
import { DEFAULT_TEMPORAL } from "../src/video/temporal.js";
import type { ModeName } from "../src/vocabulary.js";
import { tempDir } from "../test/fixtures.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "120" },
    mode: { type: "string", default: "fast" },
    size: { type: "string", default: "640x360" },
  },
});
const [width, height] = values.size!.split("x").map(Number);
const fps = 25;
const dir = tempDir("bgmatte-memory-");
const clip = join(dir, "long.mp4");
const made = spawnSync(ffmpegPath(), [
  ...["-hide_banner", "-loglevel", "error", "-y"],
  ...["-f", "lavfi", "-i", `color=c=0x808080:s=${width}x${height}:r=${fps}`],
  ...["-f", "lavfi", "-i", `testsrc2=s=${height >> 1}x${height >> 1}:r=${fps}`],
  ...["-filter_complex", `[0][1]overlay=x='mod(t*${width / 6},${width - (height >> 1)})':y=${height >> 2}`],
  ...["-t", values.seconds!, "-c:v", "libx264", "-pix_fmt", "yuv420p", clip],
]);
if (made.status !== 0) throw new Error(String(made.stderr));
const plate = createImage(width, height, 3, 0x80 / 255);
const info = probe(clip);
const matter = await createMatter({ mode: values.mode as ModeName, align: "off" });
const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const samples: { frame: number; rssMb: number }[] = [{ frame: 0, rssMb: mb() }];
const t0 = performance.now();
await matteVideoFile(matter, {
  clip,
  info,
  plate,
  target: await openTarget(undefined, info),
  outputs: { composite: join(dir, "out.composite.mp4"), alpha: join(dir, "out.alpha.mp4") },
  motionSeconds: 0.67,
  handHeld: false,
  temporal: DEFAULT_TEMPORAL,
  onProgress: ({ done }) => {
    if (done % 100 === 0) {
      samples.push({ frame: done, rssMb: mb() });
      process.stderr.write(`frame ${done}: RSS ${mb()} MB\n`);
    }
  },
});
await matter.dispose();
const half = samples.filter((s) => s.frame >= samples.at(-1)!.frame / 2);
const growth = half.at(-1)!.rssMb - half[0].rssMb;
const result = {
  clip: `${width}×${height}, ${info.fps} fps, ${values.seconds} s`,
  mode: values.mode,
  frames: samples.at(-1)!.frame,
  seconds: Math.round((performance.now() - t0) / 1000),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  secondHalfGrowthMb: growth,
  secondHalfGrowthMbPer1000Frames: +((1000 * growth) / (half.at(-1)!.frame - half[0].frame)).toFixed(1),
  samples,
};
console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
mkdirSync("bench-results", { recursive: true });
writeFileSync(join("bench-results", "video-memory.json"), JSON.stringify(result, null, 2) + "\n");
