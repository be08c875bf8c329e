import assert from "node:assert/strict";
import { test } from "node:test";
import { SAME_EXPOSURE } from "../src/align/plate.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { atLeastLeastAlpha, DEFAULT_LEAST_ALPHA } from "../src/refine/least-alpha.js";

const exposed = (plate: FloatImage) => ({ data: plate.data, ...SAME_EXPOSURE });

/** A 3 × 3 photo and plate, the plate one colour, the photo that colour but at its centre `centre`. */
function pixel(plateColour: number[], centre: number[]) {
  const plate = createImage(3, 3, 3);
  const image = createImage(3, 3, 3);
  for (let p = 0; p < 9; p++) {
    plate.data.set(plateColour, 3 * p);
    image.data.set(p === 4 ? centre : plateColour, 3 * p);
  }
  return atLeastLeastAlpha(image, exposed(plate), 1, 1, 0, DEFAULT_LEAST_ALPHA);
}

test("no F allows less α than the bound; it is near α for white over grey, nothing for black (a shadow)", () => {
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
  // Black at the same α is the grey plate in a deep shadow too.
  assert.equal(pixel([0.5, 0.5, 0.5], [0.1, 0.1, 0.1]), 0);
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
  assert.equal(atLeastLeastAlpha(image, exposed(plate), 1, 1, 0, DEFAULT_LEAST_ALPHA), 0);
});
