import assert from "node:assert/strict";
import { test } from "node:test";
import { cropPlate } from "../src/align/plate.js";
import { gaussianBlur } from "../src/cv/mask-ops.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import {
  DEFAULT_HIDDEN_PLATE_HOLES,
  fillHolesHidingThePlate,
} from "../src/postprocess/holes-hiding-the-plate.js";
import { shareWhere } from "./fixtures.js";

const cv = await loadOpenCV();
const W = 240,
  H = 180;
/** Gravel: grey grain of ±0.15 from pixel to pixel, well above a camera's noise. */
const grain = (x: number, y: number) => (((x * 7919 + y * 104729) ^ (x * y * 31)) % 17) / 16 - 0.5;
const gravel = (x: number, y: number) => [0, 0, 0].map(() => 0.5 + 0.3 * grain(x, y));
const smoothWall = (x: number) => [0.8, 0.72, 0.55].map((v) => v * (0.95 + (0.1 * x) / W));
const ORANGE = [0.95, 0.55, 0.1];
const inBody = (x: number, y: number) => x >= 40 && x < 200 && y >= 30 && y < 150;
const inHole = (x: number, y: number) => x >= 90 && x < 150 && y >= 60 && y < 120;

/**
 * A solid body the network found, with a hole it left open in its middle (or, `open`, a notch running to the
 * frame's top). The photo shows `hole(x, y)` there and the plate `plateAt` everywhere else.
 */
function scene(
  hole: (x: number, y: number) => number[],
  { plateAt = gravel, open = false }: { plateAt?: (x: number, y: number) => number[]; open?: boolean } = {},
) {
  const image = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const alpha = createImage(W, H, 1);
  const holeAt = (x: number, y: number) => inHole(x, y) || (open && x >= 90 && x < 150 && y < 60);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      plate.data.set(plateAt(x, y), 3 * p);
      const body = inBody(x, y) && !holeAt(x, y);
      image.data.set(body ? ORANGE : holeAt(x, y) ? hole(x, y) : plateAt(x, y), 3 * p);
      alpha.data[p] = body ? 1 : 0;
    }
  return { image, plate, alpha };
}

const filledShare = (alpha: FloatImage) => shareWhere(alpha.data, W, inHole, (v) => v === 1);

test("a hole that is flat over a textured plate is subject: a dark coat before a bookcase", () => {
  const { image, plate, alpha } = scene(() => [0.5, 0.5, 0.5]);
  const network = resize(alpha, W / 4, H / 4);
  assert.ok(fillHolesHidingThePlate(cv, image, { image: plate, exposure: null }, alpha, network) > 0);
  assert.equal(filledShare(alpha), 1);
  // Looked for at the network's size first: a network with no hole there has none to fill.
  const again = scene(() => [0.5, 0.5, 0.5]);
  const solid = createImage(W / 4, H / 4, 1);
  solid.data.fill(1);
  assert.equal(
    fillHolesHidingThePlate(cv, again.image, { image: again.plate, exposure: null }, again.alpha, solid),
    0,
  );
});

test("a gap that shows the plate's texture stays open, shifted by a hand-held camera too", () => {
  for (const shift of [0, 2]) {
    const { image, plate, alpha } = scene((x, y) => gravel(x + shift, y));
    assert.equal(
      fillHolesHidingThePlate(cv, image, { image: plate, exposure: null }, alpha),
      0,
      `shift ${shift}`,
    );
    assert.equal(filledShare(alpha), 0);
  }
});

test("on a flat plate nothing tells a hole from a gap: the network's call stands", () => {
  const { image, plate, alpha } = scene((x) => smoothWall(x).map((v) => v + 0.01), { plateAt: smoothWall });
  assert.equal(fillHolesHidingThePlate(cv, image, { image: plate, exposure: null }, alpha), 0);
});

test("a region open to the outside is not a hole, however flat", () => {
  const { image, plate, alpha } = scene(() => [0.5, 0.5, 0.5], { open: true });
  assert.equal(fillHolesHidingThePlate(cv, image, { image: plate, exposure: null }, alpha), 0);
});

