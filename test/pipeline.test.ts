import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { createMatter } from "../src/node/matter.js";
import { BgmatteError } from "../src/errors.js";
import { decodeImage } from "../src/image/codec-node.js";
import { createImage, selectChannels, type FloatImage } from "../src/image/types.js";
import type { MattingNetwork } from "../src/network/network.js";
import { planPipeline } from "../src/pipeline.js";
import { MODE_NAMES } from "../src/vocabulary.js";
import { makeScene, meanAbsDiff } from "./fixtures.js";

const matter = await createMatter({ threads: 2 });
const raw = (im: FloatImage, channels: 1 | 3 = 3) => ({
  data: im.data,
  width: im.width,
  height: im.height,
  channels,
});
after(() => matter.dispose());

test("the shipped model mattes a synthetic scene close to its true alpha", async () => {
  const scene = makeScene(160, 120);
  const result = await matter.matte({ image: raw(scene.photo), plate: raw(scene.plate) });
  assert.equal(result.alpha.width, 160);
  assert.equal(result.alpha.height, 120);
  assert.equal(result.meta.prior, "plate-difference");
  const err = meanAbsDiff(result.alpha, scene.alpha);
  assert.ok(err < 0.05, `mean |α − α*| = ${err.toFixed(4)}`);
  for (const stage of ["decode", "prior", "network", "refine"])
    assert.ok(result.meta.timings[stage] >= 0, stage);
  // The subject's box covers the ellipse.
  const { box } = result.meta;
  assert.ok(
    box.x <= 52 && box.x + box.width >= 108 && box.y <= 28 && box.y + box.height >= 104,
    JSON.stringify(box),
  );
});

test("a plate with the same aspect is resized; another aspect with nothing to align by is refused naming both sizes", async () => {
  const scene = makeScene(160, 120);
  const small = makeScene(80, 60);
  const r = await matter.matte({ image: raw(scene.photo), plate: raw(small.plate) });
  assert.match(r.meta.warnings.join(), /plate resized from 80×60 to 160×120/);
  const wrong = makeScene(100, 100);
  await assert.rejects(matter.matte({ image: raw(scene.photo), plate: raw(wrong.plate) }), (e: unknown) => {
    assert.ok(e instanceof BgmatteError && e.code === "SIZE_MISMATCH");
    assert.match(e.message, /100×100.*160×120/);
    return true;
  });
});

test("a user mask replaces the plate-difference prior", async () => {
  const scene = makeScene(160, 120);
  const r = await matter.matte({
    image: raw(scene.photo, 3),
    plate: raw(scene.plate, 3),
    prior: raw(scene.alpha, 1),
  });
  assert.equal(r.meta.prior, "user");
  assert.ok(meanAbsDiff(r.alpha, scene.alpha) < 0.06);
});

test("golden: the matte of the synthetic scene matches the committed one (regenerate with npm run golden:update)", async () => {
  const scene = makeScene(160, 120);
  const result = await matter.matte({ image: raw(scene.photo), plate: raw(scene.plate) });
  const golden = selectChannels(
    await decodeImage(join(import.meta.dirname, "golden", "scene.alpha.png")),
    [0],
  );
  // Thread count and float summation order may move values by a few 1/255 steps; the matte must not change.
  const diff = meanAbsDiff(result.alpha, golden);
  assert.ok(diff < 2 / 255, `mean |α − golden| = ${(diff * 255).toFixed(2)}/255`);
});

/** Mean |F − F*| over the pixels where the true α is above 0.9 (where F is well defined and seen). */
function foregroundError(fg: FloatImage, truth: FloatImage, alpha: FloatImage): number {
  let s = 0;
  let n = 0;
  for (let p = 0; p < alpha.data.length; p++) {
    if (alpha.data[p] <= 0.9) continue;
    for (let c = 0; c < 3; c++) s += Math.abs(fg.data[3 * p + c] - truth.data[3 * p + c]);
    n += 3;
  }
  return s / n;
}

for (const mode of MODE_NAMES) {
  test(`${mode} mode: α close to the truth, F the subject's colour (not black, not the wall)`, async () => {
    const scene = makeScene(192, 144, 3);
    const m = await createMatter({ threads: 2, mode });
    try {
      const r = await m.matte({ image: raw(scene.photo), plate: raw(scene.plate) });
      assert.equal(r.meta.mode, mode);
      const alphaErr = meanAbsDiff(r.alpha, scene.alpha);
      assert.ok(alphaErr < 0.06, `mean |α − α*| = ${alphaErr.toFixed(4)}`);
      const fgErr = foregroundError(r.foreground, scene.fg, scene.alpha);
      assert.ok(fgErr < 0.05, `mean |F − F*| inside the subject = ${fgErr.toFixed(4)}`);
      // A black F, or the plate's colour, would be far off: the subject is blue (0.15, ~0.3, 0.75).
      assert.ok(foregroundError(createImage(192, 144, 3), scene.fg, scene.alpha) > 0.3);
      assert.ok(foregroundError(scene.plate, scene.fg, scene.alpha) > 0.2);
    } finally {
      await m.dispose();
    }
  });
}

