import assert from "node:assert/strict";
import { test } from "node:test";
import { applyExposure, measureExposure } from "../src/align/exposure.js";
import { estimateHomography, warpPlate, warpPlateWithCoverage } from "../src/align/homography.js";
import { preparePlate } from "../src/align/prepare-plate.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { alignBackground, triangulateScene } from "../src/eval/triangulation.js";
import { resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { lcg, texturedScene } from "./fixtures.js";
import { HomographyTrack } from "../src/align/homography-track.js";

const cv = await loadOpenCV();

/** Homography of a rotation by `deg` and scale `s` about the centre, then a shift. */
function similarity(w: number, h: number, deg: number, s: number, dx: number, dy: number): number[] {
  const a = (deg * Math.PI) / 180;
  const c = s * Math.cos(a),
    si = s * Math.sin(a);
  const cx = w / 2,
    cy = h / 2;
  return [c, -si, cx - c * cx + si * cy + dx, si, c, cy - si * cx - c * cy + dy, 0, 0, 1];
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A,
    -(b * i - c * h),
    b * f - c * e,
    B,
    a * i - c * g,
    -(a * f - c * d),
    C,
    -(a * h - b * g),
    a * e - b * d,
  ].map((v) => v / det);
}

function apply(m: number[], x: number, y: number) {
  const z = m[6] * x + m[7] * y + m[8];
  return [(m[0] * x + m[1] * y + m[2]) / z, (m[3] * x + m[4] * y + m[5]) / z];
}

const W = 640,
  H = 480;

/** Median grey-level difference of the prepared plate, exposure-matched, to the true plate over a window of the
 * frame, outside the subject. */
function medianPlateError(
  prepared: ReturnType<typeof preparePlate>,
  truth: FloatImage,
  subject: FloatImage,
  { x0, x1, y0, y1 }: { x0: number; x1: number; y0: number; y1: number },
): number {
  const recovered = applyExposure(prepared.plate.image, prepared.exposure!);
  const diffs: number[] = [];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const p = y * W + x;
      if (subject.data[p]) continue;
      for (let ch = 0; ch < 3; ch++)
        diffs.push(Math.abs(recovered.data[3 * p + ch] - truth.data[3 * p + ch]) * 255);
    }
  diffs.sort((a, b) => a - b);
  return diffs[diffs.length >> 1];
}
const cases = [
  { deg: 3, s: 1.03, dx: 40, dy: -25 },
  { deg: -2, s: 0.97, dx: -30, dy: 40 },
  { deg: 0.5, s: 1.0, dx: 12, dy: 8 },
];

for (const [k, c] of cases.entries()) {
  test(`a plate moved by ${c.deg}°, ×${c.s}, (${c.dx}, ${c.dy}) px and re-exposed is recovered`, (t) => {
    const { image, plate: truth, subject } = texturedScene(W, H, 10 + k);
    // The user's plate: the true background seen by a moved camera, with another exposure.
    const moved = similarity(W, H, c.deg, c.s, c.dx, c.dy);
    const given = applyExposure(warpPlate(cv, truth, truth, moved), {
      gain: [1.12, 0.9, 1.05],
      bias: [0.03, -0.02, 0.01],
      ringPixels: 0,
    });
    const report = estimateHomography(cv, image, given);
    assert.ok(report.homography, report.reason);
    // Mean corner error of the estimated homography against the true one (which is the inverse move).
    const truthH = invert3(moved);
    const corners = [
      [0, 0],
      [W, 0],
      [0, H],
      [W, H],
    ];
    const err =
      corners.reduce((s, [x, y]) => {
        const [ex, ey] = apply(report.homography!, x, y);
        const [tx, ty] = apply(truthH, x, y);
        return s + Math.hypot(ex - tx, ey - ty);
      }, 0) / 4;
    assert.ok(err < 1.5, `mean corner error ${err.toFixed(2)} px`);
    assert.ok(report.residualBefore > 5 && report.residualAfter < 1, JSON.stringify(report));

    const small = (im: FloatImage) => resize(im, 320, 240);
    const prepared = preparePlate(cv, image, given, small, { align: "auto", exposure: true });
    assert.equal(prepared.alignment?.applied, true);
    // Away from the frame edge the move exposed.
    const median = medianPlateError(prepared, truth, subject, { x0: 50, x1: W - 50, y0: 50, y1: H - 50 });
    t.diagnostic(
      `mean corner error ${err.toFixed(3)} px; median |recovered − true| ${median.toFixed(2)} grey levels`,
    );
    assert.ok(median <= 3, `median |recovered − true| = ${median.toFixed(2)} grey levels`);
  });
}

