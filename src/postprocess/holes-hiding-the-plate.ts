/**
 * Holes that hide the plate are subject. A hole in the matte inside a subject (α < 0.5, closed all round by it) is
 * either a gap, where the background is seen, or a part of the subject whose colour is the plate's: a dark coat
 * before a dark bookcase, leaves before foliage. Where the plate behind the hole is textured, the photo tells them
 * apart: through a gap it reproduces the plate's texture (shifted a little by a hand-held camera, still a texture),
 * while a solid part is flat over it (cv/plate-texture). So a hole whose middle hides a textured plate, and nowhere
 * shows it, is filled. A hole that shows the plate stays open (the triangle between an arm and a torso), and so
 * does any region open to the outside.
 *
 * A plate too smooth for that test, or a hole the subject's own parts leave too narrow for its window over most of it
 * (a label's dark corner among its white letters), may still be told by a fine grain, near a camera's noise, that the
 * photo repeats wherever the background shows (cv/plate-grain). A hole whose photo repeats far less of that grain than
 * the background around it does, over a grain as strong and at about the plate's brightness, is filled too: a shape's
 * inside the plate's very colour. Over a plate with no grain the photo repeats (the sky, a wall under a camera's
 * noise), nothing tells, and the hole stays.
 */
import { cropPlate, matchExposure, type Plate } from "../align/plate.js";
import type { CV } from "../cv/opencv.js";
import { closeByDisc, componentSizes, dilateMask, distanceToMask, onImageBorder } from "../cv/mask-ops.js";
import { grainBands, grainEvidence, grainOver, type GrainBands } from "../cv/plate-grain.js";
import { DEFAULT_PLATE_TEXTURE, plateTexture, type PlateTextureOptions } from "../cv/plate-texture.js";
import { boxWhere, crop, growBox, scaleBox, spanBox, type Box } from "../image/geometry.js";
import { boxFilter } from "../image/box-filter.js";
import { createImage, type FloatImage } from "../image/types.js";

export interface HiddenPlateHoleOptions {
  /** The texture test (its window must fit inside the hole's middle). */
  texture: PlateTextureOptions;
  /** Textured pixels a hole's middle needs before it is judged, in proportion for regions over 1000 × 1000 pixels (a
   * few dozen pixels of a small hole's middle are too few to tell a texture from noise). */
  minTextured: number;
  /** Share of those where the photo hides the plate's texture… */
  hiddenShare: number;
  /** …and the largest share where it shows it. */
  showsShare: number;
  /** Pixels of the rim around a filled hole raised with it, in proportion for regions longer than 1000 pixels (α
   * there is the network's blend of hole and subject, about a network pixel wide). */
  rim: number;
  /** A gap in the subject's outline narrower than twice this does not open a hole to the outside, in proportion for
   * regions longer than 1000 pixels; 0: only a hole closed all round is one. */
  leak: number;
  /** The fine-grain test, for holes the texture test cannot judge (none: no such test). */
  grain?: GrainHoleOptions;
}

/** When a hole the texture test cannot judge hides the plate's fine grain (cv/plate-grain). */
export interface GrainHoleOptions {
  /** Pixels of the hole's core (a pixel in from its edge) needed before it is judged: over fewer, how well the plate
   * is aligned there (a fraction of a pixel, varying across the frame) decides how much of the grain a gap repeats. */
  minPixels: number;
  /** Width of the band around the hole whose background (α under 0.02) it is compared with, in proportion for
   * regions longer than 1000 pixels. */
  ring: number;
  /** Standard errors from chance (`grainEvidence`) by which the background there must repeat the grain, and by
   * which the hole would, had it shown it as much: below, the grain is noise to this photo. Also the standard errors
   * (its `slopeError`) by which the hole must repeat less of the grain than the background. */
  minEvidence: number;
  /** The hole is hidden where it repeats at most this share of the grain the background repeats (`slope`). */
  hiddenShare: number;
  /** The band's background compared is where the plate's grain is at most this many times as strong as under the
   * hole, and its grain there at least this share of the hole's (a fainter grain is repeated less through noise). */
  amplitudeRatio: number;
  /** The photo's brightness over the plate's in the hole, at least: a shadow's dimmed grain drowns in noise. */
  minBrightness: number;
  /** …and at most: light a subject throws (glass reflecting or focusing it) breaks the grain it does not hide. */
  maxBrightness: number;
  /** The matte's mean α over the subject around the hole (HELD_BAND), at least: a hole in a part the matte holds only
   * partly is in glass or water, which bends the plate's grain as a solid hides it. */
  minHeld: number;
}

