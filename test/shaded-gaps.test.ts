import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { DEFAULT_GAPS, refineWithPlate } from "../src/refine/compositing-equation.js";
import { shareWhere } from "./fixtures.js";

const cv = await loadOpenCV();
// Large enough that a region must hold a few pixels (the least region grows with the frame).
const [W, H] = [480, 360];
const CELL = 8;

/** A smooth sky, a little sensor noise on it, and the leaves' colour. */
const sky = (_x: number, y: number) => [0.55 + 0.2 * (y / H), 0.7 + 0.1 * (y / H), 0.92];
const noise = (x: number, y: number, c: number) =>
  0.01 * ((((x + 5 * c) * 7919 + y * 104729) % 17) / 16 - 0.5);
const LEAF = [0.3, 0.45, 0.1];

const inLeaves = (x: number, y: number) => x >= 60 && x < 420 && y >= 30 && y < 330;
/** Where the network is unsure (α 0.6 in its cells): the shaded gap, or what a case puts there. */
const inGap = (x: number, y: number) => x >= 176 && x < 304 && y >= 120 && y < 240;
const gapInner = (x: number, y: number) => x >= 184 && x < 296 && y >= 128 && y < 232;

function photoOf(gapColour: (x: number, y: number) => number[]): FloatImage {
  const out = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const c = inGap(x, y) ? gapColour(x, y) : inLeaves(x, y) ? LEAF : sky(x, y);
      for (let k = 0; k < 3; k++) out.data[3 * (y * W + x) + k] = c[k] + noise(x, y, k);
    }
  return out;
}

/** The network's output at 1/8 of the size: the leaves opaque, unsure over the gap, F the leaves' colour (or
 * `gapFg` over the gap). */
function coarseOutputs(gapFg: (x: number, y: number) => number[] = () => LEAF) {
  const [gw, gh] = [W / CELL, H / CELL];
  const coarse = { alpha: createImage(gw, gh, 1), fg: createImage(gw, gh, 3) };
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      const [cx, cy] = [CELL * x + CELL / 2, CELL * y + CELL / 2];
      coarse.alpha.data[y * gw + x] = inGap(cx, cy) ? 0.6 : inLeaves(cx, cy) ? 1 : 0;
      coarse.fg.data.set(inGap(cx, cy) ? gapFg(cx, cy) : LEAF, 3 * (y * gw + x));
    }
  return coarse;
}

function refined(
  gapColour: (x: number, y: number) => number[],
  { gaps = DEFAULT_GAPS, gapFg = (_x: number, _y: number): number[] => LEAF } = {},
): FloatImage {
  const plate = createImage(W, H, 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) plate.data.set(sky(x, y), 3 * (y * W + x));
  const coarse = coarseOutputs(gapFg);
  const alpha = resize(coarse.alpha, W, H);
  refineWithPlate(cv, photoOf(gapColour), { image: plate, exposure: null }, alpha, coarse, { gaps });
  return alpha;
}

const shareIn = (alpha: FloatImage, where: (x: number, y: number) => boolean, t: (v: number) => boolean) =>
  shareWhere(alpha.data, W, where, t);

test("shaded gaps: the flat sky seen between leaves in their shadow is background", () => {
  const shaded = (x: number, y: number) => sky(x, y).map((v) => 0.6 * v);
  assert.ok(shareIn(refined(shaded), gapInner, (v) => v < 0.1) > 0.95, "the shaded sky opens");
  // The compositing equation alone reads it as half leaf, half sky.
  const without = refined(shaded, { gaps: { ...DEFAULT_GAPS, shaded: undefined } });
  assert.ok(shareIn(without, gapInner, (v) => v < 0.1) < 0.05);
});

test("shaded gaps: specks, a grain, or a part F explains, darker along the plate's hue, are the subject's", () => {
  const shaded = (x: number, y: number) => sky(x, y).map((v) => 0.6 * v);
  // A mesh: 2×2 specks of the darker sky's colour in a grid, the leaves' colour between them.
  const specks = (x: number, y: number) => (x % 6 < 2 && y % 6 < 2 ? shaded(x, y) : LEAF);
  // The sky's hue, darkened by 0.5 or 0.75 from pixel to pixel: a texture of the subject's, not a shadow.
  const grain = (x: number, y: number) => sky(x, y).map((v) => ((x + y) % 2 ? 0.5 : 0.75) * v);
  for (const [name, colour] of [
    ["specks", specks],
    ["grain", grain],
  ] as const) {
    const alpha = refined(colour);
    assert.ok(shareIn(alpha, gapInner, (v) => v < 0.1) < 0.02, name);
  }
  // A part in the sky's colour, darker (a navy jacket against a blue wall), whose colour the network's F has, beside
  // a part of another colour: where the two meet, F mixes them.
  const part = refined(shaded, { gapFg: shaded });
  assert.ok(shareIn(part, gapInner, (v) => v < 0.1) < 0.02, "a part F explains");
});
