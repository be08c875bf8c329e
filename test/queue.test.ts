/**
 * The queue on a real Redis (Debian's redis-server, which .ci/run installs): workers as separate processes, one
 * killed mid-chunk, and the joined clip compared with `bgmatte video`'s.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { planChunks, submitBatch, waitForBatch, warmupFrames } from "../src/queue/index.js";
import { decodeFrames, ffmpegPath, probe } from "../src/video/ffmpeg.js";
import { DEFAULT_TEMPORAL } from "../src/video/temporal.js";
import { CLI, runCli } from "./cli-process.js";
import { clipFrames, savePng, tempDir, writeClip } from "./fixtures.js";
import { createImage } from "../src/image/types.js";

const HAVE_REDIS = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
const skip = HAVE_REDIS ? false : "redis-server is not installed (apt-get install redis-server)";

let redis: ChildProcess | undefined;
let url = "";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

before(async () => {
  if (!HAVE_REDIS) return;
  const port = await freePort();
  redis = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG")
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("redis-server did not start");
});

after(() => redis?.kill("SIGKILL"));

/** A worker process with its log. */
function startWorker(name: string) {
  const child = spawn(
    process.execPath,
    [...CLI, "worker", "--redis", url, "--lock-seconds", "3", "--threads", "1"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const worker = { name, child, log: "" };
  child.stderr!.on("data", (d) => (worker.log += d));
  return worker;
}

async function until(what: string, ok: () => boolean, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runCliAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  clearTimeout(timer);
  return { code, stderr };
}

async function allFrames(path: string): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const f of decodeFrames(path, probe(path))) frames.push(f);
  return frames;
}

test("chunks cover the clip; the flicker filter's warm-up is long enough to forget its start", () => {
  assert.deepEqual(planChunks(100, 40), [
    { index: 0, from: 0, to: 40 },
    { index: 1, from: 40, to: 80 },
    { index: 2, from: 80, to: null },
  ]);
  assert.deepEqual(planChunks(10, 600), [{ index: 0, from: 0, to: null }]);
  const w = warmupFrames(DEFAULT_TEMPORAL);
  assert.ok(DEFAULT_TEMPORAL.strength ** w < 1e-10 && DEFAULT_TEMPORAL.strength ** (w - 1) >= 1e-10);
  assert.equal(warmupFrames({ ...DEFAULT_TEMPORAL, strength: 0 }), 0);
});

