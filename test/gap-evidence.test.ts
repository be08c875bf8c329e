import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { openBoundedGaps } from "../src/refine/bounded-gaps.js";
import { DEFAULT_GAPS, refineWithPlate } from "../src/refine/compositing-equation.js";
import { DEFAULT_GAP_RIMS, solveGapRims, solveOutlineRims } from "../src/refine/gap-rims.js";
import { plateTexture } from "../src/cv/plate-texture.js";
import { shareWhere } from "./fixtures.js";

const cv = await loadOpenCV();
const [W, H] = [160, 120];

/** Gravel: a grain of ±0.16 around 0.6, the same in every channel. */
const grain = (x: number, y: number) => (((x * 7919 + y * 104729) ^ (x * y * 31)) % 17) / 16 - 0.5;
const gravel = (x: number, y: number) => [0, 0, 0].map(() => 0.6 + 0.32 * grain(x, y));
/** A smooth sky: a gentle gradient, no texture. */
const sky = (_x: number, y: number) => [0.55 + 0.2 * (y / H), 0.7 + 0.1 * (y / H), 0.92];
/** A little sensor noise, deterministic. */
const noise = (x: number, y: number, c: number) => 0.01 * grain(x + 5 * c, y + 3);

function image(colour: (x: number, y: number) => number[], noisy = false): FloatImage {
  const out = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const c = colour(x, y);
      for (let k = 0; k < 3; k++) out.data[3 * (y * W + x) + k] = c[k] + (noisy ? noise(x, y, k) : 0);
    }
  return out;
}

const inPatch = (x: number, y: number) => x >= 20 && x < 140 && y >= 10 && y < 110;
const inner = (x: number, y: number) => x >= 25 && x < 135 && y >= 15 && y < 105;
/** α = 1 over the patch at full resolution. */
function patchMatte(): FloatImage {
  const alpha = createImage(W, H, 1);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inPatch(x, y)) alpha.data[y * W + x] = 1;
  return alpha;
}
/** The network's output at 1/8 of the size: the patch opaque, F one colour everywhere. */
function patchCoarse(fg: number[]) {
  const [gw, gh] = [W / 8, H / 8];
  const coarse = { alpha: createImage(gw, gh, 1), fg: createImage(gw, gh, 3) };
  for (let q = 0; q < gw * gh; q++) coarse.fg.data.set(fg, 3 * q);
  for (let y = 0; y < gh; y++)
    for (let x = 0; x < gw; x++) if (inPatch(8 * x + 4, 8 * y + 4)) coarse.alpha.data[y * gw + x] = 1;
  return coarse;
}
const share = (
  map: Uint8Array | Float32Array,
  where: (x: number, y: number) => boolean,
  test: (v: number) => boolean,
) => shareWhere(map, W, where, test);

test("plate texture: the plate shows where the photo reproduces its grain, through sensor noise", () => {
  const plate = image(gravel);
  const { shows, hidden } = plateTexture(cv, image(gravel, true), plate);
  assert.ok(share(shows, inner, (v) => v === 1) > 0.95);
  assert.equal(
    share(hidden, inner, (v) => v === 1),
    0,
  );
});

test("plate texture: a fabric's fine grain (a third of the gravel's) shows through a gap and is hidden by a flat subject", () => {
  const fabric = (x: number, y: number) => [0, 0, 0].map(() => 0.6 + 0.11 * grain(x, y));
  const plate = image(fabric);
  const gap = plateTexture(cv, image(fabric, true), plate);
  assert.ok(share(gap.shows, inner, (v) => v === 1) > 0.95);
  const flat = plateTexture(
    cv,
    image((x, y) => (inPatch(x, y) ? [0.6, 0.6, 0.6] : fabric(x, y)), true),
    plate,
  );
  assert.ok(share(flat.hidden, inner, (v) => v === 1) > 0.95);
});