test("where the aligned plate leaves the frame's edge empty, the exposure-matched plate is the photo there", () => {
  const { image, plate: truth } = texturedScene(W, H, 10);
  // A plate shot 30 % darker by a moved camera: the warp back leaves strips along the frame's edge uncovered.
  const moved = similarity(W, H, 3, 1.03, 40, -25);
  const given = applyExposure(warpPlate(cv, truth, truth, moved), {
    gain: [0.7, 0.7, 0.7],
    bias: [0, 0, 0],
    ringPixels: 0,
  });
  const small = (im: FloatImage) => resize(im, 320, 240);
  const prepared = preparePlate(cv, image, given, small, { align: "auto", exposure: true });
  assert.ok(prepared.alignment?.homography && prepared.exposure);
  const { plate: warped, coverage } = warpPlateWithCoverage(cv, given, image, prepared.alignment.homography);
  /** The largest departure of the exposure-matched plate from the photo where the warp left the frame empty. */
  const edgeDeparture = ({ plate, exposure }: typeof prepared) => {
    const matched = applyExposure(plate.image, exposure!);
    let [uncovered, worst] = [0, 0];
    for (let p = 0; p < coverage.length; p++) {
      if (coverage[p] > 0) continue;
      uncovered++;
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs(matched.data[3 * p + c] - image.data[3 * p + c]));
    }
    assert.ok(uncovered > 2000, `${uncovered} uncovered pixels`);
    return worst * 255;
  };
  const worst = edgeDeparture(prepared);
  assert.ok(worst < 1, `the matched plate departs from the photo by ${worst.toFixed(1)} grey levels`);
  // A plate the caller warped itself (a hand-held video's), with its coverage: the same, and its copy untouched.
  const before = warped.data.slice();
  const known = preparePlate(cv, image, warped, small, { align: "off", exposure: true }, undefined, {
    coverage,
  });
  assert.ok(edgeDeparture(known) < 1);
  assert.deepEqual(warped.data, before);
});

test("a plate of another aspect and size is brought onto the photo by its features; with alignment off, refused", () => {
  const { image, plate: truth, subject } = texturedScene(W, H, 11);
  // The plate as a square crop of the scene's middle (x 80–560), shot at 360 px: it does not reach the photo's sides.
  const square = createImage(480, 480, 3);
  for (let y = 0; y < 480; y++)
    square.data.set(truth.data.subarray(3 * (y * W + 80), 3 * (y * W + 560)), 3 * y * 480);
  const given = resize(square, 360, 360);
  const small = (im: FloatImage) => resize(im, 320, 240);
  const prepared = preparePlate(cv, image, given, small, { align: "auto", exposure: true });
  assert.equal(prepared.alignment?.applied, true);
  assert.equal(prepared.plate.image.width, W);
  assert.match(prepared.warnings.join(), /covers 75 % of the photo/);
  const median = medianPlateError(prepared, truth, subject, { x0: 100, x1: 540, y0: 20, y1: H - 20 });
  assert.ok(median <= 3, `median |recovered − true| = ${median.toFixed(2)} grey levels`);
  assert.throws(
    () => preparePlate(cv, image, given, small, { align: "off", exposure: true }),
    /plate is 360×360 but the photo is 640×480: their aspect ratios differ, and alignment is off/,
  );
});

