import assert from "node:assert/strict";
import { applyExposure } from "../src/align/exposure.js";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { test } from "node:test";
import { decodeFrames, ffmpegPath, probe } from "../src/video/ffmpeg.js";
import { motionIndices } from "../src/video/matte-video.js";
import { matteVideoFile } from "../src/video/matte-video-file.js";
import { openTarget } from "../src/video/target.js";
import { DEFAULT_TEMPORAL } from "../src/video/temporal.js";
import { createMatter } from "../src/node/matter.js";
import { BgmatteError } from "../src/errors.js";
import { clipFrames, MOVING_DISC, savePng, tempDir, texturedScene, writeClip } from "./fixtures.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { CLI, interruptWhen, runCli } from "./cli-process.js";

const { W, H, FPS, N } = MOVING_DISC;

/** The moving-disc clip (its first `count` frames) and its plate as a PNG, written into `dir`. */
async function writeDiscClip(dir: string, count = N) {
  const scene = clipFrames();
  const clip = join(dir, "clip.mp4");
  await writeClip(clip, scene.frames.slice(0, count));
  return { ...scene, clip, platePath: await savePng(scene.plate, join(dir, "plate.png")) };
}

/** Mean |α − truth| of each frame of an alpha video (a grey H.264 clip) against the clip's true mattes. */
async function alphaErrors(path: string, truths: FloatImage[]): Promise<number[]> {
  const errs: number[] = [];
  for await (const rgb of decodeFrames(path, probe(path))) {
    const truth = truths[errs.length].data;
    let sum = 0;
    for (let p = 0; p < truth.length; p++) sum += Math.abs(rgb[3 * p] / 255 - truth[p]);
    errs.push(sum / truth.length);
  }
  return errs;
}