export const DEFAULT_HIDDEN_PLATE_HOLES: HiddenPlateHoleOptions = {
  texture: DEFAULT_PLATE_TEXTURE,
  minTextured: 50,
  // Measured over the composites, realpairs and the camouflage set: the gaps whose middle is textured show the plate
  // over 0.3–1 of it and hide it over none; the camouflaged holes hide it over 0.7–1 and show it nowhere.
  hiddenShare: 0.6,
  showsShare: 0.05,
  // 2 left a faint line along the old edge (camouflage set 16.65 → 16.49 % see-through with 4).
  rim: 4,
  // A label's white over a light fabric, which the solve leaves as holes joined to the outside by a shaded rim it
  // holds partly (docs/how-it-works.md). Measured in `balanced` (composites / realpairs / camouflage set): 6.64 /
  // 54.35 / 11.53 → 6.64 / 54.32 / 11.52 (scene05's label 94.16 → 93.54), pair b 55.83 → 56.66 (labels its
  // references call 0.38 and 0.67); `best` 6.67 / 54.68 / 10.79 → 6.67 / 54.61 / 10.77.
  leak: 8,
  // Cores of 400 pixels took in a potted plant's gap in `best` (the composites 6.55 → 6.58), where the aligned plate
  // is a fraction of a pixel off; with 1000, realpairs 54.32 → 53.88 in `balanced` (a label's dark corner), the
  // composites and the camouflage set unchanged (docs/how-it-works.md).
  grain: {
    minPixels: 1000,
    ring: 48,
    minEvidence: 5,
    hiddenShare: 0.3,
    amplitudeRatio: 2,
    minBrightness: 0.5,
    maxBrightness: 1.5,
    // Realpairs pair b 55.73 → 55.21: a glass jug's water line, held at 0.44 around its hole, no longer filled; the
    // label corner it is for, 0.80, and camouflage-3's shape, 0.73, still are.
    minHeld: 0.65,
  },
};

/** α below which a pixel is a hole. */
const HOLE = 0.5;
/** The band around a hole, in pixels from it, over which the grain test reads how solid the matte holds what
 * surrounds it: past its rim, the network's blend of hole and subject. */
const HELD_BAND = [4, 12];
/** α below which the matte shows the background (the grain test's reference). */
const SHOWN_BACKGROUND = 0.02;

/**
 * Fills (α = 1), in place, the holes of `alpha` whose middle hides the texture of `plate` (the size of `image`).
 * `networkAlpha`, given when every hole comes from the network's α (nothing after it opens gaps in its opaque region:
 * `fast`), is looked at first, and `alpha` only around the holes it has (most video frames have none).
 * Returns the share of pixels filled.
 */
