import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { backgroundSubtraction, knownBackgroundMatting } from "../src/eval/baselines.js";
import { sad } from "../src/eval/metrics.js";
import { evaluate } from "../src/eval/run-eval.js";
import { BgmatteError } from "../src/errors.js";
import { createMatter } from "../src/node/matter.js";
import { cleanTriangulated, triangulateAlpha } from "../src/eval/triangulation.js";
import { createImage } from "../src/image/types.js";
import { makeScene, meanAbsDiff, savePng, tempDir } from "./fixtures.js";
import { CLI } from "./cli-process.js";

const cv = await loadOpenCV();

test("triangulation recovers α exactly from two clean captures on different backgrounds", () => {
  const { alpha } = makeScene(64, 48);
  const make = (c: [number, number, number]) => {
    const im = createImage(64, 48, 3);
    for (let p = 0; p < 64 * 48; p++) im.data.set(c, 3 * p);
    return im;
  };
  const fg = make([0.9, 0.5, 0.1]);
  const [backA, backB] = [make([0.1, 0.8, 0.2]), make([0.7, 0.1, 0.9])];
  const comp = (b: typeof fg) => {
    const out = createImage(64, 48, 3);
    for (let i = 0; i < out.data.length; i++) {
      const a = alpha.data[Math.floor(i / 3)];
      out.data[i] = a * fg.data[i] + (1 - a) * b.data[i];
    }
    return out;
  };
  const tri = triangulateAlpha(comp(backA), comp(backB), backA, backB);
  assert.ok(meanAbsDiff(tri, alpha) < 1e-5);
  // Cleaning removes a far speck and keeps the object.
  tri.data[0] = 0.5;
  const cleaned = cleanTriangulated(cv, tri);
  assert.equal(cleaned.data[0], 0);
  assert.ok(meanAbsDiff(cleaned, alpha) < 0.01);
});

test("both baselines find the subject of a synthetic scene", () => {
  const s = makeScene(160, 120);
  const empty = createImage(160, 120, 1);
  for (const f of [backgroundSubtraction, knownBackgroundMatting]) {
    const a = f(cv, s.photo, s.plate);
    assert.ok(sad(a, s.alpha) < 0.3 * sad(empty, s.alpha), f.name);
  }
});

test("bgmatte eval scores model and baselines on a dataset folder and writes JSON, Markdown and a contact sheet", async () => {
  const dir = tempDir();
  const data = join(dir, "set");
  for (const [i, seed] of [1, 2].entries()) {
    const item = join(data, `item${i}`);
    mkdirSync(item, { recursive: true });
    const s = makeScene(160, 120, seed);
    await savePng(s.photo, join(item, "image.png"));
    await savePng(s.plate, join(item, "plate.png"));
    await savePng(s.alpha, join(item, "alpha.png"));
  }
  const out = join(dir, "out");
  const r = spawnSync(process.execPath, [...CLI, "eval", data, "-o", out, "-q"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| bgmatte network \| 2 \|/);
  assert.match(r.stdout, /background subtraction/);
  const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  const scores = json.datasets[0].scores;
  assert.equal(scores.length, 8); // 2 items × (network, 2 baselines, oracle)
  for (const s of scores)
    for (const k of ["sad", "mse", "grad", "conn", "seeThrough", "gapFill"])
      assert.ok(s[k] >= 0, `${s.method} ${k}`);
  // The oracle (the reference cut at 0.5) never has a hole in the solid interior nor fills a gap.
  for (const s of scores.filter((x: { method: string }) => x.method === "oracle")) {
    assert.equal(s.seeThrough, 0);
    assert.equal(s.gapFill, 0);
  }
  assert.match(r.stdout, /\| see-through \| gap fill \|/);
  assert.ok(existsSync(join(out, "contact-sheet-1.png")));
  const bad = spawnSync(process.execPath, [...CLI, "eval", join(dir, "nothing")], { encoding: "utf8" });
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /is not a directory/);
});

test("an evaluation stops before its next item once its AbortSignal fires", async () => {
  const scene = makeScene(96, 72);
  let loaded = 0;
  const source = (name: string) => ({
    name,
    load: async () => {
      loaded++;
      return { name, image: scene.photo, plate: scene.plate, alpha: scene.alpha, truth: "given" as const };
    },
  });
  const stop = new AbortController();
  const matter = await createMatter({ mode: "fast" });
  try {
    await assert.rejects(
      evaluate(cv, matter, [source("a"), source("b"), source("c")], {
        methods: ["bgsub"],
        slowMetrics: false,
        maxSide: 96,
        onItem: () => stop.abort(),
        signal: stop.signal,
      }),
      (e: unknown) => e instanceof BgmatteError && e.code === "ABORTED",
    );
  } finally {
    await matter.dispose();
  }
  assert.equal(loaded, 1);
});