test("an aborted signal stops a matte with an ABORTED error; a live one changes nothing", async () => {
  const scene = makeScene(160, 120);
  const inputs = { image: scene.photo, plate: scene.plate };
  const stopped = new AbortController();
  stopped.abort();
  await assert.rejects(
    matter.matte(inputs, { signal: stopped.signal }),
    (e: unknown) => e instanceof BgmatteError && e.code === "ABORTED",
  );
  const live = await matter.matte(inputs, { signal: new AbortController().signal });
  const plain = await matter.matte(inputs);
  assert.deepEqual(live.alpha.data, plain.alpha.data);
  await assert.rejects(
    matter.matte(inputs, { signal: "stop" as unknown as AbortSignal }),
    /Expected an AbortSignal for option signal/,
  );
});

/** A network that is never run: enough for planning a pipeline. */
const stubNetwork = (hasRefiner = false) =>
  ({ name: "stub", run: async () => ({}), dispose: async () => {}, hasRefiner }) as unknown as MattingNetwork;

test("the people guard: on in every mode and with every prior, off when asked", () => {
  const network = stubNetwork();
  const frame = { width: 640, height: 360 };
  const base = { margin: 0.1, refine: "auto", cleanup: true, align: "off", exposure: true } as const;
  const guard = (mode: "fast" | "balanced", subject: "any" | "auto" | "person", guardPeople?: boolean) =>
    planPipeline({ ...base, mode, subject, guardPeople }, network, frame).guardPeople;
  for (const mode of ["fast", "balanced"] as const)
    for (const subject of ["any", "auto", "person"] as const) {
      assert.equal(guard(mode, subject), true, `${mode} ${subject}`);
      assert.equal(guard(mode, subject, false), false, `${mode} ${subject}, off`);
    }
});

test("refine auto is the solve against the plate in every mode; the refiner runs only when asked, and needs one", () => {
  const frame = { width: 640, height: 360 };
  const base = { margin: 0.1, cleanup: true, align: "off", exposure: true, subject: "any" } as const;
  const plan = (
    mode: "fast" | "balanced" | "best",
    refine: "auto" | "refiner",
    network = stubNetwork(true),
  ) => planPipeline({ ...base, mode, refine }, network, frame);
  for (const mode of ["fast", "balanced", "best"] as const) {
    assert.equal(plan(mode, "auto").refine, "plate", mode);
    assert.equal(plan(mode, "refiner").refine, "refiner", mode);
    assert.throws(() => plan(mode, "refiner", stubNetwork()), /has no refiner/, mode);
  }
  // With the refiner, balanced and best still solve against the plate after it; fast's F stays the photo's.
  assert.equal(plan("balanced", "refiner").solvesWithPlate, true);
  assert.equal(plan("fast", "refiner").solvesWithPlate, false);
  for (const mode of ["fast", "balanced", "best"] as const)
    assert.equal(plan(mode, "auto").solvesWithPlate, true);
  assert.equal(plan("fast", "auto").fgFromPhoto, true);
  assert.equal(plan("balanced", "auto").fgFromPhoto, false);
});

test("a call's options change only what they name: the matter's mode stays", async () => {
  const fast = await createMatter({ mode: "fast", threads: 1 });
  try {
    const scene = makeScene(160, 120);
    const inputs = { image: scene.photo, plate: scene.plate };
    const withSignal = await fast.matte(inputs, { signal: new AbortController().signal });
    assert.equal(withSignal.meta.mode, "fast");
    const smaller = await fast.matteImages(inputs, { workingSize: 96 });
    assert.equal(smaller.meta.mode, "fast");
    assert.equal(Math.max(smaller.meta.workingSize.width, smaller.meta.workingSize.height), 96);
    assert.equal((await fast.matteImages(inputs, { mode: "balanced" })).meta.mode, "balanced");
  } finally {
    await fast.dispose();
  }
});

test("loading reports each part as it loads and is ready, and stops on its AbortSignal", async () => {
  const seen: string[] = [];
  const loaded = await createMatter(
    { threads: 1 },
    { onProgress: (p) => seen.push(`${p.part} ${p.status}`) },
  );
  await loaded.dispose();
  for (const part of ["opencv", "model", "segmenter", "faces", "second-opinion"])
    assert.ok(
      seen.indexOf(`${part} loading`) >= 0 && seen.indexOf(`${part} ready`) > seen.indexOf(`${part} loading`),
      seen.join(", "),
    );
  const stop = new AbortController();
  stop.abort();
  await assert.rejects(
    createMatter({ threads: 1 }, { signal: stop.signal }),
    (e: unknown) => e instanceof BgmatteError && e.code === "ABORTED",
  );
});