test("plate texture: a flat subject the plate's mean colour hides the grain; a flat plate says neither", () => {
  const plate = image(gravel);
  const flat = plateTexture(
    cv,
    image((x, y) => (inPatch(x, y) ? [0.6, 0.6, 0.6] : gravel(x, y))),
    plate,
  );
  assert.equal(
    share(flat.shows, inner, (v) => v === 1),
    0,
    "no gap where the grain is gone",
  );
  assert.equal(
    share(flat.hidden, inner, (v) => v === 1),
    1,
    "hidden by something solid",
  );
  // On the sky, the photo matching the plate says nothing (a face the sky's colour would too).
  const smooth = plateTexture(cv, image(sky, true), image(sky));
  assert.equal(
    share(
      smooth.shows,
      () => true,
      (v) => v === 1,
    ),
    0,
  );
  assert.equal(
    share(
      smooth.hidden,
      () => true,
      (v) => v === 1,
    ),
    0,
  );
});

test("plate texture: a shadow shows the grain dimmed; dark strands over it, or a grain of the subject's own, do not", () => {
  const plate = image(gravel);
  const shadow = plateTexture(
    cv,
    image((x, y) => (inPatch(x, y) ? gravel(x, y).map((v) => 0.5 * v) : gravel(x, y)), true),
    plate,
  );
  assert.ok(share(shadow.shows, inner, (v) => v === 1) > 0.95);
  assert.ok(share(shadow.dimming, inner, (v) => Math.abs(v - 0.5) < 0.03) > 0.95, "dimmed by half");
  assert.equal(
    share(shadow.hidden, inner, (v) => v === 1),
    0,
  );
  // Dense dark strands every other column: the grain is half covered, not dimmed.
  const strands = plateTexture(
    cv,
    image((x, y) => (inPatch(x, y) && x % 2 === 0 ? [0.1, 0.08, 0.05] : gravel(x, y)), true),
    plate,
  );
  assert.equal(
    share(strands.shows, inner, (v) => v === 1),
    0,
  );
  // A subject with a grain of its own (the gravel's, shifted) at half the plate's brightness.
  const own = plateTexture(
    cv,
    image((x, y) => (inPatch(x, y) ? gravel(x + 3, y + 1).map((v) => 0.5 * v) : gravel(x, y)), true),
    plate,
  );
  assert.equal(
    share(own.shows, inner, (v) => v === 1),
    0,
  );
});

/**
 * Two opaque leaves over a plate with the plate seen between them (1 % of the subject), which the network filled: α
 * is 1 over the leaves and the gap, its predicted error `error` there. `gapColour` gives the photo in `inGap` (the
 * plate by default).
 */
function leaves({
  plateAt = sky,
  gapColour,
  leafColour = [0.35, 0.45, 0.1],
  error = 0.1,
  aroundAlpha = 1,
  inGap = (x: number, y: number) => x >= 76 && x < 84 && y >= 40 && y < 60,
}: {
  plateAt?: (x: number, y: number) => number[];
  gapColour?: (x: number, y: number) => number[];
  leafColour?: number[];
  error?: number;
  aroundAlpha?: number;
  inGap?: (x: number, y: number) => boolean;
} = {}) {
  const plate = image(plateAt);
  const photo = image(
    (x, y) => (inGap(x, y) ? (gapColour ?? plateAt)(x, y) : inPatch(x, y) ? leafColour : plateAt(x, y)),
    true,
  );
  const alpha = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (inPatch(x, y)) alpha.data[y * W + x] = inGap(x, y) ? 1 : aroundAlpha;
  const errorMap = createImage(W / 4, H / 4, 1, error);
  return { photo, plate, alpha, errorMap, inGap };
}

