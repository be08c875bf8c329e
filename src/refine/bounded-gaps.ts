/**
 * Gaps the network filled over a smooth background. Between leaves against the sky, the photo matches the plate but
 * the network calls it subject, and its F there is the sky's colour too, so the compositing equation cannot tell
 * (refine/compositing-equation leaves "a subject the colour of the plate" alone). What tells is the region's
 * outline: a gap between leaves is cut out by the leaves' sharp edges, opaque all round, while a forehead the colour
 * of the sky fades into the rest of the face, with no edge where the match ends. So a region the network calls
 * opaque that matches the plate, is small beside the subject, and is bounded by a sharp photo edge and opaque subject
 * nearly all round, is opened, where the network itself is unsure of it. Print on a label has sharp outlines too:
 * the network is sure of print, and on a dark plate (black print against a black backdrop) or where the photo hides
 * the plate's texture (white print on white fabric), nothing is opened. Nor is a region one pixel thin: where two
 * parts of the subject meet (a neck and a collar), their blended edge can match the plate along a line.
 *
 * The gaps can lie in the subject's own shadow (a plant's leaves shade what is seen between them): there the photo is
 * the plate dimmed, along its hue. A region of such pixels is a gap by the same outline rules where the dimming is
 * smooth from pixel to pixel, as a shadow's is (a dark part of the subject in the plate's colours has a texture of
 * its own: a pencil, a painted structure), and the plate is coloured (on a grey plate every grey is along its hue: a
 * dark jacket against a grey wall).
 */
import { labelComponents } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { colourDistanceAt, differsUnlikeShadow } from "../cv/plate-difference.js";
import type { FloatImage } from "../image/types.js";

export interface BoundedGapOptions {
  /** A pixel matches the plate within this, in every channel (about twice a camera's noise). */
  match: number;
  /** Step per pixel in some channel (half a central difference, smoothed across) that counts as a sharp edge. */
  edge: number;
  /** Share of a region's outline (where it meets the subject, not the background) that must be a sharp edge… */
  outline: number;
  /** …with at least this α beside it: a gap the network filled is surrounded by what it calls opaque, a clearing
   * inside hair by a partial α (opening it would punch a hard-edged hole in a soft region)… */
  surround: number;
  /** …or this, around a region in the subject's shadow (a smooth dimming along a coloured plate's hue is evidence of
   * its own, which hair before a wall of its colour does not give). */
  shadowedSurround: number;
  /** A region larger than this share of the subject is not a gap (a large part matching the plate is the subject's). */
  maxShare: number;
  /** Outline pixels a region needs before its outline is judged (single pixels of noise are not gaps). */
  minOutline: number;
  /** The network's mean predicted error over a region matching the plate under which it is sure of it (black print
   * on a white label against a white wall: sharp outlines, the plate's colour, and a network that knows it is print).
   * Not asked of a region in the subject's shadow: its smooth dimming is evidence of its own, and the network is as
   * sure of the filled gaps in a plant's shadow (0.03) as of print. */
  minError: number;
  /** The plate's grey level under which nothing is opened: on a dark plate a dark part of the subject (black print on
   * a label against a black backdrop) matches it within a camera's noise, inside sharp outlines too. */
  darkPlate: number;
  /** In the subject's shadow: the darkest dimming (photo over plate brightness) taken for a shadow, … */
  minDimming: number;
  /** …the plate's least mean chroma over a region ((max − min) / max of its channels), … */
  minChroma: number;
  /** …and the largest pixel-to-pixel spread of the dimming over it. */
  dimmingStep: number;
}

export const DEFAULT_BOUNDED_GAPS: BoundedGapOptions = {
  match: 0.08,
  edge: 0.03,
  outline: 0.8,
  surround: 0.95,
  // The network's α, upsampled from its grid, falls to 0.7–0.95 along the edges of the leaves around the gaps it
  // filled. 0.7 for every region opened holes in the person photo's hair composited onto her own colours.
  shadowedSurround: 0.7,
  maxShare: 0.02,
  minOutline: 8,
  darkPlate: 0.25,
  minError: 0.04,
  minDimming: 0.25,
  minChroma: 0.1,
  // A shadow's dimming moves by noise from pixel to pixel (≤ 0.024 in the composites' shaded gaps); a dark subject's
  // own texture more (0.031–0.12: a pencil, a painted structure in the plate's colours).
  dimmingStep: 0.03,
};