test("a plate shot at 0.6 of the photo's exposure, different everywhere, is matched and the subject found", () => {
  const { image, plate: truth, subject } = texturedScene(W, H, 12);
  const given = applyExposure(truth, { gain: [0.6, 0.6, 0.6], bias: [0, 0, 0], ringPixels: 0 });
  const small = (im: FloatImage) => resize(im, 320, 240);
  const prepared = preparePlate(cv, image, given, small, { align: "off", exposure: true });
  for (const g of prepared.exposure!.gain) assert.ok(Math.abs(g - 1 / 0.6) < 0.05, `gain ${g.toFixed(3)}`);
  const mask = prepared.difference!.mask.data;
  const found = mask.reduce((n, v) => n + v, 0) / mask.length;
  const truthShare = subject.data.reduce((n, v) => n + v, 0) / subject.data.length;
  assert.ok(
    Math.abs(found - truthShare) < 0.03,
    `subject mask ${found.toFixed(3)} of the frame, truly ${truthShare.toFixed(3)}`,
  );
});

test("an aligned plate is left alone, and a featureless one falls back with a warning (or fails when required)", () => {
  const { image, plate } = texturedScene(W, H, 3);
  const small = (im: FloatImage) => resize(im, 320, 240);
  const same = preparePlate(cv, image, plate, small, { align: "auto", exposure: false });
  assert.equal(same.alignment?.applied, false);
  assert.match(same.alignment!.reason, /already aligned/);
  const flat = createImage(W, H, 3, 0.5);
  const fallback = preparePlate(cv, flat, flat, small, { align: "auto", exposure: false });
  assert.match(fallback.warnings.join(), /plate not aligned: too few features/);
  assert.throws(
    () => preparePlate(cv, flat, flat, small, { align: "on", exposure: false }),
    /cannot align the plate[\s\S]*--no-align/,
  );
});

test("exposure: the subject's shadow in the ring does not bias the fitted gain and bias", () => {
  const w = 320;
  const h = 240;
  const { image: scene, plate, subject } = texturedScene(w, h, 11);
  // The photo: the plate re-exposed (gain 1.12, bias −0.03), the subject, and its soft shadow beside it.
  const image = applyExposure(plate, {
    gain: [1.12, 1.12, 1.12],
    bias: [-0.03, -0.03, -0.03],
    ringPixels: 0,
  });
  for (let p = 0; p < w * h; p++) {
    const x = p % w;
    const y = Math.floor(p / w);
    if (subject.data[p]) image.data.set(scene.data.subarray(3 * p, 3 * p + 3), 3 * p);
    else if (Math.hypot(x - w * 0.62, y - h * 0.75) < h * 0.22)
      for (let c = 0; c < 3; c++) image.data[3 * p + c] *= 0.55;
  }
  const e = measureExposure(cv, image, plate, subject);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(e.gain[c] - 1.12) < 0.03, `gain ${e.gain[c].toFixed(3)} should be 1.12`);
    assert.ok(Math.abs(e.bias[c] + 0.03) < 0.015, `bias ${e.bias[c].toFixed(3)} should be −0.03`);
  }
});

