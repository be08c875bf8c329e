import assert from "node:assert/strict";
import { test } from "node:test";
import { applyExposure, type ExposureReport } from "../src/align/exposure.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { makeScene } from "../src/eval/synthetic-scene.js";
import { resize } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { boxFilter } from "../src/refine/box-filter.js";
import { refineWithPlate } from "../src/refine/compositing-equation.js";
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

test("compositing-equation refinement: sharpens a coarse matte near the edge, in place, and nowhere else", async () => {
  const cv = await loadOpenCV();
  const scene = makeScene(320, 240);
  // What a network at 1/8 of the size gives, and its matte upsampled.
  const coarse = { alpha: resize(scene.alpha, 40, 30), fg: resize(scene.fg, 40, 30) };
  const upsampled = resize(coarse.alpha, 320, 240);
  const fresh = () => ({ ...upsampled, data: upsampled.data.slice() });
  const alpha = fresh();
  refineWithPlate(cv, scene.photo, { image: scene.plate, exposure: null }, alpha, coarse);
  const err = (a: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - scene.alpha.data[i]), 0);
  assert.ok(
    err(alpha.data) < 0.8 * err(upsampled.data),
    `refined ${err(alpha.data)} vs upsampled ${err(upsampled.data)}`,
  );
  // Opaque pixels keep their α, and so does the frame's corner, far from the subject.
  for (let p = 0; p < alpha.data.length; p++)
    if (upsampled.data[p] >= 0.98) assert.equal(alpha.data[p], upsampled.data[p]);
  assert.equal(alpha.data[0], upsampled.data[0]);
  assert.ok(alpha.data.some((v, p) => v !== upsampled.data[p]));

  // A plate whose exposure is still to apply gives the same α as the plate with it applied.
  const exposure = { gain: [1.1, 0.9, 1.05], bias: [0.02, -0.01, 0], ringPixels: 0 } as ExposureReport;
  const darker = {
    ...scene.plate,
    data: scene.plate.data.map((v, i) => (v - exposure.bias[i % 3]) / exposure.gain[i % 3]),
  };
  const [a1, a2] = [fresh(), fresh()];
  refineWithPlate(cv, scene.photo, { image: applyExposure(darker, exposure), exposure: null }, a1, coarse);
  refineWithPlate(cv, scene.photo, { image: darker, exposure }, a2, coarse);
  for (let p = 0; p < a1.data.length; p++) assert.ok(Math.abs(a1.data[p] - a2.data[p]) < 1e-5);
});
