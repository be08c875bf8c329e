import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createImage, toUint8, type FloatImage } from "../src/image/types.js";
import { decodeFrames, ffmpegPath, probe } from "../src/video/ffmpeg.js";
import { motionIndices } from "../src/video/matte-video.js";
import { lcg, savePng, tempDir } from "./fixtures.js";

const BIN = join(import.meta.dirname, "..", "bin", "bgmatte.js");
const W = 192,
  H = 128,
  FPS = 10,
  N = 14;

/** A striped room, and a textured disc moving left to right across it. */
function clipFrames() {
  const rand = lcg(5);
  const plate = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = Math.sin(x / 6) > 0.5 ? 0.15 : 0;
      plate.data.set([0.7 - s, 0.65 - 0.2 * (y / H), 0.55 - s / 2 + (rand() - 0.5) * 0.02], 3 * (y * W + x));
    }
  const frames: FloatImage[] = [];
  const alphas: FloatImage[] = [];
  for (let t = 0; t < N; t++) {
    const cx = 50 + t * 7,
      cy = 66,
      r = 30;
    const im = { ...plate, data: Float32Array.from(plate.data) };
    const a = createImage(W, H, 1);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const v = Math.min(1, Math.max(0, (r - Math.hypot(x - cx, y - cy)) / 2.5));
        a.data[y * W + x] = v;
        const fg = [0.15, 0.25 + 0.2 * Math.sin((x + y) / 5), 0.8];
        for (let c = 0; c < 3; c++)
          im.data[3 * (y * W + x) + c] = v * fg[c] + (1 - v) * plate.data[3 * (y * W + x) + c];
      }
    frames.push(im);
    alphas.push(a);
  }
  return { plate, frames, alphas };
}

async function writeClip(path: string, frames: FloatImage[]) {
  const args = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-s",
    `${W}x${H}`,
    "-r",
    String(FPS),
    "-i",
    "-",
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${N / FPS}`,
    "-c:v",
    "libx264",
    "-crf",
    "8",
    "-pix_fmt",
    "yuv444p",
    "-c:a",
    "aac",
    "-shortest",
    path,
  ];
  const child = spawn(ffmpegPath(), args, { stdio: ["pipe", "ignore", "inherit"] });
  for (const f of frames) child.stdin.write(toUint8(f));
  child.stdin.end();
  await new Promise((r) => child.on("exit", r));
}

test("motion cue indices are t±T, t±2T, clamped at the clip's ends", () => {
  assert.deepEqual(motionIndices(10, 3, 100), [4, 7, 13, 16]);
  assert.deepEqual(motionIndices(0, 3, 100), [0, 0, 3, 6]);
  assert.deepEqual(motionIndices(99, 3, 100), [93, 96, 100, 100]);
});

test("a synthetic clip is matted frame by frame, keeping frame count, fps, duration and audio", async () => {
  const dir = tempDir();
  const { plate, frames, alphas } = clipFrames();
  const clip = join(dir, "clip.mp4");
  await writeClip(clip, frames);
  const platePath = await savePng(plate, join(dir, "plate.png"));
  const out = join(dir, "out");
  const r = spawnSync(
    process.execPath,
    [BIN, "video", clip, "--plate", platePath, "-o", out, "--motion-seconds", "0.2", "--png-sequence"],
    {
      encoding: "utf8",
      timeout: 300_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\d+\/s|s each/); // progress shows speed
  const inInfo = probe(clip);
  const comp = probe(join(out, "clip.composite.mp4"));
  assert.equal(comp.width, W);
  assert.equal(comp.fps, FPS);
  assert.ok(comp.hasAudio, "audio kept");
  assert.ok(
    Math.abs(comp.duration - inInfo.duration) < 0.15,
    `duration ${comp.duration} vs ${inInfo.duration}`,
  );
  assert.ok(existsSync(join(out, "clip.fg.webm")));
  assert.equal(readdirSync(join(out, "clip-frames")).length, N);
  const alphaInfo = probe(join(out, "clip.alpha.mp4"));
  let count = 0;
  let err = 0;
  for await (const rgb of decodeFrames(join(out, "clip.alpha.mp4"), alphaInfo)) {
    const truth = alphas[count];
    let s = 0;
    for (let p = 0; p < W * H; p++) s += Math.abs(rgb[3 * p] / 255 - truth.data[p]);
    err = Math.max(err, s / (W * H));
    count++;
  }
  assert.equal(count, N, "frame count kept");
  assert.ok(err < 0.05, `worst per-frame mean |α − α*| = ${err.toFixed(4)}`);
  assert.deepEqual(
    readdirSync(out).filter((f) => f.endsWith(".tmp") || f.includes(".tmp.")),
    [],
  );
});

test("a missing clip or plate is a clear error", () => {
  const dir = tempDir();
  const r = spawnSync(process.execPath, [BIN, "video", join(dir, "nope.mp4"), "--plate", "auto", "-o", dir], {
    encoding: "utf8",
  });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /cannot read the clip .*nope\.mp4/);
  const p = spawnSync(process.execPath, [BIN, "video", "x.mp4"], { encoding: "utf8" });
  assert.equal(p.status, 2);
  assert.match(p.stderr, /--plate is required/);
});