export function fillHolesHidingThePlate(
  cv: CV,
  image: FloatImage,
  plate: Plate,
  alpha: FloatImage,
  networkAlpha?: FloatImage,
  opts: HiddenPlateHoleOptions = DEFAULT_HIDDEN_PLATE_HOLES,
  /** The plate as shot over a box of the region, where `plate` was blurred or sharpened to the photo's focus: the
   * grain test reads it. */
  asShot?: (within: Box) => Plate,
): number {
  const { width: w, height: h } = alpha;
  const minTextured = opts.minTextured * Math.max(1, (w * h) / 1e6);
  const perPixel = Math.max(1, Math.max(w, h) / 1000);
  const rim = Math.round(opts.rim * perPixel);
  const leak = Math.round(opts.leak * perPixel);
  // The least hole whose middle can hold that many pixels: a square, the window's reach wider on every side.
  const reach = opts.texture.radius + 1;
  const leastHole = (Math.sqrt(minTextured) + 2 * reach) ** 2;
  const box = networkAlpha
    ? aroundNetworkHoles(cv, networkAlpha, w, h, leastHole, rim, leak)
    : { x: 0, y: 0, width: w, height: h };
  if (!box) return 0;
  const region = crop(alpha, box);
  // A hole that runs out of the box counts as open: only what the network's holes became is judged.
  const holes = enclosedHoles(cv, region, leastHole, leak);
  if (!holes) return 0;
  const { label, count } = holes;

  // Whether a pixel lies `r` or more pixels inside a hole: its whole window of radius `r` in holes (two holes never
  // touch). (Running sums: an erosion through OpenCV's WASM build took ~20 ms over a 274×691 box.)
  const inHole = createImage(box.width, box.height, 1);
  for (let q = 0; q < label.length; q++) if (label[q] > 0) inHole.data[q] = 1;
  const within = (r: number) => {
    const share = boxFilter(inHole, r).data;
    return (q: number) => share[q] >= 1 - 1e-4;
  };
  // A hole's middle: farther from its edge than the texture window reaches (the window there sees only the hole).
  const inMiddle = within(reach);
  const plateInBox = matchExposure(plate, crop(plate.image, box));
  const { textured, hidden, shows } = plateTexture(cv, crop(image, box), plateInBox, opts.texture);
  const counts = new Uint32Array(3 * count);
  for (let q = 0; q < label.length; q++) {
    if (!inMiddle(q) || !textured[q]) continue;
    const k = 3 * label[q];
    counts[k]++;
    counts[k + 1] += hidden[q];
    counts[k + 2] += shows[q];
  }
  const fill = new Uint8Array(count);
  const unjudged: number[] = [];
  for (let k = 1; k < count; k++) {
    const [n, hid, shown] = [counts[3 * k], counts[3 * k + 1], counts[3 * k + 2]];
    if (n < minTextured) unjudged.push(k);
    fill[k] = n >= minTextured && hid >= opts.hiddenShare * n && shown <= opts.showsShare * n ? 1 : 0;
  }
  const grain = opts.grain;
  // The grain is read in a hole's core, a pixel in from its edge: there its photo is no blend with the subject.
  const inCore = grain && unjudged.length ? within(1) : undefined;
  const cores = new Uint32Array(count);
  if (inCore) for (let q = 0; q < label.length; q++) if (inCore(q)) cores[label[q]]++;
  const judged = unjudged.filter((k) => grain && cores[k] >= grain.minPixels);
  if (grain && inCore && judged.length) {
    // Read only around the holes judged: the grain's bands take ~30 ms per 200 000 pixels.
    const ring = Math.round(grain.ring * perPixel);
    const holeBox = (k: number) => boxWhere(box.width, box.height, (q) => label[q] === k)!;
    const near = judged.map((k) => growBox(holeBox(k), ring, box.width, box.height));
    const area = near.reduce(spanBox);
    const inFrame = { ...area, x: box.x + area.x, y: box.y + area.y };
    const shot = asShot ? asShot(inFrame) : cropPlate(plate, inFrame);
    const bands = grainBands(crop(image, inFrame), matchExposure(shot, shot.image));
    // The plate's grain squared, averaged over each pixel's 7×7 window: how strong it is around the pixel.
    const squared = {
      width: area.width,
      height: area.height,
      channels: 1,
      data: bands.plateGrain.map((v) => v * v),
    };
    const plateEnergy = boxFilter(squared, 3).data;
    judged.forEach((k, i) => {
      const around = { label, k, box: near[i], area, inCore, ring, plateEnergy };
      fill[k] = hidesGrain(cv, bands, region, around, grain) ? 1 : 0;
    });
  }
  if (!fill.includes(1)) return 0;
  const filled = createImage(box.width, box.height, 1);
  for (let q = 0; q < label.length; q++) filled.data[q] = fill[label[q]];
  const grown = rim > 0 ? dilateMask(cv, filled, rim).data : filled.data;
  let raised = 0;
  for (let y = 0, q = 0; y < box.height; y++)
    for (let x = 0, p = (box.y + y) * w + box.x; x < box.width; x++, q++, p++)
      if (grown[q] > 0.5 && alpha.data[p] < 1) {
        alpha.data[p] = 1;
        raised++;
      }
  return raised / (w * h);
}

/** A hole and what lies around it, for the grain test. */
interface HoleSurroundings {
  /** The holes' labels over the region, and the hole's. */
  label: Int32Array;
  k: number;
  /** The hole's box grown by `ring`, and the box the grain's bands cover (holding it), over the region. */
  box: Box;
  area: Box;
  /** Whether a pixel of the region lies in a hole's core (a pixel in from its edge). */
  inCore: (p: number) => boolean;
  ring: number;
  /** The plate's grain squared, averaged over each pixel's 7×7 window (over `area`): how strong it is there. */
  plateEnergy: Float32Array;
}

/**
 * Whether a hole (over `region`'s α) hides the plate's fine grain: its core repeats at most `hiddenShare` as much of
 * it as the background within `ring` of it over a grain as strong, both by enough pixels to tell, the hole is neither
 * in deep shadow nor much brighter than the plate, and the matte holds the subject around it mostly solid.
 */
