import assert from "node:assert/strict";
import { test } from "node:test";
import { SAME_EXPOSURE } from "../src/align/plate.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { DEFAULT_EQUATION, refineWithPlate } from "../src/refine/compositing-equation.js";
import { DEFAULT_LEAST_ALPHA, leastAlpha } from "../src/refine/least-alpha.js";

const exposed = (plate: FloatImage) => ({ data: plate.data, ...SAME_EXPOSURE });

/** A 3 × 3 photo and plate, the plate one colour, the photo that colour but at its centre `centre`. */
function pixel(plateColour: number[], centre: number[]) {
  const plate = createImage(3, 3, 3);
  const image = createImage(3, 3, 3);
  for (let p = 0; p < 9; p++) {
    plate.data.set(plateColour, 3 * p);
    image.data.set(p === 4 ? centre : plateColour, 3 * p);
  }
  return leastAlpha(image, exposed(plate), 1, 1, DEFAULT_LEAST_ALPHA);
}

test("no F allows less α than the bound, and the bound is near α where F is white or black", () => {
  // A pseudo-random sweep of α, F and B′: I = αF + (1 − α)B′ exactly.
  let seed = 7;
  const next = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (let n = 0; n < 2000; n++) {
    const alpha = next();
    const f = [next(), next(), next()];
    const b = [0.1 + 0.8 * next(), 0.1 + 0.8 * next(), 0.1 + 0.8 * next()];
    const i = b.map((v, c) => alpha * f[c] + (1 - alpha) * v);
    const least = pixel(b, i);
    assert.ok(least <= alpha + 1e-6, `α ${alpha}, F ${f}, B′ ${b}: bound ${least}`);
  }
  // White over a mid grey: only the noise margin is given away.
  const white = pixel([0.5, 0.5, 0.5], [0.9, 0.9, 0.9]);
  assert.ok(white > 0.8 - DEFAULT_LEAST_ALPHA.margin / 0.5 - 1e-6 && white <= 0.8, `white ${white}`);
});

test("the plate itself, a shift of it, its noise and its shadow bound nothing; a change of hue in a shadow does", () => {
  assert.equal(pixel([0.6, 0.5, 0.4], [0.6, 0.5, 0.4]), 0);
  assert.equal(pixel([0.6, 0.5, 0.4], [0.63, 0.47, 0.42]), 0);
  // The plate half as bright: a shadow, whatever its depth down to `deepestShadow`.
  assert.equal(pixel([0.6, 0.5, 0.4], [0.3, 0.25, 0.2]), 0);
  // As dark, but blue: no shadow of a brown plate is.
  assert.ok(pixel([0.6, 0.5, 0.4], [0.1, 0.2, 0.45]) > 0.3);
  // A plate a pixel off over a step: the photo's colour is the neighbour's.
  const plate = createImage(3, 3, 3);
  const image = createImage(3, 3, 3);
  for (let p = 0; p < 9; p++) {
    plate.data.fill(p % 3 === 2 ? 0.9 : 0.2, 3 * p, 3 * p + 3);
    image.data.fill(p % 3 >= 1 ? 0.9 : 0.2, 3 * p, 3 * p + 3);
  }
  assert.equal(leastAlpha(image, exposed(plate), 1, 1, DEFAULT_LEAST_ALPHA), 0);
});

test("a face lighter than the road is not read as road, whatever the network's F and α there", async () => {
  const cv = await loadOpenCV();
  const [W, H] = [160, 120];
  const [ROAD, JACKET, FACE] = [
    [0.6, 0.6, 0.62],
    [0.15, 0.15, 0.18],
    [0.95, 0.85, 0.8],
  ];
  const inFace = (x: number, y: number) => x >= 72 && x < 88 && y >= 16 && y < 40;
  const inBody = (x: number, y: number) => x >= 40 && x < 120 && y >= 40 && y < 110;
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const truth = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const colour = inFace(x, y) ? FACE : inBody(x, y) ? JACKET : ROAD;
      truth.data[p] = colour === ROAD ? 0 : 1;
      plate.data.set(ROAD, 3 * p);
      photo.data.set(colour, 3 * p);
    }
  // The network, at 1/8 of the size, sees the jacket's colour everywhere and barely holds the face (0.3).
  const coarse = { alpha: resize(truth, 20, 15), fg: createImage(20, 15, 3) };
  for (let q = 0; q < 20 * 15; q++) coarse.fg.data.set(JACKET, 3 * q);
  for (let y = 2; y < 5; y++) for (let x = 9; x < 11; x++) coarse.alpha.data[y * 20 + x] = 0.3;
  const face = (leastAlphaOptions: typeof DEFAULT_LEAST_ALPHA | undefined) => {
    const alpha = resize(coarse.alpha, W, H);
    const opts = { ...DEFAULT_EQUATION, leastAlpha: leastAlphaOptions };
    refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, {}, opts);
    let sum = 0;
    for (let y = 22; y < 36; y++) for (let x = 75; x < 85; x++) sum += alpha.data[y * W + x];
    return sum / 140;
  };
  const without = face(undefined);
  const withBound = face(DEFAULT_LEAST_ALPHA);
  assert.ok(without < 0.3, `with the jacket's F the solve reads the face as road: ${without}`);
  // The red channel's bound: 0.35 brighter than the road, out of the 0.4 it leaves below white.
  const bound = (FACE[0] - ROAD[0] - DEFAULT_LEAST_ALPHA.margin) / (1 - ROAD[0]);
  assert.ok(bound > 0.7 && withBound > bound - 1e-3, `face ${withBound}, bound ${bound}`);
});
