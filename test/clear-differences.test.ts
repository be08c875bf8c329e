import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import type { NetworkInputs } from "../src/network/contract.js";
import type { MattingNetwork } from "../src/network/network.js";
import { PlateCache, runPipeline } from "../src/pipeline.js";
import { keepClearDifferences, keepFaintDifferences } from "../src/postprocess/clear-differences.js";
import { shareWhere } from "./fixtures.js";

const cv = await loadOpenCV();
const W = 256,
  H = 192;
const WALL = [0.82, 0.72, 0.5]; // beige, with a gentle gradient as lit walls have
const smoothWall = (x: number) => WALL.map((v) => v * (0.95 + (0.1 * x) / W));
/** Light grey fabric: a grain of ±0.08 around 0.75, the same in every channel. */
const grain = (x: number, y: number) => (((x * 7919 + y * 104729) ^ (x * y * 31)) % 17) / 16 - 0.5;
const fabric = (x: number, y: number) => [0, 0, 0].map(() => 0.75 + 0.16 * grain(x, y));

/**
 * A network's input and output over a plate (a smooth wall unless `plateAt` says otherwise). `paint(x, y)` gives the
 * photo's colour where something covers the plate (or undefined); the prior S is 1 where `inPrior`, and the
 * network's α is `alpha` wherever `paint` covers.
 */
function scene(
  paint: (x: number, y: number) => number[] | undefined,
  alpha: number,
  inPrior: (x: number, y: number) => boolean = () => true,
  plateAt: (x: number, y: number) => number[] = smoothWall,
) {
  const image = createImage(W, H, 3);
  const plate = createImage(W, H, 3);
  const prior = createImage(W, H, 1);
  const a = createImage(W, H, 1);
  const fg = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const wall = plateAt(x, y);
      plate.data.set(wall, 3 * p);
      const cover = paint(x, y);
      image.data.set(cover ?? wall, 3 * p);
      if (cover) a.data[p] = alpha;
      fg.data.set(wall, 3 * p); // the network's F where it sees background: the plate's colour
      if (inPrior(x, y)) prior.data[p] = 1;
    }
  const inputs = { image, plate, prior, motion: createImage(W, H, 4) };
  // The network's own error map: it is unsure of everything.
  const error = createImage(W, H, 1);
  error.data.fill(0.9);
  return { inputs, coarse: { alpha: a, fg, refinement: { error, hidden: createImage(W, H, 4) } } };
}

const inBody = (x: number, y: number) => x >= 80 && x < 170 && y >= 40 && y < 170;
const share = (a: FloatImage, where: (x: number, y: number) => boolean, test: (v: number) => boolean) =>
  shareWhere(a.data, W, where, test);

/** The body less its outline (the few pixels where the photo is not flat, which stay the network's call). */
const inner = (x: number, y: number) => x >= 84 && x < 166 && y >= 44 && y < 166;

function assertPlateStaysBackground(alpha: FloatImage, plate: string) {
  assert.equal(
    share(
      alpha,
      (x, y) => !inBody(x, y),
      (v) => v === 0,
    ),
    1,
    `the ${plate} stays background`,
  );
}

/** Each case is left exactly as the network gave it. */
function assertNetworksCall(cases: [string, ReturnType<typeof scene>][]) {
  for (const [name, { inputs, coarse }] of cases) {
    const before = coarse.alpha.data.slice();
    assert.equal(keepClearDifferences(cv, inputs, coarse), 0, name);
    assert.deepEqual(coarse.alpha.data, before, name);
  }
}

