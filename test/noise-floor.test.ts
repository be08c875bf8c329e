import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { refineWithPlate } from "../src/refine/compositing-equation.js";
import { DEFAULT_NOISE_FLOOR } from "../src/refine/noise-floor.js";

const cv = await loadOpenCV();
const [W, H] = [320, 240];
/** Sensor noise of ±0.06 per channel, the same in photo and plate nowhere (each has its own). */
const noise = (x: number, y: number, c: number, seed: number) =>
  ((((x * 7919 + y * 104729 + c * 65537 + seed * 31337) ^ (x * y)) % 41) / 40 - 0.5) * 0.12;
const PLATE = [0.35, 0.25, 0.4];
const BAR = [0.75, 0.5, 0.55];
/** A subject over the noisy dark plate: `subjectAt` gives its α and colour where it is. */
function noisyScene(subjectAt: (x: number, y: number) => { alpha: number; colour: number[] } | undefined) {
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const truth = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const subject = subjectAt(x, y);
      if (subject) truth.data[p] = subject.alpha;
      for (let c = 0; c < 3; c++) {
        plate.data[3 * p + c] = PLATE[c] + noise(x, y, c, 1);
        const clean = PLATE[c] + (subject ? subject.alpha * (subject.colour[c] - PLATE[c]) : 0);
        photo.data[3 * p + c] = clean + noise(x, y, c, 2);
      }
    }
  return { photo, plate, truth };
}

/** Vertical bars 2 px wide every 12 px over the middle of the frame, on a noisy dark plate; a strand is a bar at
 * `strand` of the way from the plate to the bar's colour. */
function mesh(strand = 1) {
  const inMesh = (x: number, y: number) => x >= 100 && x < 220 && y >= 60 && y < 180;
  const { photo, plate, truth } = noisyScene((x, y) =>
    inMesh(x, y) && x % 12 < 2 ? { alpha: strand, colour: BAR } : undefined,
  );
  // What a network at 1/8 of the size makes of it: the bars a blur of partial α over the whole mesh.
  const coarse = { alpha: resize(truth, 40, 30), fg: createImage(40, 30, 3) };
  for (let q = 0; q < 40 * 30; q++) coarse.fg.data.set(BAR, 3 * q);
  const gaps = (x: number, y: number) => inMesh(x, y) && x % 12 >= 4 && x % 12 < 10;
  return { photo, plate, truth, coarse, gaps };
}

function solved(strand: number, noiseFloor?: typeof DEFAULT_NOISE_FLOOR) {
  const { photo, plate, coarse, gaps } = mesh(strand);
  const alpha = resize(coarse.alpha, W, H);
  refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, { noiseFloor });
  let [hazy, gapPixels, bars, barPixels] = [0, 0, 0, 0];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const a = alpha.data[y * W + x];
      if (gaps(x, y)) [gapPixels, hazy] = [gapPixels + 1, hazy + (a > 0.1 ? 1 : 0)];
      if (x >= 100 && x < 220 && y >= 60 && y < 180 && x % 12 < 2)
        [barPixels, bars] = [barPixels + 1, bars + a];
    }
  return { haze: hazy / gapPixels, barAlpha: bars / barPixels };
}

test("the solve reads the gaps of a blurred mesh as background where they are within the plate's noise", () => {
  const without = solved(1);
  const within = solved(1, DEFAULT_NOISE_FLOOR);
  assert.ok(without.haze > 0.05, `the solve alone hazes the gaps: ${without.haze}`);
  assert.ok(within.haze < 0.2 * without.haze, `haze ${within.haze} against ${without.haze}`);
  assert.ok(within.barAlpha > 0.95 * without.barAlpha, `the bars stay: ${within.barAlpha}`);
});

test("a faint strand stays: it departs from the plate the same way over its neighbourhood", () => {
  // A strand at α 0.3: 0.12 from the plate in red, about as far as two pixels' noise can differ.
  const without = solved(0.3);
  const within = solved(0.3, DEFAULT_NOISE_FLOOR);
  assert.ok(
    within.barAlpha > 0.8 * without.barAlpha,
    `strand ${within.barAlpha} against ${without.barAlpha}`,
  );
});

test("the network's soft rim around a subject of the backdrop's colour goes where the photo is the plate", (t) => {
  // A disc a little lighter than the plate (F − B′ about 0.08: the solve trusts itself ~30 %), and a network that
  // blurs it over 8 px: a rim of α 0.1–0.4 outside, where the photo is the plate within its noise.
  const SKIN = [0.43, 0.32, 0.46];
  const { photo, plate, truth } = noisyScene((x, y) =>
    Math.hypot(x - 160, y - 120) < 60 ? { alpha: 1, colour: SKIN } : undefined,
  );
  const coarse = { alpha: resize(truth, 40, 30), fg: createImage(40, 30, 3) };
  for (let q = 0; q < 40 * 30; q++) coarse.fg.data.set(SKIN, 3 * q);
  const run = (noiseFloor?: typeof DEFAULT_NOISE_FLOOR) => {
    const alpha = resize(coarse.alpha, W, H);
    refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, { noiseFloor });
    let [rim, rimPixels, inside, insidePixels] = [0, 0, 0, 0];
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const r = Math.hypot(x - 160, y - 120);
        const a = alpha.data[y * W + x];
        if (r >= 61 && r < 70) [rimPixels, rim] = [rimPixels + 1, rim + (a > 0.1 ? 1 : 0)];
        if (r < 50) [insidePixels, inside] = [insidePixels + 1, inside + a];
      }
    return { rim: rim / rimPixels, inside: inside / insidePixels };
  };
  const without = run({ ...DEFAULT_NOISE_FLOOR, leansBackground: 0 });
  const within = run(DEFAULT_NOISE_FLOOR);
  t.diagnostic(
    `rim above 0.1: ${without.rim.toFixed(3)} → ${within.rim.toFixed(3)}; disc ${within.inside.toFixed(3)}`,
  );
  assert.ok(without.rim > 0.3, `without, the rim stays: ${without.rim}`);
  assert.ok(within.rim < 0.05, `rim ${within.rim} against ${without.rim}`);
  assert.ok(within.inside > 0.98, `the disc stays: ${within.inside}`);
});
