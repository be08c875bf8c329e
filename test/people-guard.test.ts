import assert from "node:assert/strict";
import { test } from "node:test";
import { createImage, type FloatImage } from "../src/image/types.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { guardPeople } from "../src/postprocess/people-guard.js";

const cv = await loadOpenCV();
const W = 200,
  H = 150;
/**
 * A disc of the given colour on a wall of another, its matte 1 inside; `hole(x, y)` says where α is 0. `k` scales the
 * frame (W × H) and the disc alike; `hole` is given the frame's own coordinates.
 */
function scene(subject: number[], wall: number[], hole: (x: number, y: number) => boolean, k = 1) {
  const [width, height] = [W * k, H * k];
  const image = createImage(width, height, 3);
  const alpha = createImage(width, height, 1);
  const solid = createImage(width, height, 1);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x / k - 100, y / k - 75);
      const p = y * width + x;
      const inside = d < 60;
      const open = inside && hole(x, y);
      alpha.data[p] = inside && !open ? 1 : 0;
      image.data.set(inside && !open ? subject : wall, 3 * p);
      if (d < 45) solid.data[p] = 1; // the segmenter's sure interior
    }
  return { image, alpha, solid };
}
const holesIn = (a: FloatImage, inside: (x: number, y: number) => boolean) => {
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) if (inside(x, y) && a.data[y * a.width + x] < 0.9) n++;
  return n;
};

test("a hole in a found face is filled where the skin continues into it, however large", () => {
  const skin = [0.85, 0.7, 0.6];
  // Skin the colour of the sky behind: a hole of 8 % of the frame (150 px across in a 1920-px photo).
  const hole = (x: number, y: number) => Math.hypot(x - 95, y - 70) < 8;
  const s = scene(skin, [0.3, 0.4, 0.8], hole);
  for (let p = 0; p < W * H; p++)
    if (s.alpha.data[p] === 0 && hole(p % W, Math.floor(p / W))) s.image.data.set(skin, 3 * p);
  guardPeople(cv, s.alpha, s.image, s.solid);
  assert.equal(holesIn(s.alpha, hole), 0);
});

test("gaps that show the background keep open, and nothing changes outside the sure interior", () => {
  const gaps = (x: number, y: number) => x % 12 < 5 && y % 12 < 5; // a weave: the wall shows through
  const s = scene([0.7, 0.45, 0.2], [0.2, 0.5, 0.3], gaps);
  const before = holesIn(s.alpha, (x, y) => Math.hypot(x - 100, y - 75) < 45 && gaps(x, y));
  const outside = s.alpha.data.filter((_, p) => s.solid.data[p] === 0);
  guardPeople(cv, s.alpha, s.image, s.solid);
  assert.ok(before > 300);
  assert.equal(
    holesIn(s.alpha, (x, y) => Math.hypot(x - 100, y - 75) < 45 && gaps(x, y)),
    before,
  );
  assert.deepEqual(
    s.alpha.data.filter((_, p) => s.solid.data[p] === 0),
    outside,
  );
});

test("on a person with a face, holes in the sure interior that are wide or closed all round are filled whatever their colour; gaps opening onto the background keep", async () => {
  // The print's dark patches and a thin dark line of it are the colour of the room behind; strands of hair leave
  // gaps a pixel wide that run out past the sure interior to the background.
  const patches = (x: number, y: number) => x < 100 && x % 20 < 12 && y % 20 < 12;
  const line = (x: number, y: number) => y === 94 && x >= 70 && x <= 85;
  const strands = (x: number, _y: number) => x >= 100 && x % 4 === 0;
  const s = scene([0.7, 0.45, 0.2], [0.2, 0.5, 0.3], (x, y) => patches(x, y) || line(x, y) || strands(x, y));
  const inside = (x: number, y: number) => Math.hypot(x - 100, y - 75) < 44;
  const before = holesIn(s.alpha, (x, y) => inside(x, y) && strands(x, y));
  const outside = s.alpha.data.filter((_, p) => s.solid.data[p] === 0);
  guardPeople(cv, s.alpha, s.image, s.solid, { certain: s.solid });
  // (Slivers of patches that the interior's rim cuts run out of it: only the patches well inside are counted.)
  assert.equal(
    holesIn(s.alpha, (x, y) => Math.hypot(x - 100, y - 75) < 36 && (patches(x, y) || line(x, y))),
    0,
  );
  assert.ok(before > 100);
  assert.equal(
    holesIn(s.alpha, (x, y) => inside(x, y) && strands(x, y)),
    before,
  );
  assert.deepEqual(
    s.alpha.data.filter((_, p) => s.solid.data[p] === 0),
    outside,
  );
});

