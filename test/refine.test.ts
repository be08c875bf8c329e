import assert from "node:assert/strict";
import { test } from "node:test";
import { resize } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { boxFilter } from "../src/refine/box-filter.js";
import { guidedUpsample } from "../src/refine/guided-upsample.js";

test("box filter: mean over the window, border-normalised", () => {
  const im = createImage(5, 1, 1);
  im.data.set([0, 0, 3, 0, 0]);
  assert.deepEqual([...boxFilter(im, 1).data], [0, 1, 1, 1, 0]);
  const flat = boxFilter(createImage(7, 6, 2, 0.3), 2);
  for (const v of flat.data) assert.ok(Math.abs(v - 0.3) < 1e-6);
});

test("guided upsampling puts the matte edge where the full-resolution image has it", () => {
  // High-res image: a vertical edge at x = 37 (not on the low-res grid). Low-res matte: blurry edge.
  const W = 96,
    H = 32;
  const high = createImage(W, H, 3);
  const truth = createImage(W, H, 1);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const fg = x < 37 ? 1 : 0;
      truth.data[y * W + x] = fg;
      high.data.set(fg ? [0.9, 0.2, 0.2] : [0.1, 0.3, 0.8], (y * W + x) * 3);
    }
  }
  const low = resize(high, 24, 8);
  const alphaLow = resize(truth, 24, 8);
  const guided = guidedUpsample(alphaLow, low, high, { radius: 2, eps: 1e-4 });
  const bilinear = resize(alphaLow, W, H);
  const err = (a: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - truth.data[i]), 0) / a.length;
  assert.ok(
    err(guided.data) < 0.5 * err(bilinear.data),
    `guided ${err(guided.data)} vs bilinear ${err(bilinear.data)}`,
  );
  for (const v of guided.data) assert.ok(v >= 0 && v <= 1);
});
