import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { castShadows, DEFAULT_CAST_SHADOWS, DEFAULT_SHADOW_LIKE } from "../src/refine/cast-shadows.js";
import { refineWithPlate } from "../src/refine/compositing-equation.js";
import { shareWhere } from "./fixtures.js";

const cv = await loadOpenCV();
const [W, H] = [160, 120];

/** A deterministic grain in [−0.5, 0.5). */
const grain = (x: number, y: number) => (((x * 7919 + y * 104729) ^ (x * y * 31)) % 17) / 16 - 0.5;
/** A painted wall: beige, a grain within a camera's noise. */
const wall = (x: number, y: number) => [0.75, 0.7, 0.62].map((v, c) => v * (1 + 0.02 * grain(x + c, y)));
/** Fabric whose grain is plain to see (grey spread ~0.03), faint enough that dimming it stays smooth. */
const fabric = (x: number, y: number) => [0, 0, 0].map(() => 0.6 + 0.1 * grain(x, y));
const NAVY = [0.15, 0.2, 0.45];

/** The subject: a navy block. Its shadow: right of it, dimming the plate to 0.65 and fading out over 40 px. */
const inBlock = (x: number, y: number) => x >= 30 && x < 60 && y >= 20 && y < 100;
const dimming = (x: number, y: number) =>
  x >= 60 && x < 100 && y >= 20 && y < 100 ? 0.65 + (0.35 * (x - 60)) / 40 : 1;
const inShadow = (x: number, y: number) => x >= 62 && x < 95 && y >= 24 && y < 96;

