/** The CLI spawned as a user would run it (from source: test/cli-process.ts), for behaviour, errors and exit codes. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { BUILT_BIN, CLI, interruptWhen } from "./cli-process.js";
import { makeScene, savePng, tempDir, writeScene } from "./fixtures.js";

function run(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hash = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
const noTemporaries = (dir: string) =>
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
  );

test("--help lists commands, an example and the exit codes", () => {
  const r = run(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Commands:[\s\S]*image/);
  assert.match(r.stdout, /Exit codes:/);
  const i = run(["image", "--help"]);
  assert.equal(i.code, 0);
  assert.match(i.stdout, /--plate <file>/);
  assert.match(i.stdout, /Examples:/);
});

test("the help's first example runs as printed (from the package folder, writing to a temporary -o)", () => {
  const help = run(["--help"]).stdout;
  const example = /^ {2}bgmatte (image examples\/\S+ .*)$/m.exec(help);
  assert.ok(example, help);
  const args = example[1].split(/\s+/);
  const out = args.indexOf("-o");
  args[out + 1] = join(tempDir(), "out");
  const r = run([...args, "--mode", "fast", "-q"], join(import.meta.dirname, ".."));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(args[out + 1], "photo.composite.png")));
});

test("the help's examples name files that exist", () => {
  const root = join(import.meta.dirname, "..");
  for (const command of [[], ["image"], ["video"], ["eval"]]) {
    const help = run([...command, "--help"]).stdout;
    for (const path of help.match(/examples\/\S+/g) ?? [])
      assert.ok(existsSync(join(root, path)), `${["bgmatte", ...command].join(" ")} --help names ${path}`);
  }
});

test("no command, an unknown command or an unknown flag is a usage error (exit 2), with a suggestion", () => {
  assert.equal(run([]).code, 2);
  const u = run(["frobnicate"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown command "frobnicate"\n/);
  assert.match(run(["imgae"]).stderr, /unknown command "imgae" \(did you mean image\?\)/);
  const f = run(["image", "a.png", "--plate", "b.png", "--bogus"]);
  assert.equal(f.code, 2);
  assert.match(f.stderr, /unknown option --bogus\n/);
  const typo = run(["video", "a.mp4", "--plate", "b.png", "--hand-hold"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown option --hand-hold \(did you mean --hand-held\?\)/);
  const value = run(["image", "a.png", "--plate", "b.png", "--mode", "quick"]);
  assert.equal(value.code, 2);
  assert.match(
    value.stderr,
    /^error: Expected one of "fast", "balanced", "best" for option mode but received "quick"\n/,
  );
  const p = run(["image", "a.png"]);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /--plate is required/);
});

test("matting a photo writes alpha, foreground, composite and preview, atomically, leaving inputs untouched", async () => {
  const dir = tempDir();
  const { photo, plate } = await writeScene(dir);
  const before = [hash(photo), hash(plate)];
  const out = join(dir, "out");
  const r = run(["image", photo, "--plate", plate, "-o", out, "--json", "--target", "#ff00ff"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.results.length, 1);
  for (const kind of ["alpha", "fg", "composite", "preview"]) {
    const p = report.results[0].outputs[kind];
    assert.ok(existsSync(p), kind);
  }
  const alphaMeta = await sharp(join(out, "photo.alpha.png")).metadata();
  assert.equal(alphaMeta.channels, 1);
  assert.equal(alphaMeta.width, 160);
  assert.equal((await sharp(join(out, "photo.fg.png")).metadata()).channels, 4);
  // Corner of the composite is the magenta target (the room is background there).
  const { data } = await sharp(join(out, "photo.composite.png")).raw().toBuffer({ resolveWithObject: true });
  assert.ok(data[0] > 200 && data[1] < 60 && data[2] > 200, `corner pixel ${data[0]},${data[1]},${data[2]}`);
  assert.deepEqual([hash(photo), hash(plate)], before);
  noTemporaries(out);
});

test("-o naming a file writes that one file (the composite, or what --only picks), in its extension's format", async () => {
  const dir = tempDir();
  const { photo, plate } = await writeScene(dir);
  const fast = ["--plate", plate, "--mode", "fast", "-q"];
  const one = run(["image", photo, ...fast, "-o", join(dir, "result.png")]);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ["photo.png", "plate.png", "result.png"]);
  assert.equal((await sharp(join(dir, "result.png")).metadata()).channels, 3);
  const mask = run(["image", photo, ...fast, "--only", "alpha", "-o", join(dir, "sub", "mask.png")]);
  assert.equal(mask.code, 0, mask.stderr);
  assert.equal((await sharp(join(dir, "sub", "mask.png")).metadata()).channels, 1);
  const jpeg = run(["image", photo, ...fast, "-o", join(dir, "result.jpg")]);
  assert.equal(jpeg.code, 0, jpeg.stderr);
  assert.equal((await sharp(join(dir, "result.jpg")).metadata()).format, "jpeg");
  const noAlpha = run(["image", photo, ...fast, "--only", "fg", "-o", join(dir, "fg.jpg")]);
  assert.equal(noAlpha.code, 2);
  assert.match(noAlpha.stderr, /JPEG has no transparency/);
  const many = run(["image", photo, photo, ...fast, "-o", join(dir, "x.png")]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /names one file, but 2 photos were given/);
  const bad = run(["image", photo, ...fast, "--only", "mask", "-o", join(dir, "o")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /list of alpha, fg, composite, preview for option --only but received "mask"/);
  // A folder with --only gets just those.
  const some = run(["image", photo, ...fast, "--only", "alpha,fg", "-o", join(dir, "some")]);
  assert.equal(some.code, 0, some.stderr);
  assert.deepEqual(readdirSync(join(dir, "some")).sort(), ["photo.alpha.png", "photo.fg.png"]);
});

test("a photo piped in as - comes out on standard output with -o -", async () => {
  const dir = tempDir();
  const { photo, plate } = await writeScene(dir);
  const r = spawnSync(
    process.execPath,
    [...CLI, "image", "-", "--plate", plate, "--mode", "fast", "--target", "white", "-o", "-"],
    { input: readFileSync(photo), timeout: 120_000 },
  );
  assert.equal(r.status, 0, String(r.stderr));
  const meta = await sharp(r.stdout).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["png", 160, 120]);
  const { data } = await sharp(r.stdout).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray(0, 3)], [255, 255, 255]); // the corner is background, on white
  assert.deepEqual(readdirSync(dir).sort(), ["photo.png", "plate.png"]);
});

test("a directory of photos is matted in a batch with progress; the plate inside it is skipped", async () => {
  const dir = tempDir();
  const shots = join(dir, "shots");
  mkdirSync(shots);
  const scene = makeScene();
  await savePng(scene.photo, join(shots, "a.png"));
  await savePng(makeScene(160, 120, 2).photo, join(shots, "b.png"));
  await savePng(scene.plate, join(shots, "plate.png"));
  const r = run(["image", shots, "--plate", join(shots, "plate.png"), "-o", join(dir, "out")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /2\/2/);
  assert.deepEqual(readdirSync(join(dir, "out")).sort(), [
    "a.alpha.png",
    "a.composite.png",
    "a.fg.png",
    "a.preview.png",
    "b.alpha.png",
    "b.composite.png",
    "b.fg.png",
    "b.preview.png",
  ]);
});

test("bad inputs: missing, not an image, different aspect — clear message, exit 3", async () => {
  const dir = tempDir();
  const { photo, plate } = await writeScene(dir);
  const missing = run(["image", join(dir, "nope.png"), "--plate", plate, "-o", join(dir, "o1")]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.png" does not exist[\s\S]*→/);
  writeFileSync(join(dir, "text.png"), "not an image");
  const text = run(["image", join(dir, "text.png"), "--plate", plate, "-o", join(dir, "o2")]);
  assert.equal(text.code, 3);
  assert.match(text.stderr, /cannot read the photo/);
  const square = await savePng(makeScene(100, 100).plate, join(dir, "square.png"));
  const mismatch = run(["image", photo, "--plate", square, "-o", join(dir, "o3")]);
  assert.equal(mismatch.code, 3);
  assert.match(mismatch.stderr, /plate is 100×100 but the photo is 160×120/);
  const clip = run(["image", join(dir, "talk.mp4"), "--plate", plate, "-o", join(dir, "o4")]);
  assert.equal(clip.code, 3);
  assert.match(clip.stderr, /"[^"]*talk\.mp4" is a video clip\n {2}→ matte it with `bgmatte video /);
  const colour = run(["image", photo, "--plate", plate, "--target", "gren", "-o", join(dir, "o5")]);
  assert.equal(colour.code, 3);
  assert.match(colour.stderr, /"gren" is neither a colour nor an image file[\s\S]*#rrggbb/);
});

test("--target takes a CSS colour name", async () => {
  const dir = tempDir();
  const { photo, plate } = await writeScene(dir);
  const r = run([
    "image",
    photo,
    "--plate",
    plate,
    "--target",
    "red",
    "-o",
    join(dir, "out"),
    "--mode",
    "fast",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { data } = await sharp(join(dir, "out", "photo.composite.png"))
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray(0, 3)], [255, 0, 0]); // the corner is background
});

test("outputs that would overwrite an input are refused (exit 4), and so is an unwritable directory", async () => {
  const dir = tempDir();
  const { photo } = await writeScene(dir);
  const out = join(dir, "out");
  mkdirSync(out);
  // The plate sits where the photo's alpha output would go.
  const plate = join(out, "photo.alpha.png");
  copyFileSync(join(dir, "plate.png"), plate);
  const before = hash(plate);
  const r = run(["image", photo, "--plate", plate, "-o", out]);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /would overwrite an input/);
  assert.equal(hash(plate), before);
  // A path under a regular file can never be a directory (holds even for root).
  const blocked = run(["image", photo, "--plate", join(dir, "plate.png"), "-o", join(photo, "sub")]);
  assert.equal(blocked.code, 4);
  assert.match(blocked.stderr, /cannot write to the output directory/);
  if (process.getuid?.() !== 0) {
    const ro = join(dir, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    assert.equal(run(["image", photo, "--plate", join(dir, "plate.png"), "-o", ro]).code, 4);
  }
});

test("Ctrl-C during a batch leaves no partial file under a final name (exit 130)", async () => {
  const dir = tempDir();
  const shots = join(dir, "shots");
  mkdirSync(shots);
  for (let i = 0; i < 12; i++)
    await savePng(makeScene(320, 240, i + 3).photo, join(shots, `p${String(i).padStart(2, "0")}.png`));
  const plate = await savePng(makeScene(320, 240).plate, join(dir, "plate.png"));
  const out = join(dir, "out");
  // Interrupt once the first progress line shows, while the batch is under way.
  const { code } = await interruptWhen(["image", shots, "--plate", plate, "-o", out], /\d+\/12/);
  assert.equal(code, 130);
  noTemporaries(out);
  // Every file under a final name is a complete PNG.
  for (const f of readdirSync(out)) {
    const m = await sharp(join(out, f)).metadata();
    assert.ok(m.width && m.width > 0, f);
    await sharp(join(out, f)).raw().toBuffer();
  }
});

test(
  "the built launcher (bin/bgmatte.js → dist/) runs the same program",
  { skip: !existsSync(BUILT_BIN) },
  () => {
    const r = spawnSync(process.execPath, [BUILT_BIN, "--help"], { encoding: "utf8", timeout: 60_000 });
    if (r.stderr.includes("not built yet")) return; // a checkout without `npm run build`
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Commands:[\s\S]*image/);
  },
);

test("ONNX Runtime's WebAssembly build (the fallback where the native one is not installed) gives the same matte", async () => {
  const dir = tempDir();
  const { photo, plate } = await writeScene(dir);
  const matte = (out: string, env: NodeJS.ProcessEnv) => {
    const r = spawnSync(
      process.execPath,
      [...CLI, "image", photo, "--plate", plate, "--only", "alpha", "-o", join(dir, out), "-q"],
      { encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stderr;
  };
  matte("native.png", {});
  const warned = matte("wasm.png", { BGMATTE_RUNTIME: "wasm" });
  assert.doesNotMatch(warned, /not installed/); // chosen on purpose: no warning
  const [a, b] = await Promise.all(
    ["native.png", "wasm.png"].map((f) => sharp(join(dir, f)).raw().toBuffer()),
  );
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst <= 1, `largest difference ${worst} grey levels`);
});
