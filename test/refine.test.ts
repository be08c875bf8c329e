import assert from "node:assert/strict";
import { test } from "node:test";
import { applyExposure, type ExposureReport } from "../src/align/exposure.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { makeScene } from "../src/eval/synthetic-scene.js";
import { resize } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { boxFilter } from "../src/image/box-filter.js";
import { DEFAULT_GAPS, refineWithPlate } from "../src/refine/compositing-equation.js";
import { guidedUpsample } from "../src/refine/guided-upsample.js";
import { doubtedPixels } from "../src/postprocess/second-opinion.js";

/** A network's output at 1/8 of a W × H frame: α `held` over the cells whose centre is `inside`, F one colour. */
function coarseAtEighth(
  W: number,
  H: number,
  inside: (x: number, y: number) => boolean,
  held: number,
  colour: number[],
) {
  const alpha = createImage(W / 8, H / 8, 1);
  const fg = createImage(W / 8, H / 8, 3);
  for (let y = 0; y < H / 8; y++)
    for (let x = 0; x < W / 8; x++) {
      const q = y * (W / 8) + x;
      alpha.data[q] = inside(8 * x + 4, 8 * y + 4) ? held : 0;
      fg.data.set(colour, 3 * q);
    }
  return { alpha, fg };
}

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

test("guided upsampling does not carry background texture into the matte beside a subject's edge", () => {
  // A subject on the left third, high-contrast railings (vertical bars) in the background right of it.
  const [W, H] = [192, 64];
  const high = createImage(W, H, 3);
  const truth = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const fg = x < 64 ? 1 : 0;
      truth.data[y * W + x] = fg;
      high.data.set(
        fg ? [0.4, 0.35, 0.3] : Math.floor(x / 6) % 2 ? [0.95, 0.95, 0.95] : [0.05, 0.05, 0.05],
        3 * (y * W + x),
      );
    }
  const [lw, lh] = [W / 12, H / 12 + (4 - ((H / 12) % 4))];
  const low = resize(high, lw, lh);
  const alphaLow = resize(truth, lw, lh);
  // Three network pixels and more from the edge, the matte and its 3×3 neighbours are 0 at low resolution.
  const far = (x: number) => x >= 64 + 3 * 12;
  const ghost = (a: Float32Array) => Math.max(...[...a].filter((_, p) => far(p % W)));
  const clamped = guidedUpsample(alphaLow, low, high);
  const unclamped = guidedUpsample(alphaLow, low, high, { radius: 2, eps: 1e-3 });
  assert.ok(
    ghost(unclamped.data) > 0.05,
    `the unclamped filter shows the railings (${ghost(unclamped.data)})`,
  );
  assert.ok(ghost(clamped.data) < 0.01, `railings leak into α: ${ghost(clamped.data)}`);
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

test("compositing-equation refinement leaves the inside of an opaque subject alone, even where it matches the plate", async () => {
  const cv = await loadOpenCV();
  const [W, H] = [240, 160];
  // A large opaque disc in skin colour on a bright plate; a patch of its inside (a forehead's highlight) has nearly
  // the plate's colour. The network calls the whole disc 0.93 (not confidently opaque).
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const inside = (x: number, y: number) => Math.hypot(x - W / 2, y - H / 2) < 70;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      plate.data.set([0.85, 0.88, 0.92], 3 * p);
      const patch = Math.abs(x - W / 2) < 20 && Math.abs(y - H / 2) < 10;
      photo.data.set(!inside(x, y) ? [0.85, 0.88, 0.92] : patch ? [0.8, 0.8, 0.82] : [0.85, 0.6, 0.5], 3 * p);
    }
  const { alpha: coarseAlpha, fg: coarseFg } = coarseAtEighth(W, H, inside, 0.93, [0.85, 0.6, 0.5]);
  const alpha = resize(coarseAlpha, W, H);
  const before = alpha.data.slice();
  refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, { alpha: coarseAlpha, fg: coarseFg });
  const centre = (H / 2) * W + W / 2;
  assert.equal(alpha.data[centre], before[centre], "the inside keeps the network's α");
  // The edge is still solved: along the disc's boundary α moves.
  const edge = (H / 2) * W + (W / 2 + 69);
  assert.notEqual(alpha.data[edge], before[edge]);
});