test("on a person too small for gaps between strands of hair to show, every hole in the sure interior is filled", () => {
  // A lace of thin lines of the room's colour that join one another and run out past the sure interior, as a small
  // person's print comes out of a low-resolution matte: kept as hair's gaps on a person the whole frame shows.
  const lace = (x: number, y: number) => (x + y) % 6 === 0 || (x - y + 300) % 6 === 0;
  const inside = (x: number, y: number) => Math.hypot(x - 100, y - 75) < 44;
  const run = (small: boolean) => {
    const s = scene([0.7, 0.45, 0.2], [0.2, 0.5, 0.3], lace);
    const outside = s.alpha.data.filter((_, p) => s.solid.data[p] === 0);
    guardPeople(cv, s.alpha, s.image, s.solid, { certain: s.solid, small: small ? s.solid : null });
    assert.deepEqual(
      s.alpha.data.filter((_, p) => s.solid.data[p] === 0),
      outside,
    );
    return holesIn(s.alpha, (x, y) => inside(x, y) && lace(x, y));
  };
  assert.ok(run(false) > 500);
  assert.equal(run(true), 0);
});

test("a found torso that the matte calls mostly but not fully opaque is made opaque; below half it is left", () => {
  // A wide band across the disc of another colour than the rest, at α 0.7: too wide and too different for the
  // neighbourhood rules.
  const band = (x: number, y: number) => Math.abs(y - 75) < 20;
  const s = scene([0.6, 0.6, 0.6], [0.55, 0.55, 0.55], () => false);
  const faint = scene([0.6, 0.6, 0.6], [0.55, 0.55, 0.55], () => false);
  for (let p = 0; p < W * H; p++) {
    if (!band(p % W, Math.floor(p / W)) || s.alpha.data[p] === 0) continue;
    s.alpha.data[p] = 0.7;
    faint.alpha.data[p] = 0.3;
    s.image.data.set([0.2, 0.3, 0.5], 3 * p);
    faint.image.data.set([0.2, 0.3, 0.5], 3 * p);
  }
  const sure = (x: number, y: number) => Math.hypot(x - 100, y - 75) < 45;
  guardPeople(cv, s.alpha, s.image, s.solid);
  guardPeople(cv, faint.alpha, faint.image, faint.solid);
  assert.equal(
    holesIn(s.alpha, (x, y) => sure(x, y) && band(x, y)),
    0,
  );
  assert.ok(holesIn(faint.alpha, (x, y) => sure(x, y) && band(x, y)) > 1000);
});

test("a small speck inside a mostly solid region is filled whatever its colour", () => {
  const speck = (x: number, y: number) => (x === 100 || x === 101) && (y === 75 || y === 76);
  const s = scene([0.7, 0.45, 0.2], [0.2, 0.5, 0.3], speck);
  guardPeople(cv, s.alpha, s.image, s.solid);
  assert.equal(holesIn(s.alpha, speck), 0);
});

test("in a mostly solid region, a hole is filled where its colour is near the subject's, and a gap far from it stays", () => {
  // In a 1000-px frame, two 6 × 6 holes in a disc that is otherwise whole: wider than a speck, and small against the
  // neighbourhood. One is in a shade of the subject's colour, one shows the wall behind (the blue between a wicker
  // ball's orange canes).
  const shade = (x: number, y: number) => x >= 400 && x < 406 && y >= 372 && y < 378;
  const gap = (x: number, y: number) => x >= 560 && x < 566 && y >= 372 && y < 378;
  const s = scene([0.7, 0.45, 0.2], [0.2, 0.5, 0.8], (x, y) => shade(x, y) || gap(x, y), 5);
  for (let p = 0; p < s.alpha.data.length; p++)
    if (shade(p % s.alpha.width, Math.floor(p / s.alpha.width))) s.image.data.set([0.5, 0.3, 0.1], 3 * p);
  guardPeople(cv, s.alpha, s.image, s.solid);
  assert.equal(holesIn(s.alpha, shade), 0);
  assert.equal(holesIn(s.alpha, gap), 36);
});

test("a sure interior found at a lower resolution is solid up to its enlarged edge, not partly opaque", () => {
  // The analysis-size mask is a quarter of the matte's size: enlarged, its edge ramps over four pixels.
  const s = scene([0.6, 0.6, 0.6], [0.55, 0.55, 0.55], () => false);
  s.alpha.data.fill(0.7);
  const small = createImage(W / 4, Math.ceil(H / 4), 1);
  for (let y = 0; y < small.height; y++)
    for (let x = 0; x < small.width; x++)
      small.data[y * small.width + x] = Math.hypot(4 * x + 1.5 - 100, 4 * y + 1.5 - 75) < 45 ? 1 : 0;
  guardPeople(cv, s.alpha, s.image, small);
  const values = new Set(s.alpha.data);
  assert.deepEqual([...values].sort(), [0.699999988079071, 1]);
  let solid = 0;
  for (const v of s.alpha.data) if (v === 1) solid++;
  assert.ok(Math.abs(solid - Math.PI * 45 * 45) < 0.05 * Math.PI * 45 * 45, `${solid} solid pixels`);
});