function picture(colour: (x: number, y: number) => number[]): FloatImage {
  const out = createImage(W, H, 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.data.set(colour(x, y), 3 * (y * W + x));
  return out;
}

/** The block, its shadow, and `extra` painted over the rest of the plate. */
function scene(
  plateAt = wall,
  extra: (x: number, y: number, plate: number[]) => number[] | undefined = () => undefined,
) {
  const plate = picture(plateAt);
  const photo = picture((x, y) => {
    const b = plateAt(x, y);
    return inBlock(x, y) ? NAVY : (extra(x, y, b) ?? b.map((v) => v * dimming(x, y)));
  });
  return { plate, photo };
}

const share = (
  map: Uint8Array | Float32Array,
  where: (x: number, y: number) => boolean,
  test: (v: number) => boolean,
) => shareWhere(map, W, where, test);
const flagged = (map: Uint8Array, where: (x: number, y: number) => boolean) =>
  share(map, where, (v) => v === 1);

test("cast shadows: a soft shadow beside the subject is one; the subject and the bare plate are not", () => {
  const { photo, plate } = scene();
  const shadow = castShadows(cv, photo, plate);
  assert.ok(flagged(shadow, inShadow) > 0.9, `shadow found: ${flagged(shadow, inShadow)}`);
  assert.equal(flagged(shadow, inBlock), 0);
  assert.equal(
    flagged(shadow, (x) => x >= 105),
    0,
  );
});

test("cast shadows: not strands, not another hue, not a subject hiding the plate's grain, not a patch with edges", () => {
  // Dark brown strands, 1 px every 4, each covering 40 % of its pixels: the plate's hue darkened, but no region.
  const strands = scene(wall, (x, y, b) =>
    x >= 110 && x < 150 && y >= 20 && y < 100 && x % 4 === 0
      ? b.map((v, c) => 0.6 * v + 0.4 * [0.25, 0.17, 0.12][c])
      : undefined,
  );
  const inStrands = (x: number, y: number) => x >= 110 && x < 150 && y >= 24 && y < 96;
  assert.equal(flagged(castShadows(cv, strands.photo, strands.plate), inStrands), 0);

  // A green cast fading into the plate like a shadow: a subject's colour, not a shadow's.
  const ramp = (x: number) => Math.max(0, 150 - x) / 40; // 1 at x = 110, 0 from 150 on
  const green = scene(wall, (x, y, b) =>
    x >= 110 && y >= 20 && y < 100
      ? b.map((v, c) => v * (1 - 0.35 * ramp(x)) * (1 - ramp(x) * [0.3, 0, 0.25][c]))
      : undefined,
  );
  assert.equal(
    flagged(castShadows(cv, green.photo, green.plate), (x, y) => x >= 112 && x < 140 && y >= 24 && y < 96),
    0,
  );

  // A grey subject darker than the fabric, fading into it, but flat: the fabric's grain is gone under it.
  const fabricMean = 0.6;
  const hiding = scene(fabric, (x, y) =>
    x >= 110 && y >= 20 && y < 100 ? [0, 0, 0].map(() => fabricMean * (1 - 0.35 * ramp(x))) : undefined,
  );
  // (Farther from its edge than the texture window's radius, which sees the fabric beside it.)
  const inHiding = (x: number, y: number) => x >= 114 && x < 140 && y >= 24 && y < 96;
  assert.equal(flagged(castShadows(cv, hiding.photo, hiding.plate), inHiding), 0);
  // The same dimming that keeps the grain is a shadow.
  const dimmed = scene(fabric, (x, y, b) =>
    x >= 110 && y >= 20 && y < 100 ? b.map((v) => v * (1 - 0.35 * ramp(x))) : undefined,
  );
  assert.ok(flagged(castShadows(cv, dimmed.photo, dimmed.plate), inHiding) > 0.9);

  // A grey patch with sharp edges all round, standing apart: it does not fade into the plate.
  const patch = scene(wall, (x, y, b) =>
    x >= 115 && x < 145 && y >= 40 && y < 80 ? b.map((v) => v * 0.75) : undefined,
  );
  assert.equal(
    flagged(castShadows(cv, patch.photo, patch.plate), (x, y) => x >= 115 && x < 145 && y >= 40 && y < 80),
    0,
  );
});

test("cast shadows: a shadow-like patch narrower than the least width is not one (faint hair against a pale sky)", () => {
  // A soft round dimming, 24 px across: a shadow in every other way.
  const r = (x: number, y: number) => Math.hypot(x - 130, y - 60) / 12;
  const blob = scene(wall, (x, y, b) => (r(x, y) < 1 ? b.map((v) => v * (0.7 + 0.3 * r(x, y))) : undefined));
  const core = (x: number, y: number) => r(x, y) < 0.5;
  assert.ok(flagged(castShadows(cv, blob.photo, blob.plate), core) > 0.9);
  // A least width of 10 % of the longer side (16 px): a 256-pixel square is more than the blob's shadow.
  const narrow = castShadows(cv, blob.photo, blob.plate, { ...DEFAULT_CAST_SHADOWS, minWidth: 0.1 });
  assert.equal(flagged(narrow, core), 0);
  assert.ok(flagged(narrow, inShadow) > 0.9, "the wide shadow stays");
});

/** The network at 1/8 of the size: the block, with a soft edge one cell wide on its right; F the block's navy. */
function blockNetwork() {
  const [gw, gh] = [W / 8, H / 8];
  const coarse = { alpha: createImage(gw, gh, 1), fg: createImage(gw, gh, 3) };
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      const [cx, cy] = [8 * x + 4, 8 * y + 4];
      coarse.alpha.data[y * gw + x] = inBlock(cx, cy) ? 1 : inBlock(cx - 8, cy) ? 0.3 : 0;
      coarse.fg.data.set(NAVY, 3 * (y * gw + x));
    }
  return { coarse, upsampled: resize(coarse.alpha, W, H) };
}

/** The solve's α for `photo` against `plate` from the block's network, with the given shadow options. */
function solveBlock(
  photo: FloatImage,
  plate: FloatImage,
  shadowOptions: Pick<Parameters<typeof refineWithPlate>[5] & object, "shadows" | "shadowLike"> = {},
) {
  const { coarse, upsampled } = blockNetwork();
  const alpha = { ...upsampled, data: upsampled.data.slice() };
  refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, shadowOptions);
  return alpha.data;
}