test("a flat subject the network dropped over a smooth wall is subject again, with the photo's colour, all of it", () => {
  const green = [0.55, 0.72, 0.38];
  const { inputs, coarse } = scene((x, y) => (inBody(x, y) ? green : undefined), 0.05);
  // Here and there the network kept a partial α: the whole dropped blob is raised, those parts too.
  for (let y = 60; y < 90; y++) coarse.alpha.data.fill(0.4, y * W + 100, y * W + 130);
  const changed = keepClearDifferences(cv, inputs, coarse);
  assert.ok(changed > 0.2, `changed ${changed}`);
  // All of it but its outline.
  assert.equal(
    share(coarse.alpha, inner, (v) => v === 1),
    1,
  );
  // Settled: the refiner will not re-predict it from the network's features.
  assert.equal(
    share(coarse.refinement.error, inner, (v) => v === 0),
    1,
  );
  const p = 100 * W + 120;
  assert.deepEqual(
    [...coarse.fg.data.subarray(3 * p, 3 * p + 3)],
    [...inputs.image.data.subarray(3 * p, 3 * p + 3)],
  );
  assertPlateStaysBackground(coarse.alpha, "wall");
});

test("skin a few grey levels off a smooth sky, in another hue, is subject; within noise, the network's call", () => {
  const sky = (x: number) => [0.93, 0.78, 0.66].map((v) => v * (0.97 + (0.06 * x) / W));
  // Pinker than the sky by 0.04 in red, 0.01 in blue: no shadow (that would keep the sky's hue).
  const skin = (x: number) => sky(x).map((v, c) => v + [0.04, 0, -0.01][c]);
  const { inputs, coarse } = scene((x, y) => (inBody(x, y) ? skin(x) : undefined), 0, undefined, sky);
  keepClearDifferences(cv, inputs, coarse);
  assert.equal(
    share(coarse.alpha, inner, (v) => v === 1),
    1,
  );
  assertPlateStaysBackground(coarse.alpha, "sky");
  // Nearer than 0.03, within the noise the shrink leaves: the camouflage the network must judge.
  const near = (x: number) => sky(x).map((v, c) => v + [0.025, 0, -0.01][c]);
  assertNetworksCall([
    ["within noise", scene((x, y) => (inBody(x, y) ? near(x) : undefined), 0, undefined, sky)],
  ]);
});

test("a flat subject that hides a textured plate is subject, though its colour matches the plate's", () => {
  // A white bottle on white fabric: within 0.1 of the fabric in colour, but without its grain.
  const { inputs, coarse } = scene(
    (x, y) => (inBody(x, y) ? [0.8, 0.8, 0.82] : undefined),
    0,
    undefined,
    fabric,
  );
  keepClearDifferences(cv, inputs, coarse);
  assert.equal(
    share(coarse.alpha, inner, (v) => v === 1),
    1,
  );
  assertPlateStaysBackground(coarse.alpha, "fabric");
});

test("on a textured plate, shadows, refraction and the plate itself are the network's call", () => {
  const cases: [string, ReturnType<typeof scene>][] = [
    // A deep shadow dims the grain with the light, flat to the eye: its relative spread stays.
    [
      "shadow",
      scene((x, y) => (inBody(x, y) ? fabric(x, y).map((v) => v * 0.25) : undefined), 0, undefined, fabric),
    ],
    // Glass bends the grain: the photo is not flat.
    ["refraction", scene((x, y) => (inBody(x, y) ? fabric(x + 3, y + 2) : undefined), 0, undefined, fabric)],
    // What matches the plate in colour and texture: the network's to judge.
    ["camouflage", scene((x, y) => (inBody(x, y) ? fabric(x, y) : undefined), 0, undefined, fabric)],
  ];
  assertNetworksCall(cases);
});