test("where the photo shows the plate's texture the guard holds nothing; over a flat plate it fills as before", () => {
  const dark = [0.3, 0.3, 0.3];
  // A patch of the sure interior that the matte calls background and whose colour continues the subject's: the
  // plate's rocks there, of the subject's shade, which the photo reproduces grain for grain.
  const patch = (x: number, y: number) => Math.hypot(x - 85, y - 75) < 14;
  // Its core, farther than the texture's window from the opaque subject around it.
  const core = (x: number, y: number) => Math.hypot(x - 85, y - 75) < 10;
  const coreArea = holesIn(scene(dark, dark, core).alpha, core);
  const fill = (textured: boolean) => {
    const s = scene(dark, [0.6, 0.6, 0.6], patch);
    const plate = { image: createImage(W, H, 3), exposure: null };
    for (let p = 0; p < W * H; p++) {
      const grain = textured ? (Math.sin(p * 12.9898) > 0 ? 0.05 : -0.05) : 0;
      const shown = dark.map((v) => v + grain);
      plate.image.data.set(shown, 3 * p);
      if (patch(p % W, Math.floor(p / W))) s.image.data.set(shown, 3 * p);
    }
    const [withPlate, warpedEmpty] = [0, 1].map(() => ({ data: s.alpha.data.slice() }));
    guardPeople(cv, s.alpha, s.image, s.solid);
    guardPeople(cv, { ...s.alpha, ...withPlate }, s.image, s.solid, { behind: { plate } });
    // Where a warp left the plate empty it holds the photo: that is no texture shown.
    const coverage = new Float32Array(W * H).fill(0.5);
    guardPeople(cv, { ...s.alpha, ...warpedEmpty }, s.image, s.solid, { behind: { plate, coverage } });
    return [s.alpha.data, withPlate.data, warpedEmpty.data].map((data) =>
      holesIn({ ...s.alpha, data }, core),
    );
  };
  const [withoutPlate, shown, warpedEmpty] = fill(true);
  assert.equal(withoutPlate, 0, "without the plate the colour rule fills the patch");
  assert.equal(shown, coreArea, "the plate's texture shows: the patch stays open");
  assert.equal(warpedEmpty, 0, "the plate holds the photo: filled");
  assert.deepEqual(fill(false), [0, 0, 0], "a flat plate says nothing: filled");
});

test("where the photo repeats the plate's fine grain, too faint for the texture test, the guard holds nothing", () => {
  const dark = [0.3, 0.3, 0.3];
  const patch = (x: number, y: number) => Math.hypot(x - 85, y - 75) < 14;
  const core = (x: number, y: number) => Math.hypot(x - 85, y - 75) < 10;
  const coreArea = holesIn(scene(dark, dark, core).alpha, core);
  /** Camera noise of ±0.01, different in every shot. */
  const noise = (p: number, shot: number) => (((p * 2654435761 + shot * 40503) >>> 0) % 1001) / 50000 - 0.01;
  // The plate's rocks in shade: a grain of ±0.01 (the texture test's spread is 0.025), under each shot's noise.
  const rocks = (p: number, shot: number) =>
    dark.map((v) => v + (Math.sin(p * 12.9898) > 0 ? 0.01 : -0.01) + noise(p, shot));
  // The person's own dark clothes: a knit stronger than the rocks' grain, which the plate does not have.
  const knit = (p: number) => dark.map((v) => v + (Math.sin(p * 78.233) > 0 ? 0.02 : -0.02) + noise(p, 1));
  /** Below this row the warp left the plate empty: it holds the photo there. */
  const warpEdge = 78;
  const fill = (seen: boolean, warped = false) => {
    const s = scene(dark, [0.6, 0.6, 0.6], patch);
    const plate = { image: createImage(W, H, 3), exposure: null };
    const coverage = new Float32Array(W * H).fill(1);
    for (let p = 0; p < W * H; p++) {
      plate.image.data.set(rocks(p, 0), 3 * p);
      if (patch(p % W, Math.floor(p / W))) s.image.data.set(seen ? rocks(p, 1) : knit(p), 3 * p);
      if (warped && Math.floor(p / W) >= warpEdge) {
        coverage[p] = 0;
        plate.image.data.set(s.image.data.subarray(3 * p, 3 * p + 3), 3 * p);
      }
    }
    guardPeople(cv, s.alpha, s.image, s.solid, { behind: { plate, coverage } });
    return holesIn(s.alpha, core);
  };
  assert.equal(fill(true), coreArea, "the rocks' grain shows: the patch stays open");
  assert.equal(fill(false), 0, "her clothes repeat none of it: filled");
  // Where the plate holds the photo, photo and plate share every grain; that strip is no sign of the plate.
  assert.equal(fill(false, true), 0, "the empty warp's strip lets none of her go");
});
