import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { conn, dtssd, grad, gradientMagnitude, mse, sad, unknownRegion } from "../src/eval/metrics.js";
import type { FloatImage } from "../src/image/types.js";

const cv = await loadOpenCV();
const img = (rows: number[][]): FloatImage => ({
  width: rows[0].length,
  height: rows.length,
  channels: 1,
  data: Float32Array.from(rows.flat()),
});

// A 5×5 case. Conn by hand: thresholds 0.1–0.5 keep the inner 3×3 (pred 0.5, truth 0.8) as Ω, so the border
// gets l = 0; at 0.6 only the centre remains, so the ring gets l = 0.5; the centre never leaves (l = 1).
// φ differences: corner 0.9 → |1 − 0.1| = 0.9; corner 0.3 → 0.3; ring 8 × (d_truth = 0.3 ≥ 0.15) → 8 × 0.3.
// Conn = (0.9 + 0.3 + 2.4) / 1000 = 0.0036. Grad: an independent SciPy transcription of the benchmark's
// MATLAB code (ndimage.convolve, 'nearest' borders) gives 0.003859238578447689.
const pred = img([
  [0, 0, 0, 0, 0],
  [0, 0.5, 0.5, 0.5, 0],
  [0, 0.5, 1, 0.5, 0],
  [0, 0.5, 0.5, 0.5, 0],
  [0, 0, 0, 0, 0],
]);
const truth = img([
  [0.9, 0, 0, 0, 0],
  [0, 0.8, 0.8, 0.8, 0],
  [0, 0.8, 1, 0.8, 0],
  [0, 0.8, 0.8, 0.8, 0],
  [0, 0, 0, 0, 0.3],
]);

test("SAD and MSE on a hand-computed case", () => {
  // |diff|: 0.9 + 0.3 + 8 × 0.3 = 3.6; squared: 0.81 + 0.09 + 8 × 0.09 = 1.62 over 25 pixels.
  assert.ok(Math.abs(sad(pred, truth) - 0.0036) < 1e-9);
  assert.ok(Math.abs(mse(pred, truth) - 1.62 / 25) < 1e-7);
});

test("Conn on the 5×5 case matches the hand computation", () => {
  assert.ok(Math.abs(conn(cv, pred, truth) - 0.0036) < 1e-7, `${conn(cv, pred, truth)}`);
});

test("Grad on the 5×5 case matches the reference implementation", () => {
  assert.ok(Math.abs(grad(pred, truth) - 0.003859238578447689) < 1e-8, `${grad(pred, truth)}`);
  const g = gradientMagnitude(truth);
  assert.ok(Math.abs(g[12] - 0.18004583631482393) < 1e-6); // inputs are float32
  assert.ok(Math.abs(g[7] - 1.111357223187379) < 1e-6);
});

test("every metric is zero for a perfect prediction and symmetric where it should be", () => {
  for (const f of [sad, mse, grad]) {
    assert.equal(f(truth, truth), 0);
    assert.ok(Math.abs(f(pred, truth) - f(truth, pred)) < 1e-12);
  }
  assert.equal(conn(cv, truth, truth), 0);
  assert.equal(dtssd([pred, truth, pred], [pred, truth, pred]), 0);
});

test("a trimap region restricts the sums to unknown pixels", () => {
  const trimap = img(
    Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, x) => (x === 0 && y === 0 ? 0.5 : 0))),
  );
  const region = unknownRegion(trimap);
  assert.ok(Math.abs(sad(pred, truth, region) - 0.0009) < 1e-9);
  assert.ok(Math.abs(mse(pred, truth, region) - 0.81) < 1e-7);
});

test("dtSSD measures flicker the truth does not have", () => {
  const zero = img([[0, 0]]);
  const one = img([[1, 1]]);
  // Prediction flickers 0 → 1 while the truth stays 0: √(1) × 100.
  assert.ok(Math.abs(dtssd([zero, one], [zero, zero]) - 100) < 1e-9);
  assert.ok(Math.abs(dtssd([zero, one], [zero, one])) < 1e-12);
});