test("compositing-equation solve: does not raise α in the subject's shadow, and still solves the subject's edge", () => {
  const { photo, plate } = scene();
  const { upsampled } = blockNetwork();
  const solve = (shadows?: typeof DEFAULT_CAST_SHADOWS) => solveBlock(photo, plate, { shadows });
  const raised = (a: Float32Array) => share(a, inShadow, (v) => v > 0.1);
  const plain = solve();
  assert.ok(raised(plain) > 0.05, `without the shadow test the solve draws a halo: ${raised(plain)}`);
  const kept = solve(DEFAULT_CAST_SHADOWS);
  assert.equal(
    share(kept, inShadow, (v) => v > 0.1),
    share(upsampled.data, inShadow, (v) => v > 0.1),
    "the shadow keeps the network's α",
  );
  // The block's left edge (plate, no shadow) is solved as before.
  const leftEdge = (x: number, y: number) => x >= 24 && x < 30 && y >= 24 && y < 96;
  assert.equal(
    share(kept, leftEdge, (v) => v < 0.05),
    share(plain, leftEdge, (v) => v < 0.05),
  );
});

test("per pixel, without the pass: a shadow keeping the grain is cleared, a subject or strands are raised", () => {
  // The block's shadow on fabric keeps the grain; a flat grey subject in its place, as dark and of the fabric's hue
  // (per pixel, a shadow), hides it.
  const shadowed = scene(fabric);
  const inShadowZone = (x: number, y: number) => x >= 60 && x < 100 && y >= 20 && y < 100;
  const hiding = scene(fabric, (x, y) =>
    inShadowZone(x, y) ? [0, 0, 0].map(() => 0.6 * dimming(x, y)) : undefined,
  );
  const raised = (a: Float32Array) => share(a, inShadow, (v) => v > 0.1);
  const shadowLike = DEFAULT_SHADOW_LIKE;
  const plainShadow = solveBlock(shadowed.photo, shadowed.plate);
  assert.ok(raised(plainShadow) > 0.05, `the solve alone draws a halo: ${raised(plainShadow)}`);
  // Not raised, and where the network calls it background, not left at the network's soft edge either.
  const { upsampled } = blockNetwork();
  assert.ok(
    raised(upsampled.data) > 0.05,
    `the network's edge reaches into the shadow: ${raised(upsampled.data)}`,
  );
  const keptShadow = solveBlock(shadowed.photo, shadowed.plate, { shadowLike });
  assert.equal(raised(keptShadow), 0, "the shadow is background");
  // The flat subject: the solve raises it as it does without the test.
  const plainSubject = solveBlock(hiding.photo, hiding.plate);
  assert.ok(raised(plainSubject) > 0.05, `the solve raises the flat subject: ${raised(plainSubject)}`);
  // (All but its rim, where the texture window still sees the fabric beside it and calls the pixel shadow: 3 px of
  // its 40 × 80.)
  const keptSubject = raised(solveBlock(hiding.photo, hiding.plate, { shadowLike }));
  assert.ok(keptSubject > 0.85 * raised(plainSubject), `${keptSubject} against ${raised(plainSubject)}`);
  // Dark strands over the flat wall, each pixel a darker copy of it: they dim it unevenly, and are raised too.
  const strands = scene(wall, (x, y, b) =>
    inShadowZone(x, y)
      ? b.map((v, c) => (x % 4 === 0 ? 0.6 * v + 0.4 * [0.25, 0.17, 0.12][c] : v))
      : undefined,
  );
  const plainStrands = raised(solveBlock(strands.photo, strands.plate));
  assert.ok(plainStrands > 0.05, `the solve raises the strands: ${plainStrands}`);
  assert.equal(raised(solveBlock(strands.photo, strands.plate, { shadowLike })), plainStrands);
});