test("shadows, textured parts, thin stems, what the prior leaves out and a partial α are the network's call", () => {
  const cases: [string, ReturnType<typeof scene>][] = [
    // A darker copy of the wall, the same hue: a shadow.
    ["shadow", scene((x, y) => (inBody(x, y) ? WALL.map((v) => v * 0.55) : undefined), 0)],
    // Strands: a clear difference, but not flat (hair over the sky, the weave seen through glass).
    [
      "texture",
      scene((x, y) => (inBody(x, y) ? (x % 6 < 3 ? [0.3, 0.2, 0.1] : [0.95, 0.9, 0.8]) : undefined), 0.05),
    ],
    // A stem two pixels wide.
    ["stem", scene((x, y) => (x >= 120 && x < 122 && y > 20 ? [0.2, 0.5, 0.2] : undefined), 0)],
    // A flat blob entirely outside S.
    [
      "outside S",
      scene(
        (x, y) => (inBody(x, y) ? [0.2, 0.3, 0.7] : undefined),
        0,
        (x) => x < 40,
      ),
    ],
    // The network calls the blob more subject than not: translucent, or an edge.
    ["partial", scene((x, y) => (inBody(x, y) ? [0.2, 0.3, 0.7] : undefined), 0.6)],
  ];
  assertNetworksCall(cases);
});

// A face within the camera's noise of a noisy sky, above a shirt the network kept. The sky's grain, ±0.014 per
// channel: more than the face's departure from it (0.02 red, −0.01 blue) in places, so pixel by pixel the face is
// mostly within the noise and S does not hold it.
const noise = (x: number, y: number, c: number) =>
  ((((x * 7919 + y * 104729 + c * 65537) ^ (x * y)) % 29) / 28 - 0.5) * 0.028;
const sky = (x: number, y: number) => [0.93, 0.78, 0.66].map((v, c) => v + noise(x, y, c));
const faceAt = (x: number, y: number) => x >= 100 && x < 150 && y >= 40 && y < 90;
const shirtAt = (x: number, y: number) => x >= 80 && x < 170 && y >= 90 && y < 170;
const faintFace = (x: number, y: number) => sky(x, y).map((v, c) => v + [0.02, 0, -0.01][c]);
const faceInner = (x: number, y: number) => x >= 106 && x < 144 && y >= 46 && y < 84;
function figure(
  faceColour: (x: number, y: number) => number[],
  where: (x: number, y: number) => boolean = faceAt,
  withShirt = true,
) {
  const shirt = (x: number, y: number) => withShirt && shirtAt(x, y);
  const s = scene(
    (x, y) => (where(x, y) ? faceColour(x, y) : shirt(x, y) ? [0.2, 0.3, 0.7] : undefined),
    0,
    shirtAt,
    sky,
  );
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (shirt(x, y)) s.coarse.alpha.data[y * W + x] = 1;
  return s;
}

const assertSkyStaysBackground = (alpha: FloatImage) =>
  assert.equal(
    share(
      alpha,
      (x, y) => !faceAt(x, y) && !shirtAt(x, y),
      (v) => v === 0,
    ),
    1,
    "the sky stays background",
  );

/** What a faint face is not: a darker copy of the sky above the shirt (its shadow); the face with no shirt (the
 * network holds nothing opaque that vouches for it); a patch of 20 × 20 pixels, under half a percent of the input
 * (too small to be judged). */
const faintLookalikes = (): [string, ReturnType<typeof scene>][] => [
  ["shadow", figure((x, y) => sky(x, y).map((v) => v * 0.93))],
  ["alone", figure(faintFace, faceAt, false)],
  ["patch", figure(faintFace, (x, y) => x >= 115 && x < 135 && y >= 70 && y < 90)],
];

test("a face within the camera's noise of a noisy sky, above the shirt the network kept, is subject", () => {
  const { inputs, coarse } = figure(faintFace);
  keepClearDifferences(cv, inputs, coarse);
  assert.equal(
    share(coarse.alpha, faceInner, (v) => v === 1),
    1,
  );
  // The seam between face and shirt (an edge, in neither blob) too: no see-through line across the figure.
  assert.equal(
    share(
      coarse.alpha,
      (x, y) => x >= 110 && x < 140 && y >= 84 && y < 96,
      (v) => v === 1,
    ),
    1,
    "the seam is closed",
  );
  assertSkyStaysBackground(coarse.alpha);
  assertNetworksCall(faintLookalikes());
});