/** Kinds of candidate pixel: the plate itself, or the plate in the subject's shadow. */
const MATCHES = 1;
const SHADOWED = 2;

/** Opens (α = 0), in place, the gaps of `alpha` that `image` shows as the plate inside sharp outlines. */
export function openBoundedGaps(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  /** Where the photo hides the plate's texture (cv/plate-texture): something solid, whatever its colour. */
  hidden: Uint8Array,
  /** The network's predicted error at its own resolution (models without one: no region is opened). */
  error: FloatImage | undefined,
  opts: BoundedGapOptions = DEFAULT_BOUNDED_GAPS,
): number {
  const { width: w, height: h } = alpha;
  const A = alpha.data;
  const I = image.data;
  const B = plate.data;
  let subject = 0;
  const candidate = new Uint8Array(w * h);
  const dimming = new Float32Array(w * h);
  for (let p = 0, i = 0; p < A.length; p++, i += 3) {
    if (A[p] <= 0.5) continue;
    subject++;
    const plateSum = B[i] + B[i + 1] + B[i + 2];
    if (hidden[p] || plateSum < 3 * opts.darkPlate) continue;
    if (colourDistanceAt(I, i, B) < opts.match) candidate[p] = MATCHES;
    else if (!differsUnlikeShadow(I, B, i, opts.match)) {
      dimming[p] = (I[i] + I[i + 1] + I[i + 2]) / plateSum;
      if (dimming[p] >= opts.minDimming) candidate[p] = SHADOWED;
    }
  }
  if (subject === 0 || !error) return 0;
  const errorAt = nearestLookup(error, w, h);
  const sharpAt = sharpEdgeTest(image, opts.edge);
  const { label: lab, count: n } = labelKinds(cv, candidate, w, h);
  const size = new Uint32Array(n);
  // Thicker than a pixel: some 2×2 block lies wholly inside the region.
  const thick = new Uint8Array(n);
  for (let p = 0; p < lab.length - w - 1; p++) {
    const k = lab[p];
    if (k !== 0 && lab[p + 1] === k && lab[p + w] === k && lab[p + w + 1] === k) thick[k] = 1;
  }
  const outline = new Uint32Array(n);
  const sharpOutline = new Uint32Array(n);
  const errorSum = new Float64Array(n);
  const shade = new ShadeMoments(n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const k = lab[p];
      if (k === 0) continue;
      size[k]++;
      errorSum[k] += errorAt(x, y);
      if (candidate[p] === SHADOWED)
        shade.add(k, dimming[p], x + 1 < w && lab[p + 1] === k ? dimming[p + 1] : undefined, B, 3 * p);
      // Where the region meets the rest of the subject (its meeting with the background says nothing): the least
      // α there.
      let meets = 0;
      if (x > 0) meets = leastSubject(meets, p - 1, candidate[p], candidate, A);
      if (x < w - 1) meets = leastSubject(meets, p + 1, candidate[p], candidate, A);
      if (y > 0) meets = leastSubject(meets, p - w, candidate[p], candidate, A);
      if (y < h - 1) meets = leastSubject(meets, p + w, candidate[p], candidate, A);
      if (meets === 0) continue;
      outline[k]++;
      const surround = candidate[p] === SHADOWED ? opts.shadowedSurround : opts.surround;
      if (meets >= surround && sharpAt(x, y)) sharpOutline[k]++;
    }
  const open = new Uint8Array(n);
  for (let k = 1; k < n; k++)
    open[k] =
      thick[k] === 1 &&
      size[k] <= opts.maxShare * subject &&
      outline[k] >= opts.minOutline &&
      sharpOutline[k] >= opts.outline * outline[k] &&
      (shade.count[k] === 0 ? errorSum[k] >= opts.minError * size[k] : shade.likeShadow(k, opts))
        ? 1
        : 0;
  let opened = 0;
  for (let p = 0; p < A.length; p++)
    if (open[lab[p]]) {
      A[p] = 0;
      opened++;
    }
  return opened / A.length;
}

