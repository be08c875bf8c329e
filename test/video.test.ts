import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeFrames, probe } from "../src/video/ffmpeg.js";
import { motionIndices } from "../src/video/matte-video.js";
import { clipFrames, MOVING_DISC, savePng, tempDir, writeClip } from "./fixtures.js";
import { CLI } from "./cli-process.js";

const { W, H, FPS, N } = MOVING_DISC;

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
    [...CLI, "video", clip, "--plate", platePath, "-o", out, "--motion-seconds", "0.2", "--png-sequence"],
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
  const r = spawnSync(
    process.execPath,
    [...CLI, "video", join(dir, "nope.mp4"), "--plate", "auto", "-o", dir],
    {
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 3);
  assert.match(r.stderr, /cannot read the clip .*nope\.mp4/);
  const p = spawnSync(process.execPath, [...CLI, "video", "x.mp4"], { encoding: "utf8" });
  assert.equal(p.status, 2);
  assert.match(p.stderr, /--plate is required/);
});