test("fast's faint half keeps the faint face beside the shirt, and leaves a clear blob to the network", () => {
  const { inputs, coarse } = figure(faintFace);
  assert.ok(keepFaintDifferences(cv, inputs, coarse) > 0);
  assert.equal(
    share(coarse.alpha, faceInner, (v) => v === 1),
    1,
  );
  assertSkyStaysBackground(coarse.alpha);
  // A faint face the network gives a partial α is raised whole: α 0.6 over a face is see-through.
  const partial = figure(faintFace);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (faceAt(x, y)) partial.coarse.alpha.data[y * W + x] = 0.6;
  keepFaintDifferences(cv, partial.inputs, partial.coarse);
  assert.equal(
    share(partial.coarse.alpha, faceInner, (v) => v === 1),
    1,
    "the partial face is raised",
  );
  // A green body the network dropped whole over a beige wall, inside S: the clear half keeps it, the faint half
  // has nothing opaque beside it to vouch for it.
  const dropped = scene((x, y) => (inBody(x, y) ? [0.55, 0.72, 0.38] : undefined), 0);
  assert.equal(keepFaintDifferences(cv, dropped.inputs, dropped.coarse), 0);
  assert.ok(keepClearDifferences(cv, dropped.inputs, dropped.coarse) > 0);
  // Nor what a faint face is not.
  for (const [name, { inputs, coarse }] of faintLookalikes())
    assert.equal(keepFaintDifferences(cv, inputs, coarse), 0, name);
});

test("a line the network leaves between two parts it holds is closed; a gap or a notch in the outline stays", () => {
  // Shirt above trousers, with a red belt 3 px high between them that the network drops (α 0); both parts opaque.
  const shirt = (x: number, y: number) => x >= 80 && x < 170 && y >= 40 && y < 100;
  const belt = (x: number, y: number) => x >= 80 && x < 170 && y >= 100 && y < 103;
  const trousers = (x: number, y: number) => x >= 80 && x < 170 && y >= 103 && y < 170;
  const figure = (beltColour: (x: number, y: number) => number[], beltAlpha: number) => {
    const s = scene(
      (x, y) =>
        shirt(x, y)
          ? [0.2, 0.3, 0.7]
          : trousers(x, y)
            ? [0.3, 0.5, 0.2]
            : belt(x, y)
              ? beltColour(x, y)
              : undefined,
      1,
    );
    for (let y = 100; y < 103; y++) s.coarse.alpha.data.fill(beltAlpha, y * W + 80, y * W + 170);
    return s;
  };
  const red = figure(() => [0.6, 0.1, 0.1], 0);
  keepClearDifferences(cv, red.inputs, red.coarse);
  // All but its ends, where the closing does not reach round the figure's corners.
  const beltInner = (x: number, y: number) => belt(x, y) && x >= 86 && x < 164;
  assert.equal(
    share(red.coarse.alpha, beltInner, (v) => v === 1),
    1,
    "the dropped belt is subject",
  );
  // A gap as thin, through which the wall shows, stays open; so does a line the network gives a partial α (hair).
  const gap = figure((x) => smoothWall(x), 0);
  keepClearDifferences(cv, gap.inputs, gap.coarse);
  assert.equal(
    share(gap.coarse.alpha, belt, (v) => v === 0),
    1,
    "the gap stays open",
  );
  // At partial α the belt, enclosed by the figure, is closed too (a hairline across a forehead)…
  const partial = figure(() => [0.6, 0.1, 0.1], 0.5);
  keepClearDifferences(cv, partial.inputs, partial.coarse);
  assert.equal(
    share(partial.coarse.alpha, beltInner, (v) => v === 1),
    1,
    "the enclosed partial α is closed",
  );
  // …but a notch at partial α in the figure's outline, open to the wall (hair along the edge), is the network's call.
  const notch = (x: number, y: number) => x >= 120 && x < 124 && y >= 40 && y < 43;
  const edge = scene((x, y) => (shirt(x, y) ? [0.2, 0.3, 0.7] : undefined), 1);
  for (let y = 40; y < 43; y++) edge.coarse.alpha.data.fill(0.5, y * W + 120, y * W + 124);
  for (let y = 40; y < 43; y++)
    for (let x = 120; x < 124; x++) edge.inputs.image.data.set([0.6, 0.1, 0.1], 3 * (y * W + x));
  keepClearDifferences(cv, edge.inputs, edge.coarse);
  assert.equal(
    share(edge.coarse.alpha, notch, (v) => v === 0.5),
    1,
    "the notch stays",
  );
});

