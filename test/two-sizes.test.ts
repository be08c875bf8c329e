import assert from "node:assert/strict";
import { test } from "node:test";
import { createImage } from "../src/image/types.js";
import { BOTH_HOLD, combineTwoSizes, type TwoSizeMatte } from "../src/postprocess/two-sizes.js";

/** A one-row matte: α per pixel, F one colour per run. */
function matte(alphas: number[], colour: number[]): TwoSizeMatte {
  const alpha = createImage(alphas.length, 1, 1);
  alpha.data.set(alphas);
  const foreground = createImage(alphas.length, 1, 3);
  for (let p = 0; p < alphas.length; p++) foreground.data.set(colour, 3 * p);
  return { alpha, foreground };
}
const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;

test("where both runs hold a pixel the larger α stands, with its run's colour", () => {
  const first = matte([0.75, 1, 0.9], [0.2, 0.2, 0.2]);
  const second = matte([1, 0.8, 0.9], [0.8, 0.8, 0.8]);
  combineTwoSizes(first, second);
  assert.deepEqual(
    [...first.alpha.data].map((v) => +v.toFixed(6)),
    [1, 1, 0.9],
  );
  assert.ok(near(first.foreground.data[0], 0.8), "the second run's colour where its α is the larger");
  assert.ok(near(first.foreground.data[3], 0.2), "the first run's where its own is");
});

test("elsewhere the mean of the two α, F weighted by each run's α", () => {
  // A see-through patch one run left (0.2) in what the other holds: half of it comes back, not all.
  const first = matte([0.2, 0, 0.4, 0], [0.2, 0.2, 0.2]);
  const second = matte([1, 0.3, 0.6, 0], [0.8, 0.8, 0.8]);
  combineTwoSizes(first, second);
  for (const [p, want] of [0.6, 0.15, 0.5, 0].entries())
    assert.ok(near(first.alpha.data[p], want), `α[${p}]`);
  assert.ok(near(first.foreground.data[0], (0.2 * 0.2 + 1 * 0.8) / 1.2));
  assert.ok(
    near(first.foreground.data[3], 0.8),
    "a run that calls the pixel background has no say in its colour",
  );
  assert.ok(near(first.foreground.data[9], 0.2), "nor when neither holds it: the colour stays");
});

test("the threshold is where both hold the pixel", () => {
  const first = matte([BOTH_HOLD + 0.01, BOTH_HOLD - 0.01], [0, 0, 0]);
  const second = matte([1, 1], [1, 1, 1]);
  combineTwoSizes(first, second);
  assert.equal(first.alpha.data[0], 1);
  assert.ok(Math.abs(first.alpha.data[1] - (BOTH_HOLD - 0.01 + 1) / 2) < 1e-6);
});