test("bounded gaps: the plate seen between sharp-edged leaves is opened, the leaves stay", () => {
  // Leaves darker than the sky, and leaves of the sky's grey level in another hue: an edge in colour only.
  const skyGrey = (x: number, y: number) => sky(x, y).reduce((a, b) => a + b) / 3;
  const sameGrey = (x: number, y: number): number[] => [
    skyGrey(x, y) + 0.1,
    skyGrey(x, y) + 0.1,
    skyGrey(x, y) - 0.2,
  ];
  const leafColours: [string, ReturnType<typeof leaves>][] = [
    ["dark leaves", leaves()],
    ["leaves of the sky's grey", leaves({ leafColour: sameGrey(80, 50) })],
  ];
  for (const [name, { photo, plate, alpha, errorMap, inGap }] of leafColours) {
    const opened = openBoundedGaps(cv, photo, plate, alpha, new Uint8Array(W * H), errorMap);
    assert.ok(opened > 0, name);
    assert.equal(
      share(alpha.data, inGap, (v) => v === 0),
      1,
      `${name}: the gap is background`,
    );
    const leaf = (x: number, y: number) => inner(x, y) && (x < 72 || x >= 88 || y < 36 || y >= 64);
    assert.equal(
      share(alpha.data, leaf, (v) => v === 1),
      1,
      `${name}: the leaves stay opaque`,
    );
  }
});

test("bounded gaps: a gap in the leaves' shadow opens; a grey plate's or a textured dark part does not", () => {
  const shaded = (x: number, y: number) => sky(x, y).map((v) => 0.6 * v);
  // The leaves opaque, or at the α the network's upsampled matte gives the edges of what it filled (0.8); and a
  // network as sure of the shaded gap as of print (error 0.01).
  for (const [aroundAlpha, error] of [
    [1, 0.1],
    [0.8, 0.1],
    [1, 0.01],
  ]) {
    const gap = leaves({ gapColour: shaded, aroundAlpha, error });
    assert.ok(openBoundedGaps(cv, gap.photo, gap.plate, gap.alpha, new Uint8Array(W * H), gap.errorMap) > 0);
    assert.equal(
      share(gap.alpha.data, gap.inGap, (v) => v === 0),
      1,
      `the shaded gap is background (α ${aroundAlpha} around, error ${error})`,
    );
  }
  const grey = (): number[] => [0.6, 0.6, 0.6];
  const stays: [string, ReturnType<typeof leaves>][] = [
    // On a grey wall every grey is along its hue: a dark grey part of the subject would pass for shadow.
    ["grey plate", leaves({ plateAt: grey, gapColour: () => [0.36, 0.36, 0.36] })],
    // A part the plate's colour, darker, with a grain of its own.
    ["own texture", leaves({ gapColour: (x, y) => shaded(x, y).map((v) => v * (1 + 0.3 * grain(x, y))) })],
  ];
  for (const [name, { photo, plate, alpha, errorMap }] of stays) {
    const before = alpha.data.slice();
    assert.equal(openBoundedGaps(cv, photo, plate, alpha, new Uint8Array(W * H), errorMap), 0, name);
    assert.deepEqual(alpha.data, before, name);
  }
});

test("bounded gaps: print the network is sure of, a dark plate, hidden texture, hair, a seam, and camouflage stay", () => {
  const none = new Uint8Array(W * H);
  const cases: [string, ReturnType<typeof leaves>, Uint8Array][] = [
    // White print on a label the network is sure of.
    ["sure", leaves({ error: 0.01 }), none],
    // Black print against a black backdrop.
    ["dark plate", leaves({ plateAt: () => [0.08, 0.08, 0.08], leafColour: [0.9, 0.9, 0.9] }), none],
    // The gap's colour matches, but it hides the plate's texture: something solid.
    ["hidden texture", leaves(), new Uint8Array(W * H).fill(1)],
    // Where two parts of the subject meet, their blended edge matching the plate along a line one pixel thin.
    ["seam", leaves({ inGap: (x, y) => x >= 30 && x < 130 && y === 50 }), none],
    // A clearing inside soft hair: a hard-edged hole there would be worse than the partial α around it.
    ["partial around", leaves({ aroundAlpha: 0.8 }), none],
    // A forehead the sky's colour, fading into the rest of the face over 30 px: no sharp outline where the match ends.
    [
      "camouflage",
      leaves({
        leafColour: [0.85, 0.6, 0.5],
        inGap: (x, y) => x >= 50 && x < 110 && y >= 30 && y < 70,
        gapColour: (x, y) => {
          const skin = [0.85, 0.6, 0.5];
          return sky(x, y).map((v, c) => v + (skin[c] - v) * Math.min(1, Math.abs(x - 80) / 30));
        },
      }),
      none,
    ],
  ];
  for (const [name, { photo, plate, alpha, errorMap }, hidden] of cases) {
    const before = alpha.data.slice();
    assert.equal(openBoundedGaps(cv, photo, plate, alpha, hidden, errorMap), 0, name);
    assert.deepEqual(alpha.data, before, name);
  }
});

