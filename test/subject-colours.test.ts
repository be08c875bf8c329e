import assert from "node:assert/strict";
import { test } from "node:test";
import { SAME_EXPOSURE } from "../src/align/plate.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { DEFAULT_GAPS, refineWithPlate } from "../src/refine/compositing-equation.js";
import { DEFAULT_SUBJECT_COLOURS, raiseToHeld, subjectColourNearby } from "../src/refine/subject-colours.js";
import { shareWhere } from "./fixtures.js";

const cv = await loadOpenCV();
const [W, H] = [160, 120];
const WHITE = 0.8;
const INK = 0.1;
/** A light fabric's weave: ±0.12 around 0.7, the same in every channel. */
const weave = (x: number, y: number) => 0.7 + 0.24 * (threadHash(x, y) / 16 - 0.5);
const threadHash = (x: number, y: number) => ((x * 7919 + y * 104729) ^ (x * y * 31)) % 17;
/** A darker fabric with one thread in five the label's white, ±0.03. */
const lightThreads = (x: number, y: number) => {
  const t = threadHash(x, y);
  return t % 5 === 0 ? WHITE + 0.06 * (t / 16 - 0.5) : 0.55 + 0.1 * (t / 16 - 0.5);
};
const inLabel = (x: number, y: number) => x >= 24 && x < 136 && y >= 16 && y < 104;
/** Black strokes two pixels wide, every eight. */
const inLetter = (x: number, y: number) => inLabel(x, y) && x % 8 < 2 && y % 16 < 12;
/** A hole through the label, showing the fabric. */
const inHole = (x: number, y: number) => x >= 100 && x < 124 && y >= 72 && y < 96;
const holeMiddle = (x: number, y: number) => x >= 106 && x < 118 && y >= 78 && y < 90;
/** The label's white, away from its outline and the hole (their rims are solved against the plate). */
const whiteOfLabel = (x: number, y: number) =>
  x >= 36 && x < 124 && y >= 28 && y < 92 && !inLetter(x, y) && !(x >= 96 && x < 128 && y >= 68 && y < 100);

/**
 * A white label with black letters over a light fabric, a hole through it. The network, at 1/8 of the size, holds
 * the label opaque, the hole too, and sees the blur of white and ink: its F is grey over the whole label.
 */
function label(fabricAt = weave) {
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = 3 * (y * W + x);
      const fabric = fabricAt(x, y);
      const seen = !inLabel(x, y) || inHole(x, y);
      plate.data.fill(fabric, p, p + 3);
      photo.data.fill(seen ? fabric : inLetter(x, y) ? INK : WHITE, p, p + 3);
    }
  const [gw, gh] = [W / 8, H / 8];
  const coarse = { alpha: createImage(gw, gh, 1), fg: createImage(gw, gh, 3, 0.4) };
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) if (inLabel(8 * x + 4, 8 * y + 4)) coarse.alpha.data[y * gw + x] = 1;
  const alpha = createImage(W, H, 1);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inLabel(x, y)) alpha.data[y * W + x] = 1;
  return { photo, plate: { image: plate, exposure: null }, coarse, alpha };
}

function solve(withSubjectColours: boolean) {
  const { photo, plate, coarse, alpha } = label();
  const gaps = withSubjectColours ? DEFAULT_GAPS : { ...DEFAULT_GAPS, subjectColours: undefined };
  refineWithPlate(cv, photo, plate, alpha, coarse, { gaps });
  return alpha;
}

test("a label's white that matches the fabric behind it is not opened as a gap; a hole through it is", () => {
  const opaque = (v: number) => v > 0.9;
  const without = solve(false);
  assert.ok(
    shareWhere(without.data, W, whiteOfLabel, opaque) < 0.9,
    "without the test, the white between the letters opens where the fabric is light",
  );
  const alpha = solve(true);
  const white = shareWhere(alpha.data, W, whiteOfLabel, opaque);
  assert.ok(white > 0.99, `label white opaque: ${white}`);
  const hole = shareWhere(alpha.data, W, holeMiddle, (v) => v < 0.1);
  assert.ok(hole > 0.95, `hole clear: ${hole}`);
});

test("a colour the subject has nearby: most pixels of it clearly off the plate, not a few of them", () => {
  const { photo, plate } = label();
  const exposed = { data: plate.image.data, ...SAME_EXPOSURE };
  const options = DEFAULT_SUBJECT_COLOURS;
  // The label's white, beside letters, over a light thread of the fabric.
  const y = 30;
  let x = 42;
  while (Math.abs(weave(x, y) - WHITE) > 0.02) x++;
  assert.ok(subjectColourNearby(photo, exposed, x, y, options), `at ${x}, ${y}`);
  // The fabric seen through the hole.
  assert.ok(!subjectColourNearby(photo, exposed, 112, 84, options));
  // One pixel of that colour clearly off the plate among many that are not: a plate's noise.
  const flat = createImage(9, 9, 3, 0.5);
  const flatPlate = { data: createImage(9, 9, 3, 0.5).data, ...SAME_EXPOSURE };
  flatPlate.data.fill(0.4, 0, 3);
  assert.ok(!subjectColourNearby(flat, flatPlate, 4, 4, options));
});

test("where the network holds the label but is unsure nearby, the solve's lowering of its white is undone; the hole's is not", () => {
  const { photo, plate, coarse } = label(lightThreads);
  // Unsure cells sprinkled over the label put all of it within the solve's reach; elsewhere the network holds 0.9.
  const [gw, gh] = [coarse.alpha.width, coarse.alpha.height];
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      const q = y * gw + x;
      if (coarse.alpha.data[q] > 0) coarse.alpha.data[q] = x % 3 === 1 && y % 3 === 1 ? 0.45 : 0.9;
    }
  const network = resize(coarse.alpha, W, H);
  // The white where it matches the fabric behind it (elsewhere F, grey, is on the wrong side for the solve).
  const held = (x: number, y: number) =>
    whiteOfLabel(x, y) &&
    Math.abs(lightThreads(x, y) - WHITE) < DEFAULT_GAPS.match &&
    network.data[y * W + x] >= DEFAULT_SUBJECT_COLOURS.heldAlpha;
  const alpha = { ...network, data: network.data.slice() };
  const heldOut = new Float32Array(W * H);
  refineWithPlate(cv, photo, plate, alpha, coarse, { gaps: DEFAULT_GAPS, heldOut });
  const kept = () => shareWhere(alpha.data, W, held, (v) => v >= 0.8);
  assert.ok(kept() < 0.5, `the solve reads the white as fabric: ${kept()}`);
  raiseToHeld(alpha, heldOut);
  assert.ok(kept() > 0.95, `label white held: ${kept()}`);
  assert.ok(shareWhere(alpha.data, W, holeMiddle, (v) => v < 0.1) > 0.95, "hole clear");
});
