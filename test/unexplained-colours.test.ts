import assert from "node:assert/strict";
import { test } from "node:test";
import { SAME_EXPOSURE } from "../src/align/plate.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { DEFAULT_EQUATION, refineWithPlate } from "../src/refine/compositing-equation.js";
import { DEFAULT_LEAST_ALPHA, type LeastAlphaOptions } from "../src/refine/least-alpha.js";
import { outsidePlateRange } from "../src/refine/unexplained-colours.js";

const cv = await loadOpenCV();
const [W, H] = [160, 120];
const ROAD = [0.7, 0.7, 0.68];
const JACKET = [0.15, 0.15, 0.18];
const SKIN = [0.85, 0.66, 0.56];
const noise = (x: number, y: number, c: number, seed: number) =>
  ((((x * 7919 + y * 104729 + c * 65537 + seed * 31337) ^ (x * y)) % 41) / 40 - 0.5) * 0.04;
const inFace = (x: number, y: number) => x >= 72 && x < 88 && y >= 16 && y < 40;
const inHole = (x: number, y: number) => x >= 70 && x < 90 && y >= 70 && y < 90;
const inBody = (x: number, y: number) => x >= 40 && x < 120 && y >= 40 && y < 110 && !inHole(x, y);

/**
 * A small figure on a light road, as a fixed camera sees a passer-by: a dark jacket with a gap through it, and a face
 * above it. The network, at 1/8 of the size, holds the figure at 0.9 and sees one blurred colour, the jacket's: its
 * F is dark over the face too.
 */
function passerBy(face = SKIN) {
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const truth = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const colour = inFace(x, y) ? face : inBody(x, y) ? JACKET : undefined;
      if (colour) truth.data[p] = 1;
      for (let c = 0; c < 3; c++) {
        plate.data[3 * p + c] = ROAD[c] + noise(x, y, c, 1);
        photo.data[3 * p + c] = (colour ? colour[c] : ROAD[c]) + noise(x, y, c, 2);
      }
    }
  const coarse = { alpha: resize(truth, 20, 15), fg: createImage(20, 15, 3) };
  for (let q = 0; q < 20 * 15; q++) {
    coarse.alpha.data[q] *= 0.9;
    coarse.fg.data.set(JACKET, 3 * q);
  }
  return { photo, plate: { image: plate, exposure: null }, coarse };
}

/**
 * With `matteFace`, the matte so far holds the face at that α (a guided upsampling that followed its brightness);
 * with `leastAlpha`, the solve also keeps the least α the plate allows (refine/least-alpha).
 */
function solve(heldAlpha: number, face = SKIN, matteFace?: number, leastAlpha?: LeastAlphaOptions) {
  const { photo, plate, coarse } = passerBy(face);
  const alpha = resize(coarse.alpha, W, H);
  const network = alpha.data.slice();
  if (matteFace !== undefined)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) if (inFace(x, y)) alpha.data[y * W + x] = matteFace;
  const opts = {
    ...DEFAULT_EQUATION,
    unexplained: { ...DEFAULT_EQUATION.unexplained, heldAlpha },
    leastAlpha,
  };
  refineWithPlate(cv, photo, plate, alpha, coarse, {}, opts);
  const mean = (values: Float32Array, inside: (x: number, y: number) => boolean) => {
    let [sum, n] = [0, 0];
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) if (inside(x, y)) [sum, n] = [sum + values[y * W + x], n + 1];
    return sum / n;
  };
  // The face's middle (its rim is a blend the solve judges), and the gap's.
  const faceMiddle = (x: number, y: number) => x >= 75 && x < 85 && y >= 22 && y < 36;
  return {
    face: mean(alpha.data, faceMiddle),
    networkFace: mean(network, faceMiddle),
    gap: mean(alpha.data, (x, y) => x >= 74 && x < 86 && y >= 74 && y < 86),
  };
}

test("a face whose colour the network's F does not have is not made see-through by the solve", () => {
  const off = solve(Infinity);
  const on = solve(DEFAULT_EQUATION.unexplained.heldAlpha);
  assert.ok(
    off.face < 0.3 * off.networkFace,
    `with the jacket's F, the solve reads the face as background: ${off.face} (the network: ${off.networkFace})`,
  );
  assert.ok(on.face > 0.95 * on.networkFace, `face ${on.face} (the network: ${on.networkFace})`);
});

test("where the photo's hue is not the plate's, the network's α holds over a matte that lowered it", () => {
  const skin = solve(DEFAULT_EQUATION.unexplained.heldAlpha, SKIN, 0.4);
  assert.ok(skin.face > 0.95 * skin.networkFace, `face ${skin.face} (the network: ${skin.networkFace})`);
  // A cap the road's hue, only lighter: a plate exposed differently looks the same, and the matte's α is not raised.
  const cap = solve(DEFAULT_EQUATION.unexplained.heldAlpha, [0.9, 0.9, 0.88], 0.4);
  assert.ok(cap.face <= 0.4, `cap ${cap.face}`);
});

test("a face much lighter than the road keeps the least α the plate allows, whatever F and the matte say", () => {
  const light = [0.95, 0.88, 0.85];
  // The network's F is the jacket's and the matte so far lost the face; the held network α is not asked for.
  const without = solve(Infinity, light, 0);
  const bounded = solve(Infinity, light, 0, DEFAULT_LEAST_ALPHA);
  assert.ok(without.face < 0.1, `without the bound the face reads as road: ${without.face}`);
  // Red: 0.95 against a road of at most 0.72, less the margin, over the 0.28 left below white.
  assert.ok(bounded.face > 0.55, `face ${bounded.face}`);
  assert.ok(bounded.gap < 0.15, `the gap, which shows the plate, stays open: ${bounded.gap}`);
});

test("a gap that shows the plate still opens", () => {
  const on = solve(DEFAULT_EQUATION.unexplained.heldAlpha);
  assert.ok(on.gap < 0.15, `gap ${on.gap}`);
});

test("the plate's range: a blend of its neighbours' colours is inside it, a colour or hue beyond them outside", () => {
  const image = createImage(3, 3, 3, 0.5);
  const plate = createImage(3, 3, 3);
  for (let p = 0; p < 9; p++) plate.data.fill(p % 2 ? 0.4 : 0.6, 3 * p, 3 * p + 3);
  const exposed = { data: plate.data, ...SAME_EXPOSURE };
  assert.equal(outsidePlateRange(image, exposed, 1, 1), 0);
  image.data.set([0.5, 0.5, 0.75], 3 * 4);
  assert.ok(
    Math.abs(outsidePlateRange(image, exposed, 1, 1) - 0.25) < 1e-6,
    "0.15 beyond in blue, 0.25 in hue",
  );
  // Each channel inside the grey plate's range, the hue (a skin tone on a grey road) outside it.
  image.data.set([0.55, 0.5, 0.45], 3 * 4);
  assert.ok(Math.abs(outsidePlateRange(image, exposed, 1, 1) - 0.05) < 1e-6);
  // The exposure's gain and bias apply to the plate first.
  image.data.set([0.6, 0.6, 0.75], 3 * 4);
  const bluer = { ...exposed, gain: [1, 1, 1.25] };
  assert.ok(outsidePlateRange(image, bluer, 1, 1) < 1e-6);
});