test("subjects far apart are each matted in a crop of their own, at the network's scale", async () => {
  const [W, H] = [640, 480];
  const { plate } = makeScene(W, H);
  const photo = { ...plate, data: plate.data.slice() };
  // Two figures 50 × 100 px, 400 px apart: one crop over both would show them at the frame's scale.
  const centres = [
    [120, 240],
    [520, 260],
  ];
  const inFigure = (x: number, y: number) =>
    centres.some(([cx, cy]) => Math.hypot((x - cx) / 25, (y - cy) / 50) < 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (inFigure(x, y)) photo.data.set([0.15, 0.35, 0.7], 3 * (y * W + x));
  const r = await matter.matte({ image: raw(photo), plate: raw(plate) });
  assert.equal(r.meta.parts?.length, 2, JSON.stringify(r.meta.parts));
  for (const [cx, cy] of centres) {
    assert.ok(r.alpha.data[cy * W + cx] > 0.95, `α ${r.alpha.data[cy * W + cx]} at ${cx}, ${cy}`);
    assert.ok(r.meta.parts!.some((b) => b.x < cx && cx < b.x + b.width && b.y < cy && cy < b.y + b.height));
  }
  assert.ok(r.alpha.data[250 * W + 320] < 0.05, "the frame between them stays background");
  assert.ok(r.meta.workingSize.width >= 100, `each seen enlarged: ${JSON.stringify(r.meta.workingSize)}`);
});

test("fast: a plate whose white balance is a few per cent off finds the subject as a plate without the cast", async () => {
  // The whole-frame mode reuses the difference the exposure step measured, before its matching; with a colour cast
  // that difference is noisier and its threshold rose (0.06 → 0.072 here; past a small person's face on real scenes).
  const scene = makeScene(320, 240, 3);
  const gain = [1.06, 1, 0.95];
  const warm = { ...scene.plate, data: scene.plate.data.map((v, k) => Math.min(1, v * gain[k % 3])) };
  const m = await createMatter({ threads: 2, mode: "fast" });
  try {
    const [plain, cast] = [
      await m.matte({ image: raw(scene.photo), plate: raw(scene.plate) }),
      await m.matte({ image: raw(scene.photo), plate: raw(warm) }),
    ];
    assert.ok(Math.abs(cast.meta.exposure!.gain[0] - 1 / 1.06) < 0.01, JSON.stringify(cast.meta.exposure));
    assert.equal(cast.meta.priorThreshold, plain.meta.priorThreshold);
    assert.ok(meanAbsDiff(cast.alpha, plain.alpha) < 0.002);
  } finally {
    await m.dispose();
  }
});

test("fast: a subject small in the frame is cropped and seen larger, and so are walkers far apart; one filling the frame is seen whole", async () => {
  const [W, H] = [960, 540];
  const { plate } = makeScene(W, H);
  // Figures 40 × 90 px: over the whole frame at 224 px the network would see them 9 × 21 px.
  const figures = (...ellipses: number[][]) => {
    const photo = { ...plate, data: plate.data.slice() };
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (ellipses.some(([cx, cy, rx, ry]) => Math.hypot((x - cx) / rx, (y - cy) / ry) < 1))
          photo.data.set([0.15, 0.35, 0.7], 3 * (y * W + x));
    return photo;
  };
  const figure = (cx: number, cy: number, rx: number, ry: number) => figures([cx, cy, rx, ry]);
  const m = await createMatter({ threads: 2, mode: "fast" });
  try {
    const apart = await m.matte({
      image: raw(figures([150, 300, 20, 45], [810, 280, 20, 45])),
      plate: raw(plate),
    });
    assert.equal(apart.meta.parts?.length, 2, JSON.stringify(apart.meta.parts));
    for (const [x, y] of [
      [150, 300],
      [810, 280],
    ])
      assert.ok(apart.alpha.data[y * W + x] > 0.95, `α ${apart.alpha.data[y * W + x]} at ${x}, ${y}`);

    const small = await m.matte({ image: raw(figure(600, 300, 20, 45)), plate: raw(plate) });
    const { box, workingSize } = small.meta;
    assert.ok(box.width < W / 2 && box.x < 580 && box.x + box.width > 620, JSON.stringify(box));
    // The crop is enlarged up to the mode's least input size: the figure is seen at least at the frame's own scale.
    assert.ok(workingSize.height >= 128, JSON.stringify(workingSize));
    assert.ok(small.alpha.data[300 * W + 600] > 0.95 && small.alpha.data[300 * W + 200] < 0.05);

    const large = await m.matte({ image: raw(figure(480, 300, 200, 220)), plate: raw(plate) });
    assert.deepEqual(large.meta.box, { x: 0, y: 0, width: W, height: H });
    assert.deepEqual(large.meta.workingSize, { width: 224, height: 128 });
  } finally {
    await m.dispose();
  }
});