/** The candidate regions, each of one kind (4-connected), labelled 1 to count − 1 over both kinds. */
function labelKinds(
  cv: CV,
  candidate: Uint8Array,
  w: number,
  h: number,
): { label: Int32Array; count: number } {
  const matches = labelComponents(cv, w, h, (p) => candidate[p] === MATCHES, 4);
  const shadowed = labelComponents(cv, w, h, (p) => candidate[p] === SHADOWED, 4);
  const label = matches.label;
  for (let p = 0; p < label.length; p++)
    if (shadowed.label[p]) label[p] = matches.count - 1 + shadowed.label[p];
  return { label, count: matches.count + shadowed.count - 1 };
}

/** Per shadowed region: sums of the dimming, its step to the next pixel along the row, and the plate's chroma. */
class ShadeMoments {
  readonly count: Uint32Array;
  private readonly steps: Uint32Array;
  private readonly sums: Float64Array;
  constructor(regions: number) {
    this.count = new Uint32Array(regions);
    this.steps = new Uint32Array(regions);
    this.sums = new Float64Array(3 * regions);
  }
  add(k: number, dimming: number, next: number | undefined, B: Float32Array, i: number): void {
    const s = this.sums;
    this.count[k]++;
    const brightest = Math.max(B[i], B[i + 1], B[i + 2]);
    s[3 * k] += (brightest - Math.min(B[i], B[i + 1], B[i + 2])) / Math.max(brightest, 1e-3);
    if (next === undefined) return;
    this.steps[k]++;
    s[3 * k + 1] += (next - dimming) ** 2;
  }
  /** On a coloured plate (on a grey one every grey is along its hue), dimmed smoothly. */
  likeShadow(k: number, { minChroma, dimmingStep }: BoundedGapOptions): boolean {
    const chroma = this.sums[3 * k] / this.count[k];
    // Half the mean squared step: the dimming's pixel-to-pixel spread, its noise where it is smooth.
    const step2 = this.sums[3 * k + 1] / Math.max(1, 2 * this.steps[k]);
    return chroma >= minChroma && step2 < dimmingStep * dimmingStep;
  }
}

/** The least of `least` (0: none yet) and α at `q`, if `q` is subject outside the candidates of `kind`. */
function leastSubject(
  least: number,
  q: number,
  kind: number,
  candidate: Uint8Array,
  A: Float32Array,
): number {
  if (candidate[q] === kind || A[q] <= 0.5) return least;
  return least === 0 ? A[q] : Math.min(least, A[q]);
}

/** Reads a low-resolution one-channel map at full-resolution (x, y) of a w × h frame: the network pixel covering it. */
function nearestLookup(map: FloatImage, w: number, h: number): (x: number, y: number) => number {
  const [sx, sy] = [map.width / w, map.height / h];
  return (x, y) => map.data[Math.floor(y * sy) * map.width + Math.floor(x * sx)];
}

/**
 * Whether the photo has a step of more than `edge` per pixel in some channel within one pixel of (x, y): the largest
 * Sobel magnitude (scaled by 1/8, so a step of height s reads s/2) over the 3×3 around it. In some channel: a leaf
 * and the shaded sky between leaves can have one grey level. Evaluated only at the outlines asked about, a small
 * share of the frame.
 */
function sharpEdgeTest(image: FloatImage, edge: number): (x: number, y: number) => boolean {
  const { width: w, height: h, data } = image;
  const at = (x: number, y: number, c: number) =>
    data[3 * (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) + c];
  const magnitude2 = (x: number, y: number, c: number) => {
    const [a, b, d] = [at(x - 1, y - 1, c), at(x, y - 1, c), at(x + 1, y - 1, c)];
    const [f, g] = [at(x - 1, y, c), at(x + 1, y, c)];
    const [k, l, m] = [at(x - 1, y + 1, c), at(x, y + 1, c), at(x + 1, y + 1, c)];
    const gx = (d + 2 * g + m - a - 2 * f - k) / 8;
    const gy = (k + 2 * l + m - a - 2 * b - d) / 8;
    return gx * gx + gy * gy;
  };
  const edge2 = edge * edge;
  return (x, y) => {
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++)
        for (let c = 0; c < 3; c++) if (magnitude2(x + dx, y + dy, c) > edge2) return true;
    return false;
  };
}