test("a hole joined to the outside only through a narrow gap in the subject is a hole; a wide opening is not", () => {
  // A slit 6 px wide from the hole to the frame's top: the shaded rim of a bottle the matte held partly.
  const slit = (x: number, y: number) => x >= 117 && x < 123 && y < 60;
  const withSlit = () => {
    const s = scene(() => [0.5, 0.5, 0.5]);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (slit(x, y)) s.alpha.data[y * W + x] = 0;
    return s;
  };
  const nearly = withSlit();
  assert.ok(
    fillHolesHidingThePlate(cv, nearly.image, { image: nearly.plate, exposure: null }, nearly.alpha) > 0,
  );
  assert.equal(filledShare(nearly.alpha), 1);
  const closedOnly = withSlit();
  const options = { ...DEFAULT_HIDDEN_PLATE_HOLES, leak: 0 };
  const plate = { image: closedOnly.plate, exposure: null };
  assert.equal(fillHolesHidingThePlate(cv, closedOnly.image, plate, closedOnly.alpha, undefined, options), 0);
  // The notch as wide as the hole (60 px) stays open at the default leak (the test above).
});

/** Camera noise of ±0.01, different in every shot (`shot`). */
const noise = (x: number, y: number, shot: number) =>
  (((((x + 31 * shot) * 2654435761) ^ ((y + 17 * shot) * 40503)) >>> 0) % 1001) / 50000 - 0.01;
/** A wall with a fine grain of ±0.015 (its paint), faint beside the texture test's spread, as each shot sees it. */
const paintedWall = (shot: number) => (x: number, y: number) =>
  smoothWall(x).map((v) => v + 0.03 * grain(x, y) + noise(x, y, shot));

/**
 * The subject before a wall (`wall(shot)`): the plate is shot 0 of it, the photo shows shot 1 around the subject and
 * `hole(x, y)` in its hole.
 */
function beforeWall(
  wall: (shot: number) => (x: number, y: number) => number[],
  hole: (x: number, y: number) => number[],
) {
  const s = scene(hole, { plateAt: wall(0) });
  for (let p = 0; p < W * H; p++) {
    const [x, y] = [p % W, Math.floor(p / W)];
    if (!s.alpha.data[p] && !inHole(x, y)) s.image.data.set(wall(1)(x, y), 3 * p);
  }
  return { image: s.image, behind: { image: s.plate, exposure: null }, alpha: s.alpha };
}

test("over a plate whose fine grain the photo repeats around the subject, a hole that repeats none of it is filled", () => {
  // Flat, of the wall's very colour (a shape's inside the plate's colour): only the missing grain tells.
  const { image, behind, alpha } = beforeWall(paintedWall, (x, y) =>
    smoothWall(x).map((v) => v + noise(x, y, 1)),
  );
  // Too faint for the texture test: without the grain's, the hole stays.
  const withoutGrain = { ...DEFAULT_HIDDEN_PLATE_HOLES, grain: undefined };
  const held = { ...alpha, data: alpha.data.slice() };
  assert.equal(fillHolesHidingThePlate(cv, image, behind, held, undefined, withoutGrain), 0);
  // Blurred to a softer photo's focus, the plate keeps too little of its grain to tell; the plate as shot tells.
  const softened = { image: gaussianBlur(cv, behind.image, 2), exposure: null };
  const soft = { ...alpha, data: alpha.data.slice() };
  assert.equal(fillHolesHidingThePlate(cv, image, softened, soft), 0);
  assert.ok(
    fillHolesHidingThePlate(cv, image, softened, soft, undefined, undefined, (within) =>
      cropPlate(behind, within),
    ) > 0,
  );
  assert.ok(fillHolesHidingThePlate(cv, image, behind, alpha) > 0);
  assert.equal(filledShare(alpha), 1);
});