test("where a second network doubts what the network holds opaque, the solve decides: the sky in a loop of hair", async () => {
  const cv = await loadOpenCV();
  const [W, H] = [240, 160];
  // Dark hair held opaque (α 1) by the network over a bright sky; in a loop of it, 16 × 12 px, the sky shows through
  // strands at 30 % cover. A second network calls the loop 0.5, the hair elsewhere 0.95.
  const [SKY, HAIR] = [
    [0.6, 0.75, 0.9],
    [0.25, 0.18, 0.12],
  ];
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const inHair = (x: number, y: number) => Math.hypot(x - W / 2, y - H / 2) < 70;
  const inLoop = (x: number, y: number) => Math.abs(x - W / 2) < 8 && Math.abs(y - H / 2 + 30) < 6;
  const opinion = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      plate.data.set(SKY, 3 * p);
      const cover = !inHair(x, y) ? 0 : inLoop(x, y) ? 0.3 : 1;
      photo.data.set(
        [0, 1, 2].map((c) => cover * HAIR[c] + (1 - cover) * SKY[c]),
        3 * p,
      );
      opinion.data[p] = !inHair(x, y) ? 0 : inLoop(x, y) ? 0.5 : 0.95;
    }
  const { alpha: coarseAlpha, fg: coarseFg } = coarseAtEighth(W, H, inHair, 1, HAIR);
  const solve = (doubted?: Uint8Array) => {
    const alpha = resize(coarseAlpha, W, H);
    refineWithPlate(
      cv,
      photo,
      { image: plate, exposure: null },
      alpha,
      { alpha: coarseAlpha, fg: coarseFg },
      {
        doubted,
      },
    );
    return alpha;
  };
  const loop = (H / 2 - 30) * W + W / 2;
  const solid = (H / 2 + 30) * W + W / 2;
  assert.ok(solve().data[loop] > 0.95, "alone, the network's opaque loop stays");
  // The hair covers 40 % of the region; the region, all of the frame.
  const opened = solve(doubtedPixels(cv, opinion, coarseAlpha, 1));
  assert.ok(Math.abs(opened.data[loop] - 0.3) < 0.05, `the loop's α ${opened.data[loop]}`);
  assert.ok(opened.data[solid] > 0.99, "the hair the second network holds stays");
  // The same region as a hundredth of a wide frame: the hair is 0.4 % of it, too small for the second network to judge.
  const far = solve(doubtedPixels(cv, opinion, coarseAlpha, 0.01));
  assert.ok(far.data[loop] > 0.95, `a subject small in the frame keeps the network's α: ${far.data[loop]}`);
});

test("compositing-equation refinement fades out at the edge of the region it solves: no seams on the cell grid", async () => {
  const cv = await loadOpenCV();
  const scene = makeScene(320, 240);
  const coarse = { alpha: resize(scene.alpha, 40, 30), fg: resize(scene.fg, 40, 30) };
  const alpha = resize(coarse.alpha, 320, 240);
  const before = alpha.data.slice();
  refineWithPlate(cv, scene.photo, { image: scene.plate, exposure: null }, alpha, coarse);
  // The change the solve makes, compared across each boundary between network cells (every 8 pixels) and
  // between neighbours inside a cell: a hard-edged region makes the former jump.
  const change = (p: number) => alpha.data[p] - before[p];
  let [across, within, nAcross, nWithin] = [0, 0, 0, 0];
  for (let y = 0; y < 240; y++)
    for (let x = 1; x < 320; x++) {
      const d = Math.abs(change(y * 320 + x) - change(y * 320 + x - 1));
      if (x % 8 === 0) [across, nAcross] = [across + d, nAcross + 1];
      else [within, nWithin] = [within + d, nWithin + 1];
    }
  assert.ok(
    across / nAcross < 1.5 * (within / nWithin),
    `seams: ${across / nAcross} across vs ${within / nWithin} within`,
  );
});

test("gap opening: the plate seen between strands inside the network's opaque region is opened; a subject the plate's colour is not", async () => {
  const cv = await loadOpenCV();
  const [W, H] = [240, 160];
  // A dark block of vertical strands (2 px wide, 2 px apart) over a light plate, and beside it a solid block the
  // plate's colour (camouflage). The network calls both opaque, with the strands' colour as F over the strands and
  // the plate's colour as F over the camouflaged block.
  const plateColour = [0.8, 0.75, 0.7];
  const strands = (x: number, y: number) => x >= 30 && x < 110 && y >= 40 && y < 120;
  const camouflage = (x: number, y: number) => x >= 130 && x < 210 && y >= 40 && y < 120;
  const photo = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      plate.data.set(plateColour, 3 * p);
      const strand = strands(x, y) && x % 4 < 2;
      photo.data.set(strand ? [0.2, 0.25, 0.1] : plateColour.map((v) => v + 0.02), 3 * p);
    }
  const [gw, gh] = [W / 8, H / 8];
  const coarse = { alpha: createImage(gw, gh, 1), fg: createImage(gw, gh, 3) };
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) {
      const [cx, cy, q] = [8 * x + 4, 8 * y + 4, y * gw + x];
      if (strands(cx, cy)) coarse.alpha.data[q] = 1;
      if (camouflage(cx, cy)) coarse.alpha.data[q] = 1;
      coarse.fg.data.set(strands(cx, cy) ? [0.2, 0.25, 0.1] : plateColour, 3 * q);
    }
  const run = (gaps?: { match: number; contrast: number }) => {
    const alpha = resize(coarse.alpha, W, H);
    refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, { gaps });
    return alpha;
  };
  const [strandPixel, gapPixel, camouflaged] = [80 * W + 72, 80 * W + 74, 80 * W + 170]; // x % 4: 0 strand, 2 gap
  const without = run();
  assert.ok(without.data[gapPixel] > 0.95, "without gap opening the gap stays as the network called it");
  const opened = run(DEFAULT_GAPS);
  assert.ok(opened.data[gapPixel] < 0.1, `the gap opens: α ${opened.data[gapPixel]}`);
  assert.ok(opened.data[strandPixel] > 0.95, "the strand stays opaque");
  assert.ok(opened.data[camouflaged] > 0.95, "a subject the plate's colour keeps its α");
});