test("gap opening: where the photo shows a textured plate, it opens even with F the plate's colour; a flat subject stays", () => {
  // The network calls a block opaque over gravel with F the gravel's mean colour (it cannot tell). The block's left
  // half shows the gravel (the background between leaves it filled), its right half is flat at the gravel's mean.
  const left = (x: number, y: number) => inPatch(x, y) && x < 80;
  const plate = image(gravel);
  const photo = image((x, y) => (inPatch(x, y) && x >= 80 ? [0.6, 0.6, 0.6] : gravel(x, y)), true);
  const coarse = patchCoarse([0.6, 0.6, 0.6]);
  const alpha = resize(coarse.alpha, W, H);
  refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, { gaps: DEFAULT_GAPS });
  const leftInner = (x: number, y: number) => left(x, y) && inner(x, y) && x < 75;
  // (Away from the block's outer edge, which the compositing equation solves.)
  const rightInner = (x: number, y: number) => x >= 85 && x < 125 && y >= 25 && y < 95;
  assert.ok(share(alpha.data, leftInner, (v) => v < 0.1) > 0.9, "where the gravel shows, background");
  assert.equal(
    share(alpha.data, rightInner, (v) => v === 1),
    1,
    "the flat subject keeps its α",
  );
});

test("gap opening: a gap the network filled opens where the subject's shadow falls across it", () => {
  // Leaves over gravel, the network sure of all of them; the gravel seen between them lies in their shadow.
  const inGap = (x: number, y: number) => x >= 56 && x < 104 && y >= 40 && y < 80;
  const plate = image(gravel);
  const photo = image(
    (x, y) =>
      inGap(x, y) ? gravel(x, y).map((v) => 0.6 * v) : inPatch(x, y) ? [0.3, 0.4, 0.1] : gravel(x, y),
    true,
  );
  const coarse = patchCoarse([0.3, 0.4, 0.1]);
  const run = (gaps: typeof DEFAULT_GAPS) => {
    const alpha = resize(coarse.alpha, W, H);
    refineWithPlate(cv, photo, { image: plate, exposure: null }, alpha, coarse, { gaps });
    return alpha;
  };
  const gapInner = (x: number, y: number) => x >= 60 && x < 100 && y >= 44 && y < 76;
  const leaf = (x: number, y: number) => inner(x, y) && x >= 30 && x < 130 && (x < 50 || x >= 110);
  const opened = run(DEFAULT_GAPS);
  assert.ok(share(opened.data, gapInner, (v) => v < 0.1) > 0.9, "the shadowed gravel is background");
  assert.equal(
    share(opened.data, leaf, (v) => v === 1),
    1,
    "the leaves stay",
  );
  // Without the dimmed texture, and without the network's F to tell it from a blend (refine/shaded-gaps), the
  // shadowed gap stays filled: it differs from the plate as a dark leaf would.
  const undimmed = run({
    ...DEFAULT_GAPS,
    texture: { ...DEFAULT_GAPS.texture!, minDimming: 1 },
    shaded: undefined,
  });
  assert.ok(share(undimmed.data, gapInner, (v) => v < 0.1) < 0.1);
});

