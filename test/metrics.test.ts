import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import {
  binaryMaskOf,
  conn,
  dtssd,
  gapFill,
  grad,
  gradientMagnitude,
  mattedOutside,
  mse,
  sad,
  seeThrough,
  solidInterior,
  unknownRegion,
} from "../src/eval/metrics.js";
import { rasteriseInterior } from "../src/eval/interior-annotation.js";
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

/** A w×h matte: 1 inside the rectangle [x0, x1) × [y0, y1), 0 elsewhere. */
function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number): FloatImage {
  const out = img(Array.from({ length: h }, () => new Array<number>(w).fill(0)));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.data[y * w + x] = 1;
  return out;
}

test("see-through counts holes inside the eroded solid interior only", () => {
  const truthDisc = rect(60, 60, 10, 10, 50, 50); // 40×40 solid square
  const interior = solidInterior(cv, truthDisc, 10);
  // Erosion by 10 px leaves about the central 20×20 (the distance transform is an approximation at corners).
  const area = interior.reduce((a, b) => a + b, 0);
  assert.ok(area > 300 && area < 440, `interior ${area}`);
  assert.equal(seeThrough(truthDisc, interior), 0);
  const holed = rect(60, 60, 10, 10, 50, 50);
  for (let y = 25; y < 35; y++) for (let x = 25; x < 35; x++) holed.data[y * 60 + x] = 0.5; // 10×10 hole
  assert.ok(Math.abs(seeThrough(holed, interior)! - 100 / area) < 1e-9);
  // A soft edge (outside the eroded interior) does not count.
  const softEdge = rect(60, 60, 10, 10, 50, 50);
  for (let x = 10; x < 50; x++) softEdge.data[10 * 60 + x] = 0.3;
  assert.equal(seeThrough(softEdge, interior), 0);
  assert.equal(seeThrough(truthDisc, new Uint8Array(3600)), undefined);
});

test("gap fill is the share of true background inside the subject's box that comes out as subject", () => {
  // Two bars with a 10-px gap between them; the box spans both bars and the gap.
  const bars = rect(40, 20, 5, 0, 15, 20);
  for (let y = 0; y < 20; y++) for (let x = 25; x < 35; x++) bars.data[y * 40 + x] = 1;
  assert.equal(gapFill(bars, bars), 0);
  const filled = rect(40, 20, 5, 0, 35, 20); // the gap called subject
  assert.equal(gapFill(filled, bars), 1);
  const half = rect(40, 20, 5, 0, 20, 20); // half the gap (x 15–19) filled
  for (let y = 0; y < 20; y++) for (let x = 25; x < 35; x++) half.data[y * 40 + x] = 1;
  assert.equal(gapFill(half, bars), 0.5);
  assert.equal(gapFill(bars, rect(40, 20, 0, 0, 40, 20)), undefined); // no background in the box
});

test("matted outside counts the pixels beyond an outline held above α 0.5", () => {
  const outline = Uint8Array.from(rect(40, 20, 10, 0, 30, 20).data); // the subject's outline: x 10–29
  const alpha = rect(40, 20, 12, 0, 28, 20); // inside it
  assert.equal(mattedOutside(alpha, outline), 0);
  for (let y = 5; y < 10; y++) for (let x = 32; x < 36; x++) alpha.data[y * 40 + x] = 0.8; // a 4×5 ghost beside it
  alpha.data[0] = 0.5; // at 0.5, not over it
  assert.equal(mattedOutside(alpha, outline), 20);
});

test("the oracle is the reference cut at 0.5", () => {
  assert.deepEqual([...binaryMaskOf(truth).data.slice(0, 7)], [1, 0, 0, 0, 0, 0, 1]);
});

test("an interior annotation rasterises its ellipses and polygons, scaled to the photo", () => {
  const note = {
    width: 100,
    height: 50,
    ellipses: [{ name: "face", cx: 20, cy: 25, rx: 10, ry: 10 }],
    polygons: [
      {
        name: "box",
        points: [
          [60, 10],
          [90, 10],
          [90, 40],
          [60, 40],
        ] as [number, number][],
      },
    ],
  };
  const mask = rasteriseInterior(cv, note);
  const at = (x: number, y: number, w = 100) => mask[y * w + x];
  assert.equal(at(20, 25), 1);
  assert.equal(at(75, 25), 1);
  assert.equal(at(45, 25), 0);
  const area = mask.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(area - (Math.PI * 100 + 31 * 31)) < 60, `area ${area}`);
  const half = rasteriseInterior(cv, note, 50, 25);
  assert.equal(half[12 * 50 + 37], 1); // the box, at half scale
  assert.equal(half[12 * 50 + 22], 0);
});
