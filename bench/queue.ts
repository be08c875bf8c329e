/**
 * Queue throughput with 1, 2 and 3 local workers: a clip (the first frames of ../shared/data/video/vtest.avi, cut
 * into a temporary folder, or a generated clip when the data is absent) submitted in chunks and matted by N
 * `bgmatte worker` processes on a private redis-server, against `bgmatte video` on the same clip. Prints frames/s,
 * the speed-up and the per-worker efficiency (throughput_N / (N × throughput_1)); writes bench-results/queue.json.
 * Local workers share this machine's cores (each gets cores/N inference threads), so on a small machine
 * efficiency says what a worker costs, not what more machines give.
 *
 *   node --import tsx bench/queue.ts [--frames 360] [--chunk-frames 120] [--mode fast] [--workers 1,2,3]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { submitBatch, waitForBatch } from "../src/queue/index.js";
import { ffmpegPath } from "../src/video/ffmpeg.js";
import { CLI } from "../test/cli-process.js";
import { tempDir } from "../test/fixtures.js";

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "360" },
    "chunk-frames": { type: "string", default: "120" },
    mode: { type: "string", default: "fast" },
    workers: { type: "string", default: "1,2,3" },
    port: { type: "string", default: "6391" },
  },
});
const frames = Number(values.frames);
const dir = tempDir("bgmatte-queue-bench-");
const source = join(import.meta.dirname, "..", "..", "shared", "data", "video", "vtest.avi");
const clip = join(dir, "clip.mp4");
const input = existsSync(source) ? ["-i", source] : ["-f", "lavfi", "-i", "testsrc2=s=768x576:r=10"];
const cut = spawnSync(ffmpegPath(), [
  ...["-hide_banner", "-loglevel", "error", "-y", ...input],
  ...["-frames:v", String(frames), "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", clip],
]);
if (cut.status !== 0) throw new Error(String(cut.stderr));

const url = `redis://127.0.0.1:${values.port}`;
const redis = spawn("redis-server", ["--port", values.port!, "--save", "", "--appendonly", "no"], {
  stdio: "ignore",
});
await new Promise((r) => setTimeout(r, 500));

const single = Date.now();
const alone = spawnSync(
  process.execPath,
  [...CLI, "video", clip, "--plate", "auto", "-o", join(dir, "single"), "-m", values.mode!, "-q"],
  { stdio: "inherit" },
);
if (alone.status !== 0) throw new Error("bgmatte video failed");
const singleSeconds = (Date.now() - single) / 1000;
console.log(
  `bgmatte video (one process): ${frames} frames in ${singleSeconds.toFixed(1)} s = ${(frames / singleSeconds).toFixed(2)} frames/s`,
);

const runs: { workers: number; seconds: number; fps: number; speedup: number; efficiency: number }[] = [];
try {
  for (const n of values.workers!.split(",").map(Number)) {
    const threads = String(Math.max(1, Math.floor(availableParallelism() / n)));
    const workers = Array.from({ length: n }, () =>
      spawn(process.execPath, [...CLI, "worker", "--redis", url, "--threads", threads, "-q"], {
        stdio: "ignore",
      }),
    );
    // Let them load their models before the clock starts (a long-running worker has).
    await new Promise((r) => setTimeout(r, 4000));
    const started = Date.now();
    const { batch } = await submitBatch({
      redis: url,
      inputs: [clip],
      plate: "auto",
      out: join(dir, `out-${n}`),
      matter: { mode: values.mode as "fast" },
      chunkFrames: Number(values["chunk-frames"]),
    });
    const status = await waitForBatch(batch, { redis: url, intervalMs: 250 });
    const seconds = (Date.now() - started) / 1000;
    for (const w of workers) w.kill("SIGKILL");
    if (status.failed) throw new Error(JSON.stringify(status.jobs));
    const fps = frames / seconds;
    const base = runs[0]?.fps ?? fps;
    runs.push({ workers: n, seconds, fps, speedup: fps / base, efficiency: fps / (n * base) });
    const r = runs.at(-1)!;
    console.log(
      `${n} worker${n > 1 ? "s" : ""}: ${frames} frames in ${seconds.toFixed(1)} s = ${fps.toFixed(2)} frames/s, ` +
        `speed-up ${r.speedup.toFixed(2)}x, efficiency per worker ${(100 * r.efficiency).toFixed(0)} %`,
    );
  }
} finally {
  redis.kill("SIGKILL");
}
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/queue.json",
  JSON.stringify(
    {
      clip: existsSync(source) ? `vtest.avi, first ${frames} frames` : `generated, ${frames} frames`,
      mode: values.mode,
      chunkFrames: Number(values["chunk-frames"]),
      cores: availableParallelism(),
      single: { seconds: singleSeconds, fps: frames / singleSeconds },
      runs,
    },
    null,
    2,
  ),
);