test("gap rims: the leaf's edge blended into an opened gap is solved; a pixel of its own colour keeps its α", () => {
  const leaf = [0.3, 0.45, 0.1];
  const gapAt = (x: number, y: number) => x >= 60 && x < 100 && y >= 40 && y < 80;
  // One pixel round the gap where the photo is half leaf, half sky; below the gap a run of red instead.
  const rimAt = (x: number, y: number) => !gapAt(x, y) && x >= 59 && x < 101 && y >= 39 && y < 81;
  const ownColour = (x: number, y: number) => rimAt(x, y) && y === 80;
  const photo = image((x, y) => {
    if (gapAt(x, y) || !inPatch(x, y)) return sky(x, y);
    if (ownColour(x, y)) return [0.9, 0.1, 0.1];
    if (rimAt(x, y)) return sky(x, y).map((v, c) => 0.5 * v + 0.5 * leaf[c]);
    return leaf;
  }, true);
  const alpha = patchMatte();
  const before = alpha.data.slice();
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (gapAt(x, y)) alpha.data[y * W + x] = 0;
  assert.ok(solveGapRims(cv, photo, image(sky), alpha, before) > 0);
  const blended = (x: number, y: number) => rimAt(x, y) && !ownColour(x, y) && (x === 59 || x === 100);
  assert.ok(share(alpha.data, blended, (v) => Math.abs(v - 0.5) < 0.1) > 0.9, "half leaf, half sky");
  assert.equal(
    share(alpha.data, ownColour, (v) => v === 1),
    1,
    "not a blend of the two",
  );
  const farLeaf = (x: number, y: number) => inner(x, y) && (x < 55 || x >= 105);
  assert.equal(
    share(alpha.data, farLeaf, (v) => v === 1),
    1,
    "the leaf beyond the rim keeps its α",
  );
});

test("outline rims: where the matte steps from opaque to background, a blended edge is solved; a pixel of its own colour keeps its α", () => {
  const leaf = [0.3, 0.45, 0.1];
  // The patch's right-hand column is half leaf, half sky in the photo; its bottom row a run of red instead.
  const edgeAt = (x: number, y: number) => x === 139 && y >= 10 && y < 109;
  const ownColour = (x: number, y: number) => y === 109 && x >= 20 && x < 140;
  const photo = image((x, y) => {
    if (!inPatch(x, y)) return sky(x, y);
    if (ownColour(x, y)) return [0.9, 0.1, 0.1];
    if (edgeAt(x, y)) return sky(x, y).map((v, c) => 0.5 * v + 0.5 * leaf[c]);
    return leaf;
  }, true);
  const alpha = patchMatte();
  assert.ok(solveOutlineRims(cv, photo, image(sky), alpha) > 0);
  assert.ok(share(alpha.data, edgeAt, (v) => Math.abs(v - 0.5) < 0.1) > 0.9, "half leaf, half sky");
  assert.equal(
    share(alpha.data, ownColour, (v) => v === 1),
    1,
    "not a blend of the two",
  );
  const leafEdge = (x: number, y: number) => (x === 20 || y === 10) && inPatch(x, y) && x < 136;
  assert.equal(
    share(alpha.data, leafEdge, (v) => v > 0.95),
    1,
    "the leaf's own edge stays opaque (within noise)",
  );
  assert.equal(
    share(
      alpha.data,
      (x, y) => x >= 23 && x < 136 && y >= 13 && y < 106,
      (v) => v === 1,
    ),
    1,
    "the leaf beyond the rim keeps its α",
  );
  // The solve against the plate leaves α = 1 alone (it is sure), so only the rims' pass lowers the edge.
  const coarse = patchCoarse(leaf);
  const refined = (gaps: typeof DEFAULT_GAPS) => {
    const a = patchMatte();
    refineWithPlate(cv, photo, { image: image(sky), exposure: null }, a, coarse, { gaps });
    return share(a.data, edgeAt, (v) => Math.abs(v - 0.5) < 0.1);
  };
  assert.ok(refined(DEFAULT_GAPS) > 0.9, "the default gap options solve the outline's rims");
  assert.ok(refined({ ...DEFAULT_GAPS, rims: undefined }) < 0.1);
});