test("in a blob the network mostly gives a partial α, only what it drops is raised", () => {
  // An arm at 0.3–0.7 with a dropped stretch: the stretch is subject, the partial α is the network's call.
  const { inputs, coarse } = scene((x, y) => (inBody(x, y) ? [0.85, 0.55, 0.8] : undefined), 0.5);
  const dropped = (x: number, y: number) => x >= 100 && x < 130 && y >= 60 && y < 90;
  for (let y = 60; y < 90; y++) coarse.alpha.data.fill(0.05, y * W + 100, y * W + 130);
  keepClearDifferences(cv, inputs, coarse);
  assert.equal(
    share(coarse.alpha, dropped, (v) => v === 1),
    1,
  );
  assert.equal(
    share(
      coarse.alpha,
      (x, y) => inBody(x, y) && !dropped(x, y),
      (v) => v === 0.5,
    ),
    1,
  );
});

test("a limb that the eroded prior lost stays with the blob it belongs to", () => {
  // A body inside S and a leg below it that S does not reach: one blob, mostly inside S.
  const leg = (x: number, y: number) => x >= 110 && x < 126 && y >= 170 && y < 190;
  const { inputs, coarse } = scene(
    (x, y) => (inBody(x, y) || leg(x, y) ? [0.55, 0.72, 0.38] : undefined),
    0,
    (x, y) => inBody(x, y),
  );
  keepClearDifferences(cv, inputs, coarse);
  assert.equal(
    share(
      coarse.alpha,
      (x, y) => x >= 113 && x < 123 && y >= 172 && y < 186,
      (v) => v === 1,
    ),
    1,
  );
});

test("balanced and best keep a flat subject that a network drops; fast leaves the network's call", async () => {
  // A network that calls everything background, as bm-lite does with green clothes on a beige wall.
  const dropsAll: MattingNetwork = {
    name: "drops-all",
    run: async ({ image }: NetworkInputs) => ({
      alpha: createImage(image.width, image.height, 1),
      fg: { ...image, data: image.data.slice() },
    }),
    hasRefiner: false,
    loadRefiner: () => Promise.reject(new Error("no refiner")),
    dispose: async () => {},
  };
  const { inputs } = scene((x, y) => (inBody(x, y) ? [0.55, 0.72, 0.38] : undefined), 0);
  const ctx = { cv, network: dropsAll, plateCache: new PlateCache() };
  const base = {
    margin: 0.1,
    refine: "plate",
    cleanup: true,
    subject: "any",
    align: "off",
    exposure: false,
  } as const;
  const deepInside = (x: number, y: number) => x >= 90 && x < 160 && y >= 50 && y < 160;
  for (const mode of ["balanced", "best", "fast"] as const) {
    const { alpha } = await runPipeline(
      ctx,
      { image: inputs.image, plate: inputs.plate },
      { ...base, mode, guardPeople: false },
    );
    const opaque = share(alpha, deepInside, (v) => v > 0.99);
    if (mode === "fast") assert.equal(opaque, 0, mode);
    else assert.equal(opaque, 1, mode);
  }
});
