import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { createImage } from "../src/image/types.js";
import { clearRelitPlate, DEFAULT_RELIT_PLATE } from "../src/refine/relit-plate.js";
import { gaussian, lcg } from "./fixtures.js";

const cv = await loadOpenCV();
const W = 200,
  H = 150;
/** Foam: a faint grain (σ ≈ 0.03) on a light plate, and a camera's noise on the photo. */
const grain = (x: number, y: number) => ((((x * 7919 + y * 104729) ^ (x * y * 31)) % 17) / 16 - 0.5) * 0.1;
const foam = (x: number, y: number) => [0.85, 0.81, 0.78].map((v) => v + grain(x, y));
/** The band beside the subject (x 60–120) that the matte holds at 0.4. */
const inBand = (x: number) => x >= 60 && x < 120;

/** The subject (x ≥ 120, solid) and, in the band, what `band(x, y, plate)` makes of the plate. */
function scene(band: (x: number, y: number, plate: number[]) => number[]) {
  const image = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const alpha = createImage(W, H, 1);
  const rand = lcg(7);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const b = foam(x, y);
      plate.data.set(b, 3 * p);
      const shown = x >= 120 ? [0.9, 0.8, 0.2] : inBand(x) ? band(x, y, b) : b;
      image.data.set(
        shown.map((v) => v + 0.005 * gaussian(rand)),
        3 * p,
      );
      alpha.data[p] = x >= 120 ? 1 : inBand(x) ? 0.4 : 0;
    }
  return { image, plate, alpha };
}

const bandMean = (alpha: { data: Float32Array }) => {
  let s = 0;
  for (let y = 0; y < H; y++) for (let x = 60; x < 120; x++) s += alpha.data[y * W + x];
  return s / (60 * H);
};

test("the plate re-lit by the subject (a shadow tinted by the colour it reflects) is background", () => {
  // Dimmer towards the subject, and yellower: blue falls most, as beside a yellow label on white foam.
  const tint = (x: number) => [
    1 - 0.03 * ((x - 60) / 60),
    1 - 0.06 * ((x - 60) / 60),
    1 - 0.15 * ((x - 60) / 60),
  ];
  const { image, plate, alpha } = scene((x, _y, b) => b.map((v, c) => v * tint(x)[c]));
  assert.ok(clearRelitPlate(cv, image, plate, alpha) > 0);
  assert.ok(bandMean(alpha) < 0.02, `band α ${bandMean(alpha)}`);
  // The subject stays.
  assert.equal(alpha.data[75 * W + 150], 1);
});

test("a soft dark edge, strands of another hue, a flat part and a narrow tinted strip keep their α", () => {
  // A dark subject's soft edge, half covering the plate: smooth and in place, but it dims the plate by half.
  const edge = scene((_x, _y, b) => b.map((v) => 0.5 * v + 0.5 * 0.1));
  assert.equal(clearRelitPlate(cv, edge.image, edge.plate, edge.alpha), 0);
  // Red threads every third column, as bright as the foam: the grey still correlates, each channel's ratio jumps.
  const strands = scene((x, _y, b) => (x % 3 === 0 ? [b[0] * 1.15, b[1] * 0.92, b[2] * 0.93] : b));
  assert.equal(clearRelitPlate(cv, strands.image, strands.plate, strands.alpha), 0);
  // A flat grey that hides the foam's grain: it does not correlate with the plate.
  const flat = scene(() => [0.8, 0.77, 0.74]);
  assert.equal(clearRelitPlate(cv, flat.image, flat.plate, flat.alpha), 0);
  // Tinted, but a strip 6 px wide (here the least width is a tenth of the image: a disc 20 px across).
  const strip = scene((_x, _y, b) => b.map((v, c) => v * [0.97, 0.94, 0.85][c]));
  for (let y = 0; y < H; y++)
    for (let x = 60; x < 120; x++) if (x < 80 || x >= 86) strip.alpha.data[y * W + x] = 0;
  const wider = { ...DEFAULT_RELIT_PLATE, minWidth: 0.1 };
  assert.equal(clearRelitPlate(cv, strip.image, strip.plate, strip.alpha, wider), 0);
  // The whole tinted band (60 px wide) is wide enough.
  const band = scene((_x, _y, b) => b.map((v, c) => v * [0.97, 0.94, 0.85][c]));
  assert.ok(clearRelitPlate(cv, band.image, band.plate, band.alpha, wider) > 0);
});