test("outline rims: a blurred edge is solved over its whole fade against a textured plate; a solid pixel or a hole that shows no plate keeps α", () => {
  const leaf = [0.3, 0.45, 0.1];
  const behindHole = (x: number, y: number) => x >= 30 && x < 70 && y >= 20 && y < 60;
  // Flat grey behind the hole, so that only what the hole shows can tell it from a gap.
  const plate = image((x, y) => (behindHole(x, y) ? [0.6, 0.6, 0.6] : gravel(x, y)));
  // Leaf left of x = 100, fading to the gravel over x = 100..107 (α 0.9 down to 0.2); on rows 60..109 the matte is
  // sure of the fade (α = 1), above it unsure (0.9). A hole at x 40..59, y 30..49 shows red paper, not the plate, with a
  // one-pixel rim half leaf, half paper.
  const fade = (x: number) => (x >= 100 && x < 108 ? 0.9 - 0.1 * (x - 100) : x < 100 ? 1 : 0);
  const hole = (x: number, y: number) => x >= 40 && x < 60 && y >= 30 && y < 50;
  const holeRim = (x: number, y: number) => !hole(x, y) && x >= 39 && x < 61 && y >= 29 && y < 51;
  const paper = [0.9, 0.15, 0.1];
  const photo = image((x, y) => {
    if (!inPatch(x, y) && x < 100) return gravel(x, y);
    if (hole(x, y)) return paper;
    if (holeRim(x, y)) return leaf.map((v, c) => 0.5 * v + 0.5 * paper[c]);
    const a = y >= 10 && y < 110 ? fade(x) : 0;
    return gravel(x, y).map((v, c) => a * leaf[c] + (1 - a) * v);
  }, true);
  const matte = () => {
    const alpha = createImage(W, H, 1);
    for (let y = 10; y < 110; y++)
      for (let x = 20; x < 108; x++) if (!hole(x, y)) alpha.data[y * W + x] = x < 100 ? 1 : y >= 60 ? 1 : 0.9;
    return alpha;
  };
  const alpha = matte();
  assert.ok(solveOutlineRims(cv, photo, plate, alpha) > 0);
  const unsureFade = (x: number, y: number) => x >= 100 && x < 106 && y >= 20 && y < 50;
  for (let x = 100; x < 106; x++)
    assert.ok(
      share(
        alpha.data,
        (px, py) => px === x && unsureFade(px, py),
        (v) => Math.abs(v - fade(x)) < 0.08,
      ) > 0.9,
      `the unsure fade takes its blend's α, ${108 - x} px from the background too`,
    );
  const sureFarFade = (x: number, y: number) => x >= 100 && x < 105 && y >= 70 && y < 100;
  assert.equal(
    share(alpha.data, sureFarFade, (v) => v === 1),
    1,
    "farther than 2 px, a pixel the matte is sure of keeps α",
  );
  assert.ok(
    share(
      alpha.data,
      (x, y) => (x === 106 || x === 107) && y >= 70 && y < 100,
      (v) => v < 0.5,
    ) > 0.9,
    "within 2 px it is solved",
  );
  assert.equal(
    share(alpha.data, holeRim, (v) => v === 1),
    1,
    "a hole that shows no plate has no rim to solve",
  );
  const anySeen = matte();
  solveOutlineRims(cv, photo, plate, anySeen, { ...DEFAULT_GAP_RIMS, seenAsPlate: 1 });
  assert.ok(
    share(
      anySeen.data,
      (x, y) => holeRim(x, y) && x === 39 && y > 30 && y < 49,
      (v) => v < 0.9,
    ) > 0.9,
    "asking nothing of what is seen, the paper's rim reads as a blend",
  );
});