function hidesGrain(
  cv: CV,
  bands: GrainBands,
  region: FloatImage,
  { label, k, box: near, area, inCore, ring, plateEnergy }: HoleSurroundings,
  opts: GrainHoleOptions,
): boolean {
  const w = region.width;
  const inHole = createImage(near.width, near.height, 1);
  for (let y = 0, q = 0; y < near.height; y++)
    for (let x = 0; x < near.width; x++, q++)
      inHole.data[q] = label[(near.y + y) * w + near.x + x] === k ? 1 : 0;
  // (A distance transform: a dilation by a disc this wide took ~600 ms over a 434×501 box.)
  const distance = distanceToMask(cv, inHole);
  // Indices into the bands.
  const [core, background]: [number[], number[]] = [[], []];
  let [held, band] = [0, 0];
  for (let y = 0, q = 0; y < near.height; y++)
    for (let x = 0; x < near.width; x++, q++) {
      const p = (near.y + y) * w + near.x + x;
      const b = (near.y + y - area.y) * area.width + near.x + x - area.x;
      if (inHole.data[q]) {
        if (inCore(p)) core.push(b);
        continue;
      }
      if (distance[q] <= ring && !label[p] && region.data[p] < SHOWN_BACKGROUND) background.push(b);
      if (distance[q] >= HELD_BAND[0] && distance[q] <= HELD_BAND[1]) {
        held += region.data[p];
        band++;
      }
    }
  const inside = grainOver(bands, core);
  // The background compared is where the plate's grain is no stronger than under the hole.
  const strongest = (opts.amplitudeRatio * inside.amplitude) ** 2;
  const alike = background.filter((p) => plateEnergy[p] <= strongest);
  const outside = grainOver(bands, alike);
  const r = outside.correlation;
  // The hole repeats less of the grain than the background does, by more than what else its photo holds allows
  // (strands crossing a gap add their own grain, not less of the plate's).
  return (
    grainEvidence(r, outside.pixels) >= opts.minEvidence &&
    grainEvidence(r, inside.pixels) >= opts.minEvidence &&
    outside.slope - inside.slope >= opts.minEvidence * inside.slopeError &&
    outside.amplitude * opts.amplitudeRatio >= inside.amplitude &&
    inside.brightness >= opts.minBrightness &&
    inside.brightness <= opts.maxBrightness &&
    held >= opts.minHeld * band &&
    inside.slope <= opts.hiddenShare * outside.slope
  );
}

/**
 * The box (at `width` × `height`) around the holes of the network's α that could grow into one of `leastHole` pixels
 * when upsampled (an edge moves by up to a network pixel), grown by that pixel and `margin`; undefined if none could.
 */
function aroundNetworkHoles(
  cv: CV,
  networkAlpha: FloatImage,
  width: number,
  height: number,
  leastHole: number,
  margin: number,
  leak: number,
): Box | undefined {
  const [sx, sy] = [width / networkAlpha.width, height / networkAlpha.height];
  const side = Math.max(1, Math.sqrt(leastHole / (sx * sy)) - 2);
  const holes = enclosedHoles(cv, networkAlpha, side * side, Math.round(leak / Math.max(sx, sy)));
  if (!holes) return undefined;
  const pad = Math.ceil(Math.max(sx, sy)) + margin;
  return growBox(scaleBox(holes.box, sx, sy, width, height), pad, width, height);
}

/**
 * The holes of `alpha` closed all round by the subject (not touching the image's border, nor reaching it through a
 * gap in the subject wider than twice `leak`), of at least `minSize` pixels, labelled 1 to count − 1 (0 elsewhere),
 * and the box around them; undefined if there are none.
 */
function enclosedHoles(
  cv: CV,
  alpha: FloatImage,
  minSize: number,
  leak: number,
): { label: Int32Array; count: number; box: Box } | undefined {
  const { width: w, height: h } = alpha;
  const border = onImageBorder(w, h);
  let inHole = (p: number) => alpha.data[p] < HOLE;
  if (leak > 0) {
    // The outside is what the subject, its narrow gaps closed, leaves open to the border.
    const subject = createImage(w, h, 1);
    for (let p = 0; p < subject.data.length; p++) subject.data[p] = alpha.data[p] < HOLE ? 0 : 1;
    const closed = closeByDisc(cv, subject, leak).data;
    const open = componentSizes(cv, w, h, (p) => closed[p] < 0.5, border);
    inHole = (p) => alpha.data[p] < HOLE && (closed[p] >= 0.5 || open.size[open.label[p]] < Infinity);
  }
  // 8-connected: a hole that touches the outside at a corner is open.
  const { label, count, size } = componentSizes(cv, w, h, inHole, border);
  const kept = new Int32Array(count);
  let n = 1;
  for (let k = 1; k < count; k++) if (size[k] >= minSize && size[k] < Infinity) kept[k] = n++;
  if (n === 1) return undefined;
  for (let p = 0; p < label.length; p++) label[p] = kept[label[p]];
  return { label, count: n, box: boxWhere(w, h, (p) => label[p] > 0)! };
}