/** Run `bgmatte video` on `clip` (no transparent WebM) and return its alpha video's per-frame error. */
async function alphaErrorsOfRun(
  clip: string,
  plate: string,
  out: string,
  truths: FloatImage[],
  args: string[],
) {
  const r = runCli(["video", clip, "--plate", plate, "-o", out, "--no-fg", "-q", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return alphaErrors(join(out, `${basename(clip, extname(clip))}.alpha.mp4`), truths);
}

test("motion cue indices are t±T, t±2T, clamped at the clip's ends", () => {
  assert.deepEqual(motionIndices(10, 3, 100), [4, 7, 13, 16]);
  assert.deepEqual(motionIndices(0, 3, 100), [0, 0, 3, 6]);
  assert.deepEqual(motionIndices(99, 3, 100), [93, 96, 100, 100]);
});

test("a synthetic clip is matted frame by frame, keeping frame count, fps, duration and audio", async () => {
  const dir = tempDir();
  const { alphas, clip, platePath } = await writeDiscClip(dir);
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
  assert.match(r.stderr, /frames\/s \(speed [\d.]+x\)/); // progress shows speed against real time
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
  const errs = await alphaErrors(join(out, "clip.alpha.mp4"), alphas);
  const err = Math.max(...errs);
  assert.equal(errs.length, N, "frame count kept");
  assert.ok(err < 0.05, `worst per-frame mean |α − α*| = ${err.toFixed(4)}`);
  assert.deepEqual(
    readdirSync(out).filter((f) => f.endsWith(".tmp") || f.includes(".tmp.")),
    [],
  );
});

test(
  "-o naming a video writes that one video; --only, --no-alpha and --json for a folder",
  { timeout: 240_000 },
  async () => {
    const dir = tempDir();
    const { clip, platePath } = await writeDiscClip(dir, 6);
    const fast = ["--plate", platePath, "--mode", "fast", "-q"];
    const one = runCli(["video", clip, ...fast, "-o", join(dir, "one", "result.mp4")]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(readdirSync(join(dir, "one")), ["result.mp4"]);
    assert.ok(probe(join(dir, "one", "result.mp4")).hasAudio, "the composite keeps the audio");
    const subject = runCli(["video", clip, ...fast, "-o", join(dir, "one", "subject.webm")]);
    assert.equal(subject.code, 0, subject.stderr);
    assert.match(
      spawnSync(ffmpegPath(), ["-hide_banner", "-i", join(dir, "one", "subject.webm")], { encoding: "utf8" })
        .stderr,
      /alpha_mode\s*:\s*1/i,
    );
    const wrong = runCli(["video", clip, ...fast, "--only", "fg", "-o", join(dir, "x.mp4")]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /transparent foreground needs a \.webm file/);
    const json = runCli(["video", clip, ...fast, "--no-alpha", "--json", "-o", join(dir, "folder")]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(readdirSync(join(dir, "folder")).sort(), ["clip.composite.mp4", "clip.fg.webm"]);
    const report = JSON.parse(json.stdout);
    assert.equal(report.frames, 6);
    assert.equal(report.outputs.alpha, undefined);
    assert.ok(report.speed > 0 && report.fps > 0, json.stdout);
  },
);

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

test("an odd frame size is padded for the codecs, and said", { timeout: 240_000 }, () => {
  const dir = tempDir();
  const clip = join(dir, "odd.mkv");
  const make = spawnSync(ffmpegPath(), [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=97x63:rate=10"],
    ...["-t", "1.5", "-c:v", "ffv1", clip],
  ]);
  assert.equal(make.status, 0, String(make.stderr));
  const before = readFileSync(clip);
  const out = join(dir, "out");
  const r = spawnSync(
    process.execPath,
    [...CLI, "video", clip, "--plate", "auto", "-o", out, "--mode", "fast"],
    {
      encoding: "utf8",
      timeout: 200_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /97×63.*padded to 98×64/);
  const comp = probe(join(out, "odd.composite.mp4"));
  assert.equal(comp.width, 98);
  assert.equal(comp.height, 64);
  assert.ok(Math.abs(comp.duration - 1.5) < 0.15, `duration ${comp.duration}`);
  assert.ok(existsSync(join(out, "odd.alpha.mp4")) && existsSync(join(out, "odd.fg.webm")));
  assert.deepEqual(readFileSync(clip), before);
});

test(
  "an encoder that fails mid-job fails the job with its own message, quickly, leaving no output",
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const { clip, platePath } = await writeDiscClip(dir);
    // An ffmpeg that decodes as usual but whose H.264 encoder gives up.
    const fake = join(dir, "ffmpeg");
    writeFileSync(
      fake,
      `#!/bin/sh\ncase "$*" in *libx264*) echo "encoder exploded" >&2; exit 1;; esac\nexec "${ffmpegPath()}" "$@"\n`,
    );
    chmodSync(fake, 0o755);
    const out = join(dir, "out");
    const started = Date.now();
    const r = spawnSync(process.execPath, [...CLI, "video", clip, "--plate", platePath, "-o", out], {
      encoding: "utf8",
      timeout: 100_000,
      env: { ...process.env, BGMATTE_FFMPEG: fake },
    });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /encoder exploded/);
    assert.ok(Date.now() - started < 90_000, "no hang");
    assert.deepEqual(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith(".")) : [], []);
  },
);

test("a target that is also an output (an earlier run's composite) is refused before anything is written", () => {
  const dir = tempDir();
  const clip = join(dir, "clip.mp4");
  writeFileSync(clip, "not read: the check comes first");
  const out = join(dir, "out");
  const target = join(out, "clip.composite.mp4");
  const r = spawnSync(
    process.execPath,
    [...CLI, "video", clip, "--plate", "auto", "--target", target, "-o", out],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /the output ".*clip\.composite\.mp4" would overwrite an input/);
  assert.equal(existsSync(out), false);
});

test("frames over --max-pixels are refused before decoding, as images are", async () => {
  const dir = tempDir();
  const { clip, platePath } = await writeDiscClip(dir);
  const r = spawnSync(
    process.execPath,
    [...CLI, "video", clip, "--plate", platePath, "-o", join(dir, "out"), "--max-pixels", "1000"],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /over the limit of 0\.0 MP[\s\S]*--max-pixels/);
});

test(
  "Ctrl-C during a video says which complete files of the unfinished job it kept",
  { timeout: 240_000 },
  async () => {
    const dir = tempDir();
    const { frames } = clipFrames();
    const clip = join(dir, "clip.mp4");
    await writeClip(clip, frames);
    const out = join(dir, "out");
    const { code, stderr } = await interruptWhen(
      ["video", clip, "--plate", "auto", "--png-sequence", "-o", out],
      /\d+\/\d+ .*frames\/s/,
    );
    assert.equal(code, 130);
    assert.match(
      stderr,
      /interrupted: no partial file was left behind; kept from the unfinished job: .*clip\.plate\.png.*clip-frames/,
    );
    assert.deepEqual(
      readdirSync(out).filter((f) => f.endsWith(".tmp") || f.includes(".tmp.")),
      [],
    );
    assert.equal(existsSync(join(out, "clip.composite.mp4")), false);
  },
);

test("a clip of constant rate decoded from a seek gives the same frames as from its start; variable rate is told apart", async () => {
  const dir = tempDir();
  const scene = clipFrames(60);
  const cfr = join(dir, "cfr.mp4");
  await writeClip(cfr, scene.frames);
  const vfr = join(dir, "vfr.mp4");
  // 30 fps for 1.5 s, then every third frame.
  const make = spawnSync(ffmpegPath(), [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=30", "-t", "4"],
    ...["-vf", "select='lt(t\\,1.5)+not(mod(n\\,3))'", "-vsync", "vfr", "-c:v", "libx264", "-g", "7", vfr],
  ]);
  assert.equal(make.status, 0, String(make.stderr));
  assert.equal(
    probe(vfr).constantRate,
    false,
    "a clip of variable rate is decoded from its start, never sought",
  );
  for (const clip of [cfr, join(import.meta.dirname, "..", "..", "shared", "data", "video", "vtest.avi")]) {
    if (!existsSync(clip)) continue;
    const info = probe(clip);
    assert.ok(info.constantRate, basename(clip));
    const all: Uint8Array[] = [];
    for await (const f of decodeFrames(clip, info)) all.push(f);
    const margin = Math.max(10, Math.round(info.fps)); // what matteVideo skips after a seek
    for (const start of [13, 31, 47]) {
      let i = start;
      for await (const f of decodeFrames(clip, info, { startFrame: start })) {
        if (i >= start + margin)
          assert.ok(
            Buffer.from(f).equals(Buffer.from(all[i])),
            `${basename(clip)}: frame ${i} after a seek to ${start}`,
          );
        i++;
      }
      assert.equal(i, all.length, `${basename(clip)}: the seek to ${start} ends with the clip`);
    }
  }
});

test("a clip of variable frame rate keeps its duration", { timeout: 240_000 }, () => {
  const dir = tempDir();
  const clip = join(dir, "vfr.mp4");
  // 30 fps for 1.5 s, then every third frame: an average rate (21.4) below the nominal one (30).
  const make = spawnSync(ffmpegPath(), [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=30", "-t", "3"],
    ...[
      "-vf",
      "select='lt(t\\,1.5)+not(mod(n\\,3))'",
      "-vsync",
      "vfr",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      clip,
    ],
  ]);
  assert.equal(make.status, 0, String(make.stderr));
  const out = join(dir, "out");
  const r = spawnSync(
    process.execPath,
    [...CLI, "video", clip, "--plate", "auto", "-o", out, "--mode", "fast", "-q"],
    {
      encoding: "utf8",
      timeout: 200_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const [inInfo, outInfo] = [probe(clip), probe(join(out, "vfr.composite.mp4"))];
  assert.ok(
    Math.abs(outInfo.duration - inInfo.duration) < 0.15,
    `${inInfo.duration} s in, ${outInfo.duration} s out`,
  );
});

test(
  "a phone clip with rotation metadata is matted and written in its display orientation",
  { timeout: 240_000 },
  async () => {
    const dir = tempDir();
    const flat = join(dir, "flat.mp4");
    const turned = join(dir, "turned.mp4");
    const ff = (args: string[]) => spawnSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", ...args]);
    assert.equal(
      ff([
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10",
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        flat,
      ]).status,
      0,
    );
    assert.equal(ff(["-i", flat, "-c", "copy", "-metadata:s:v:0", "rotate=90", turned]).status, 0);
    const info = probe(turned);
    assert.deepEqual([info.width, info.height, info.rotation % 180], [48, 64, 90]);
    // The plate as the phone shows it (portrait), from the clip's first displayed frame.
    let first: Uint8Array = new Uint8Array(0);
    for await (const frame of decodeFrames(turned, info)) {
      first = frame;
      break;
    }
    const plate = await savePng(
      { width: 48, height: 64, channels: 3, data: Float32Array.from(first, (v) => v / 255) },
      join(dir, "plate.png"),
    );
    const out = join(dir, "out");
    const r = runCli(["video", turned, "--plate", plate, "-o", out, "--mode", "fast", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const comp = probe(join(out, "turned.composite.mp4"));
    assert.deepEqual([comp.width, comp.height, comp.rotation], [48, 64, 0]);
    assert.ok(Math.abs(comp.duration - 1) < 0.15, `duration ${comp.duration}`);
  },
);

test(
  "a truncated clip is an error that says how many frames it gave, unless --accept-short",
  { timeout: 240_000 },
  () => {
    const dir = tempDir();
    const whole = join(dir, "whole.mp4");
    const made = spawnSync(ffmpegPath(), [
      ...[
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10",
        "-t",
        "4",
      ],
      ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "5", "-movflags", "+faststart", whole],
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    const clip = join(dir, "cut.mp4"); // the index at the front says 40 frames; the data stops early
    const bytes = readFileSync(whole);
    writeFileSync(clip, bytes.subarray(0, Math.round(bytes.length * 0.4)));
    const plate = join(dir, "plate.png");
    assert.equal(
      spawnSync(ffmpegPath(), ["-loglevel", "error", "-i", whole, "-frames:v", "1", plate]).status,
      0,
    );
    const run = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [...CLI, "video", clip, "--plate", plate, "-o", join(dir, "out"), "--mode", "fast", ...extra],
        {
          encoding: "utf8",
          timeout: 200_000,
        },
      );
    const refused = run();
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(
      refused.stderr,
      /ended after \d+ of the 40 frames its header announces[\s\S]*--accept-short/,
    );
    assert.equal(existsSync(join(dir, "out", "cut.composite.mp4")), false);
    const kept = run("--accept-short");
    assert.equal(kept.status, 0, kept.stderr);
    assert.match(kept.stderr, /gave \d+ of the 40 frames/);
    assert.ok(existsSync(join(dir, "out", "cut.composite.mp4")));
  },
);

/** Pids of the processes whose parent is `pid` and that still run (a zombie awaiting its reaper has ended). */
function livingChildren(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      if (parent === pid && !/^State:\s+Z/m.test(status)) found.push(Number(entry));
    } catch {
      // the process ended while we read it
    }
  }
  return found;
}

/** A process's command line, or "" when it exited between being listed and being read. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function stillRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

test(
  "killed with SIGKILL, the encoders die with it; the next run removes what they left",
  { timeout: 240_000, skip: process.platform !== "linux" && "needs /proc and setpriv (Linux)" },
  async () => {
    const dir = tempDir();
    const long = join(dir, "long", "clip.mp4");
    const short = join(dir, "short", "clip.mp4");
    const plate = join(dir, "plate.png");
    const ff = (args: string[]) =>
      spawnSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", ...args], { encoding: "utf8" });
    const source = (seconds: number, path: string) =>
      ff([
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10",
        "-t",
        String(seconds),
        ...["-pix_fmt", "yuv420p", path],
      ]);
    for (const [seconds, path] of [
      [60, long],
      [1, short],
    ] as const) {
      spawnSync("mkdir", ["-p", join(path, "..")]);
      assert.equal(source(seconds, path).status, 0);
    }
    assert.equal(ff(["-f", "lavfi", "-i", "color=c=gray:size=160x120", "-frames:v", "1", plate]).status, 0);
    const before = readFileSync(long);
    const out = join(dir, "out");
    const args = ["video", long, "--plate", plate, "-o", out, "--mode", "fast"];
    const child = spawn(process.execPath, [...CLI, ...args], { stdio: "pipe" });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Wait until the writers are encoding (frames are flowing), then kill without warning.
    let encoders: number[] = [];
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      encoders = livingChildren(child.pid!).filter((pid) => commandLine(pid).includes(out));
      if (encoders.length >= 2 && /\d+\/\d+/.test(stderr)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(encoders.length >= 2, `no encoders seen; stderr: ${stderr}`);
    child.kill("SIGKILL");
    await exited;
    const gone = Date.now() + 5_000;
    while (encoders.some(stillRunning) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(encoders.filter(stillRunning), [], "an encoder outlived its parent");
    const left = readdirSync(out);
    assert.ok(left.length > 0 && left.every((n) => /^\..*\.tmp(\.\w+)?$/.test(n)), left.join(", "));
    assert.ok(before.equals(readFileSync(long)), "the input clip changed");
    // The next run of the same outputs removes the killed run's temporaries and writes its own.
    const again = runCli(["video", short, "--plate", plate, "-o", out, "--mode", "fast", "-q"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["clip.alpha.mp4", "clip.composite.mp4", "clip.fg.webm"]);
  },
);

test(
  "--hand-held: a shaking camera that jumps between two frames is aligned on every frame, the jump included",
  { timeout: 240_000 },
  async (t) => {
    const dir = tempDir();
    const room = texturedScene(W + 60, H + 60, 11).plate;
    const crop = (im: FloatImage, x0: number, y0: number) => {
      const out = createImage(W, H, 3);
      for (let y = 0; y < H; y++)
        out.data.set(
          im.data.subarray(3 * ((y + y0) * im.width + x0), 3 * ((y + y0) * im.width + x0 + W)),
          3 * y * W,
        );
      return out;
    };
    // Hand shake of a pixel or two, and a jump of (12, −8) px between frames 6 and 7.
    const offsets = Array.from({ length: N }, (_, i) => [
      30 + (i % 3) - 1 + (i >= 7 ? 12 : 0),
      30 - (i % 2) - (i >= 7 ? 8 : 0),
    ]);
    const { frames: discs, alphas } = clipFrames();
    const frames = offsets.map(([x0, y0], i) => {
      const f = crop(room, x0, y0);
      for (let p = 0; p < W * H; p++) {
        const a = alphas[i].data[p];
        for (let c = 0; c < 3; c++)
          f.data[3 * p + c] = a * discs[i].data[3 * p + c] + (1 - a) * f.data[3 * p + c];
      }
      return f;
    });
    const clip = join(dir, "shaky.mp4");
    await writeClip(clip, frames);
    const plate = await savePng(crop(room, 30, 30), join(dir, "plate.png"));
    const inputsBefore = [readFileSync(clip), readFileSync(plate)];
    const errors = (...extra: string[]) =>
      alphaErrorsOfRun(clip, plate, join(dir, extra.length ? "held" : "fixed"), alphas, [
        "--no-temporal",
        ...extra,
      ]);
    const held = await errors("--hand-held");
    const fixed = await errors();
    t.diagnostic(`mean |α − truth| per frame, --hand-held: ${held.map((e) => e.toFixed(3)).join(" ")}`);
    t.diagnostic(`without: ${fixed.map((e) => e.toFixed(3)).join(" ")}`);
    assert.equal(held.length, N);
    assert.ok(Math.max(...held) < 0.04, `worst frame ${Math.max(...held).toFixed(3)}`);
    assert.ok(held[7] < 0.5 * fixed[7], `the frame after the jump: ${held[7]} aligned, ${fixed[7]} not`);
    assert.deepEqual([readFileSync(clip), readFileSync(plate)], inputsBefore, "the inputs changed");
    // The plate shot darker than the clip: the frame's edge the warp leaves uncovered must not turn subject.
    const darker = await savePng(
      applyExposure(crop(room, 30, 30), { gain: [0.7, 0.7, 0.7], bias: [0, 0, 0], ringPixels: 0 }),
      join(dir, "dark-plate.png"),
    );
    const exposed = await alphaErrorsOfRun(clip, darker, join(dir, "exposed"), alphas, [
      "--no-temporal",
      "--hand-held",
    ]);
    t.diagnostic(`with a plate at 0.7 of the exposure: ${exposed.map((e) => e.toFixed(3)).join(" ")}`);
    assert.ok(Math.max(...exposed) < 0.04, `worst frame ${Math.max(...exposed).toFixed(3)}`);
  },
);

test("matteVideoFile reports progress against the clip's length and stops on its AbortSignal, leaving no output", async () => {
  const dir = tempDir();
  const { plate, frames } = clipFrames();
  const clip = join(dir, "clip.mp4");
  await writeClip(clip, frames);
  const info = probe(clip);
  const matter = await createMatter({ mode: "fast", align: "off" });
  const stop = new AbortController();
  const seen: { done: number; total?: number }[] = [];
  const outputs = { composite: join(dir, "c.mp4"), alpha: join(dir, "a.mp4") };
  try {
    await assert.rejects(
      matteVideoFile(matter, {
        clip,
        info,
        plate,
        target: await openTarget(undefined, info),
        outputs,
        motionSeconds: 0.2,
        handHeld: false,
        temporal: DEFAULT_TEMPORAL,
        signal: stop.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.done === 3) stop.abort();
        },
      }),
      (e: unknown) => e instanceof BgmatteError && e.code === "ABORTED",
    );
  } finally {
    await matter.dispose();
  }
  assert.deepEqual(
    seen,
    [1, 2, 3].map((done) => ({ done, total: N })),
  );
  assert.deepEqual(readdirSync(dir).sort(), ["clip.mp4"]);
});

test("a camera that brightens during the clip: matching the plate's exposure per frame keeps the matte", async (t) => {
  const dir = tempDir();
  const { plate, frames, alphas } = clipFrames();
  // Auto exposure reacting to the subject: the whole picture brightens by up to 25 % over the clip.
  const brightened = frames.map((f, i) => ({
    ...f,
    data: f.data.map((v) => Math.min(1, v * (1 + (0.25 * i) / (N - 1)) + (0.03 * i) / (N - 1))),
  }));
  const clip = join(dir, "bright.mp4");
  await writeClip(clip, brightened);
  const platePath = await savePng(plate, join(dir, "plate.png"));
  const lastFramesError = async (...extra: string[]) => {
    const out = join(dir, extra.length ? "off" : "on");
    const errs = await alphaErrorsOfRun(clip, platePath, out, alphas, ["--mode", "fast", ...extra]);
    return errs.slice(-4).reduce((a, b) => a + b, 0) / 4;
  };
  const [on, off] = [await lastFramesError(), await lastFramesError("--no-exposure")];
  t.diagnostic(
    `mean |α − truth| over the brightest 4 frames: matched ${on.toFixed(4)}, not matched ${off.toFixed(4)}`,
  );
  assert.ok(on < off, `matched ${on}, not matched ${off}`);
});