test(
  "three workers, one killed mid-chunk: every job completes and the joined clip equals `bgmatte video`'s",
  { skip, timeout: 300_000 },
  async () => {
    const dir = tempDir();
    const scene = clipFrames(90);
    const clip = join(dir, "talk.mp4");
    await writeClip(clip, scene.frames);
    const plate = await savePng(scene.plate, join(dir, "plate.png"));

    // A looped 7-frame target clip: each chunk must start it at the right frame (20 mod 7 = 6, …).
    const target = join(dir, "beach.mp4");
    const made = spawnSync(ffmpegPath(), [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=192x128:rate=10"],
      ...["-frames:v", "7", "-c:v", "libx264", "-crf", "8", "-pix_fmt", "yuv444p", target],
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    const matting = ["--plate", plate, "--target", target, "-m", "fast"];
    const single = runCli(["video", clip, ...matting, "-o", join(dir, "single"), "-q"]);
    assert.equal(single.code, 0, single.stderr);

    const out = join(dir, "queued");
    const add = runCli(
      ["queue", "add", clip, ...matting, "-o", out, "--chunk-frames", "20", "--redis", url],
      { timeout: 60_000 },
    );
    assert.equal(add.code, 0, add.stderr);
    const batch = /submitted batch (\S+): 1 jobs \(5 clip chunks\)/.exec(add.stderr)?.[1];
    assert.ok(batch, add.stderr);

    const workers = ["a", "b", "c"].map(startWorker);
    try {
      // The first worker to start a chunk is killed while matting it (its warm-up alone is 46 frames).
      let victim: (typeof workers)[number] | undefined;
      await until("a chunk to start", () => !!(victim = workers.find((w) => /started \S+-k\d/.test(w.log))));
      const chunk = /started (\S+-k\d)/.exec(victim!.log)![1];
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(
        !victim!.log.includes(`done ${chunk}`),
        "the chunk was still running when its worker was killed",
      );
      victim!.child.kill("SIGKILL");

      // Not spawnSync: the workers' logs must keep arriving meanwhile.
      const wait = await runCliAsync(["queue", "wait", batch, "--redis", url, "-q"]);
      assert.equal(wait.code, 0, wait.stderr);
      const rescuers = workers.filter((w) => w !== victim && w.log.includes(`started ${chunk}`));
      assert.equal(
        rescuers.length,
        1,
        `another worker took over ${chunk}:\n${workers.map((w) => w.name + ":\n" + w.log).join("\n")}`,
      );

      const status = runCli(["queue", "status", batch, "--redis", url, "--json"]);
      const jobs = (JSON.parse(status.stdout) as { jobs: { state: string; framesDone: number }[] }).jobs;
      assert.deepEqual(
        jobs.map((j) => [j.state, j.framesDone]),
        [["completed", 90]],
      );
    } finally {
      for (const w of workers) w.child.kill("SIGKILL");
    }

    const [alphaOne, alphaQueued] = await Promise.all(
      [join(dir, "single"), out].map((d) => allFrames(join(d, "talk.alpha.mp4"))),
    );
    assert.equal(alphaQueued.length, 90);
    for (let t = 0; t < 90; t++)
      assert.ok(Buffer.from(alphaQueued[t]).equals(Buffer.from(alphaOne[t])), `alpha frame ${t} differs`);
    const [compOne, compQueued] = await Promise.all(
      [join(dir, "single"), out].map((d) => allFrames(join(d, "talk.composite.mp4"))),
    );
    const meanDiff = (a: Uint8Array, b: Uint8Array) => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
      return sum / a.length;
    };
    let worst = 0;
    let shifted = Infinity; // what a target one frame off would cost: the scale the noise must stay far below
    for (let t = 0; t < 90; t++) {
      worst = Math.max(worst, meanDiff(compOne[t], compQueued[t]));
      if (t > 0) shifted = Math.min(shifted, meanDiff(compOne[t], compQueued[t - 1]));
    }
    console.log(
      `composite against bgmatte video's: worst frame ${worst.toFixed(2)} levels, a frame off ${shifted.toFixed(2)}`,
    );
    // x264 at CRF 18 on this busy target: two encodings of the same frames differ by ~1.5 levels on average.
    assert.ok(
      worst < 3 && shifted > 4 * worst,
      `composite within encoder noise: worst frame mean |Δ| ${worst.toFixed(2)} levels, a frame off ${shifted.toFixed(2)}`,
    );
    assert.ok(probe(join(out, "talk.composite.mp4")).hasAudio, "the composite keeps the clip's audio");
    assert.ok(existsSync(join(out, "talk.fg.webm")));
    assert.deepEqual(
      readdirSync(out).filter((f) => f.startsWith(".")),
      [],
      "no chunk folder or temporary is left in the output folder",
    );
  },
);

test(
  "through the library: a job that fails once is retried; a plate that does not fit fails for good, with its reason",
  { skip, timeout: 200_000 },
  async () => {
    const dir = tempDir();
    const scene = clipFrames(1);
    const photo = await savePng(scene.frames[0], join(dir, "photo.png"));
    const other = await savePng(scene.frames[0], join(dir, "other.png"));
    const plate = await savePng(scene.plate, join(dir, "plate.png"));
    const out = join(dir, "out");
    // The composite's path is a folder at first: writing it fails until the folder is removed (a passing fault).
    mkdirSync(join(out, "photo.composite.png"), { recursive: true });
    const good = await submitBatch({
      redis: url,
      inputs: [photo],
      plate,
      out,
      matter: { mode: "fast" },
      backoffMs: 1500,
    });
    const wide = await savePng(createImage(300, 100, 3, 0.5), join(dir, "wide-plate.png"));
    const bad = await submitBatch({
      redis: url,
      inputs: [other],
      plate: wide,
      out,
      matter: { mode: "fast" },
    });

    const worker = startWorker("solo");
    try {
      await until("the first try to fail", () => /failed \S+-p0 \(photo, try 1 of 3\)/.test(worker.log));
      spawnSync("rm", ["-r", join(out, "photo.composite.png")]);
      const done = await waitForBatch(good.batch, { redis: url, intervalMs: 200 });
      assert.equal(done.completed, 1, JSON.stringify(done));
      assert.equal(done.jobs[0].attempts, 2, "succeeded on the second try");
      const expected = runCli([
        "image",
        photo,
        "--plate",
        plate,
        "-o",
        join(dir, "single"),
        "-m",
        "fast",
        "-q",
      ]);
      assert.equal(expected.code, 0, expected.stderr);
      for (const kind of ["alpha", "composite", "fg", "preview"])
        assert.ok(
          readFileSync(join(out, `photo.${kind}.png`)).equals(
            readFileSync(join(dir, "single", `photo.${kind}.png`)),
          ),
          `${kind} equals bgmatte image's`,
        );

      const wait = await runCliAsync(["queue", "wait", bad.batch, "--redis", url, "-q"]);
      assert.equal(wait.code, 6, wait.stderr);
      assert.match(wait.stderr, /1 of 1 jobs .* failed for good/);
      const status = runCli(["queue", "status", bad.batch, "--redis", url]);
      assert.match(status.stdout, /failed .*other\.png/);
      assert.match(status.stdout, /why: .*aspect ratios differ/);
      assert.doesNotMatch(status.stdout, /tries/, "bad input is not retried");
    } finally {
      worker.child.kill("SIGKILL");
    }
  },
);

test("an unreachable Redis is an error that says where it looked (exit 5)", () => {
  const r = runCli(["queue", "status", "--redis", "redis://127.0.0.1:1"]);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  assert.match(r.stderr, /--redis/);
});