test("a gap through which the wall's fine grain shows stays open, as do one over a wall without grain and one in deep shadow", () => {
  const gap = beforeWall(paintedWall, paintedWall(1));
  assert.equal(fillHolesHidingThePlate(cv, gap.image, gap.behind, gap.alpha), 0);
  // Grain that is only each shot's own noise: the photo repeats none of it anywhere, and nothing tells.
  const noisyWall = (shot: number) => (x: number, y: number) =>
    smoothWall(x).map((v) => v + noise(x, y, shot));
  const flat = beforeWall(noisyWall, noisyWall(1));
  assert.equal(fillHolesHidingThePlate(cv, flat.image, flat.behind, flat.alpha), 0);
  // A gap onto the wall in the subject's deep shadow (8 % of its light): the dimmed grain drowns in the noise, and
  // would read as hidden; so a hole that dark is not judged.
  const shaded = beforeWall(paintedWall, (x, y) =>
    paintedWall(1)(x, y).map((v) => 0.08 * v + noise(x, y, 2)),
  );
  const anyBrightness = { ...DEFAULT_HIDDEN_PLATE_HOLES.grain!, minBrightness: 0 };
  const judged = { ...shaded.alpha, data: shaded.alpha.data.slice() };
  const options = { ...DEFAULT_HIDDEN_PLATE_HOLES, grain: anyBrightness };
  assert.ok(fillHolesHidingThePlate(cv, shaded.image, shaded.behind, judged, undefined, options) > 0);
  assert.equal(fillHolesHidingThePlate(cv, shaded.image, shaded.behind, shaded.alpha), 0);
});

/** Four strokes 12 px wide, each a hole of its own: a label's letters in the wall's colour, or slits. */
const inStroke = (x: number, y: number) =>
  y >= 35 && y < 145 && [60, 90, 120, 150].some((s) => x >= s && x < s + 12);

/** `beforeWall`'s subject with the strokes for its holes, which show `stroke(x, y)`. */
function strokesBeforeWall(stroke: (x: number, y: number) => number[]) {
  const s = beforeWall(paintedWall, paintedWall(1));
  for (let p = 0; p < W * H; p++) {
    const [x, y] = [p % W, Math.floor(p / W)];
    const body = inBody(x, y) && !inStroke(x, y);
    s.image.data.set(body ? ORANGE : inStroke(x, y) ? stroke(x, y) : paintedWall(1)(x, y), 3 * p);
    s.alpha.data[p] = body ? 1 : 0;
  }
  return s;
}

const strokesFilled = (alpha: FloatImage) => shareWhere(alpha.data, W, inStroke, (v) => v === 1);

test("thin holes are judged by the grain within them: strokes that repeat none of it are filled, slits that show it stay open", () => {
  // Thin beside a texture window: the grain is read a pixel in from their edges, its mean over the hole alone.
  const letters = strokesBeforeWall((x, y) => smoothWall(x).map((v) => v + noise(x, y, 1)));
  assert.ok(fillHolesHidingThePlate(cv, letters.image, letters.behind, letters.alpha) > 0);
  assert.equal(strokesFilled(letters.alpha), 1);
  const slits = strokesBeforeWall(paintedWall(1));
  assert.equal(fillHolesHidingThePlate(cv, slits.image, slits.behind, slits.alpha), 0);
  // Strands the matte missed cross the slits: they add grain of their own, and take none of the wall's away.
  const strands = strokesBeforeWall((x, y) =>
    paintedWall(1)(x, y).map((v) => ((x + 2 * y) % 5 === 0 ? v - 0.1 : v)),
  );
  assert.equal(fillHolesHidingThePlate(cv, strands.image, strands.behind, strands.alpha), 0);
  // Light thrown through glass breaks the grain without hiding the wall: a hole much brighter than it is not judged.
  const bright = strokesBeforeWall((x, y) => smoothWall(x).map((v) => 1.6 * v + noise(x, y, 1)));
  assert.equal(fillHolesHidingThePlate(cv, bright.image, bright.behind, bright.alpha), 0);
  // Nor holes in a body the matte holds only partly: glass or water bends the grain as a solid hides it.
  const glass = strokesBeforeWall((x, y) => smoothWall(x).map((v) => v + noise(x, y, 1)));
  glass.alpha.data.forEach((a, p) => (glass.alpha.data[p] = a > 0 ? 0.55 : 0));
  assert.equal(fillHolesHidingThePlate(cv, glass.image, glass.behind, glass.alpha), 0);
});