test("evaluation: the reference α is triangulated with each background aligned to its shot and exposure-matched", () => {
  const w = 320,
    h = 240;
  const a = texturedScene(w, h, 31);
  const b = texturedScene(w, h, 32);
  // One subject (a's disc) in both shots: opaque above its centre line, 30 % cover (glass-like) below it.
  const alpha = createImage(w, h, 1);
  for (let p = 0; p < w * h; p++)
    if (a.subject.data[p]) alpha.data[p] = p < w * Math.round(h * 0.55) ? 1 : 0.3;
  const shot = (back: FloatImage) => {
    const out = { ...back, data: Float32Array.from(back.data) };
    const f = [0.9, 0.2, 0.3];
    for (let p = 0; p < w * h; p++)
      for (let c = 0; c < 3; c++)
        out.data[3 * p + c] = alpha.data[p] * f[c] + (1 - alpha.data[p]) * back.data[3 * p + c];
    return out;
  };
  const [compA, compB] = [shot(a.plate), shot(b.plate)];
  // Background b as realpairs' "b" pairs have it: the camera moved, and the exposure is 6 % brighter.
  const moved = warpPlate(cv, b.plate, b.plate, similarity(w, h, 0.3, 1.01, 3, -2));
  const brighter = (im: FloatImage) => ({ ...im, data: im.data.map((v) => Math.min(1, v * 1.06)) });
  const errors = (est: FloatImage) => {
    const sums = { all: 0, glass: 0, glassCount: 0 };
    for (let p = 0; p < w * h; p++) {
      const e = Math.abs(est.data[p] - alpha.data[p]);
      sums.all += e / (w * h);
      if (Math.abs(alpha.data[p] - 0.3) < 1e-6)
        [sums.glass, sums.glassCount] = [sums.glass + e, sums.glassCount + 1];
    }
    return { all: sums.all, glass: sums.glass / sums.glassCount };
  };
  const naive = (backB: FloatImage) =>
    errors(triangulateScene(cv, compA, compB, a.plate, backB, { align: false, exposure: false }));
  const matched = (backB: FloatImage) => errors(triangulateScene(cv, compA, compB, a.plate, backB));
  // Moved: the shift reads as α all over the textured background, unless b is aligned first.
  const [movedNaive, movedMatched] = [naive(moved), matched(moved)];
  assert.ok(movedNaive.all > 0.015, `the shift reads as α: ${movedNaive.all}`);
  assert.ok(movedMatched.all < 0.25 * movedNaive.all, `${movedMatched.all} vs ${movedNaive.all}`);
  // Re-exposed: a brighter plate adds α over every see-through pixel, unless its gain is matched first.
  const [litNaive, litMatched] = [naive(brighter(b.plate)), matched(brighter(b.plate))];
  assert.ok(litNaive.glass > 0.02, `the exposure change reads as α on the glass: ${litNaive.glass}`);
  assert.ok(litMatched.glass < 0.4 * litNaive.glass, `${litMatched.glass} vs ${litNaive.glass}`);
  // Both at once, as scene06b has them.
  const [bothNaive, bothMatched] = [naive(brighter(moved)), matched(brighter(moved))];
  assert.ok(bothMatched.all < 0.25 * bothNaive.all, `${bothMatched.all} vs ${bothNaive.all}`);
  assert.ok(bothMatched.glass < 0.5 * bothNaive.glass, `${bothMatched.glass} vs ${bothNaive.glass}`);
  // A background that already fits is used as shot.
  assert.equal(alignBackground(cv, compA, a.plate), a.plate);
});

test("hand-held track: follows sway and a jump on the frame they happen, averages noise, mends wrong estimates", (ctx) => {
  const W = 200,
    H = 100;
  const shift = (dx: number, dy: number) => [1, 0, dx, 0, 1, dy, 0, 0, 1];
  // Frames 0–9: the hand is still. From frame 10 it has jumped by (12, −6) and sways by up to 3 px (1.5 px from frame
  // to frame). Every estimate is off by up to 0.25 px; frame 4 has none (too few features) and frame 15's locked onto
  // something else (25 px off).
  const rand = lcg(3);
  const truth = (t: number) => (t < 10 ? [0, 0] : [12 + 3 * Math.sin(0.5 * t), -6 + 2 * Math.cos(0.35 * t)]);
  const track = new HomographyTrack(cv, W, H);
  const noise: number[] = [];
  for (let t = 0; t < 20; t++) {
    const [x, y] = truth(t);
    const [nx, ny] = [(rand() - 0.5) * 0.5, (rand() - 0.5) * 0.5];
    noise.push(Math.hypot(nx, ny));
    track.record(t, t === 4 ? null : t === 15 ? shift(x + 25, y) : shift(x + nx, y + ny));
  }
  const errors: number[] = [];
  for (let t = 0; t < 20; t++) {
    const h = track.filtered(t, 19);
    assert.ok(h, `frame ${t} has no homography`); // frame 4 takes its neighbours'
    const [x, y] = truth(t);
    errors.push(Math.hypot(h[2] / h[8] - x, h[5] / h[8] - y));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const still = (xs: number[]) => xs.filter((_, t) => t < 10 && t !== 4);
  const said = `errors ${errors.map((e) => e.toFixed(2)).join(" ")} px; still: raw ${mean(still(noise)).toFixed(3)}`;
  ctx.diagnostic(said);
  assert.ok(Math.max(...errors) < 0.6, said); // a lagging filter is off by most of the 13 px jump
  assert.ok(mean(still(errors)) < 0.75 * mean(still(noise)), said);
});
