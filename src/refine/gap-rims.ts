/**
 * The rims of the gaps opened inside the subject, and of its whole outline. The network called the whole region
 * opaque, so where a gap is opened (refine/compositing-equation, refine/bounded-gaps) the pixel or two around it, where
 * the photo blends the leaf's edge into what is seen through the gap, keep α = 1 and draw a hard, solid outline. There
 * the compositing equation is solved with the subject's colour from its opaque pixels beside the rim and, as the
 * background, the plate itself, pixel by pixel (a bridge's girders seen between leaves), scaled to the colour the
 * photo shows where the background is seen nearby (the plate's exposure, the subject's shadow). The same holds along
 * every edge where the matte steps from opaque to background (a leaf the network drew a little too wide, a small gap
 * it left open with a solid rim): `solveOutlineRims` solves those, and farther in where the matte is itself unsure
 * (a defocused leaf whose edge fades over several pixels). α is only lowered: the network's call of the rest stands.
 */
import { distanceToMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { colourDistanceAt } from "../cv/plate-difference.js";
import { maskedMean } from "../image/box-filter.js";
import { solveAlpha } from "./solve-alpha.js";
import { boxWhere, crop, growBox } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";

export interface GapRimOptions {
  /** How far from where the background shows (full-resolution pixels) the rim reaches… */
  width: number;
  /** …and farther, up to this, where the matte is itself unsure (α < 0.98): a blurred edge fades over more pixels
   * than a sharp one, but the subject's solid inside is the network's call (beside a wire mesh's gaps, wires whose
   * colour lies between the plate's and the paper's inside the mesh would read as blends). */
  softWidth: number;
  /** Radius of the neighbourhood the two colours are averaged over. */
  radius: number;
  /** The colours must be at least this far apart (max over channels) for α to be solved (`softContrast` in the soft
   * band beyond `width`, where a part of the subject in the plate's colours, unsure in the matte, would read as a
   * blend: white label beside black print on white fabric)… */
  contrast: number;
  softContrast: number;
  /** …and the photo within this of their blend at the solved α (max over channels). */
  misfit: number;
  /** Where the background is seen nearby, the photo's mean colour must be the plate's times one factor (a shadow, an
   * exposure) within this (max over channels): a gap opened wrongly onto a part of the subject does not show the
   * plate, and its rim is left alone. */
  seenAsPlate: number;
}

// Measured on the composites (the potted plants' gaps against a mesh cup's wires, whose gaps open wrongly where the
// paper inside has the plate's colour): a rim of 1 px gained 0.22 SAD, 2 px 0.44, 3 px 0.56 but lowered more wires.
// With the plate's own pixels as the background, a misfit of 0.05 (twice a camera's noise) where the mean of the seen
// background needed 0.1. The soft band: 4, 6, 8 and 12 px gained ever more on the defocused plants and lost ever more
// on a white label over white fabric; its contrast is the gap opening's (refine/compositing-equation) and cuts that
// loss by a third (docs/how-it-works.md).
export const DEFAULT_GAP_RIMS: GapRimOptions = {
  width: 2,
  softWidth: 12,
  radius: 3,
  contrast: 0.1,
  softContrast: 0.3,
  misfit: 0.05,
  seenAsPlate: 0.03,
};

/** α under which a pixel counts as opened (background), from which the network called it opaque, and from which it is
 * the subject's own colour. */
const OPENED = 0.05;
const OPAQUE = 0.5;
const SOLID = 0.98;

/**
 * Lowers α (full resolution, in place) around the gaps opened since `before` (α before any was opened), where the
 * photo shows the subject's edge blending into the gap. Returns the number of pixels lowered.
 */
export function solveGapRims(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  before: Float32Array,
  opts: GapRimOptions = DEFAULT_GAP_RIMS,
): number {
  const A = alpha.data;
  const opened = { ...alpha, data: A.map((a, p) => (before[p] >= OPAQUE && a < OPENED ? 1 : 0)) };
  // The subject's colour: its pixels the network called opaque that no gap has touched, beyond the rim.
  const solid = A.map((a, p) => (a >= SOLID && a === before[p] ? 1 : 0));
  return solveRims(cv, image, plate, alpha, opened, solid, (p) => before[p] >= OPAQUE, opts);
}

/**
 * Lowers α (full resolution, in place) along every edge between the matte's background and its opaque part, where
 * the photo there is a blend of the two as the photo shows them nearby. Run after `solveGapRims`: the rims of opened
 * gaps, still at α = 1 before it, would count as the subject's colour. Returns the number of pixels lowered.
 */
export function solveOutlineRims(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  opts: GapRimOptions = DEFAULT_GAP_RIMS,
): number {
  const A = alpha.data;
  const background = { ...alpha, data: A.map((a) => (a < OPENED ? 1 : 0)) };
  const solid = A.map((a) => (a >= SOLID ? 1 : 0));
  return solveRims(cv, image, plate, alpha, background, solid, () => true, opts);
}

/**
 * Within `opts.width` of `seen` (where the background shows), and within `opts.softWidth` where α is unsure, solves α
 * from the compositing equation with the mean photo colour of `solid` (the subject's opaque pixels) nearby and the
 * plate (`plate`, exposure-matched) scaled to the colour the photo shows over `seen` nearby (within `opts.width`, or
 * that colour itself), at pixels `eligible` allows; lowers α to it where the photo is their blend.
 */
function solveRims(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  seen: FloatImage,
  solid: Float32Array,
  eligible: (p: number) => boolean,
  opts: GapRimOptions,
): number {
  const { width: w, height: h, data: A } = alpha;
  if (!seen.data.some((v) => v > 0)) return 0;
  const reach = Math.max(opts.width, opts.softWidth);
  // Distances rounded to whole pixels: the rim of width 2 takes in the knight's-move neighbours (√5).
  const distance = distanceToMask(cv, seen);
  const within = (p: number, r: number) => distance[p] < r + 0.5;
  const candidate = (p: number) =>
    within(p, reach) && A[p] > OPENED && (within(p, opts.width) || A[p] < SOLID) && eligible(p);
  // The colours are averaged over the box the candidates span only (the subject's outline, not the whole frame).
  const span = boxWhere(w, h, candidate);
  if (!span) return 0;
  // Both colours are averaged over the rim's reach and the neighbourhood beyond it.
  const around = reach + opts.radius;
  const box = growBox(span, around, w, h);
  const inBox = (data: Float32Array) => crop({ width: w, height: h, channels: 1, data }, box).data;
  const [imageInBox, seenInBox] = [crop(image, box), inBox(seen.data)];
  const shown = maskedMean(imageInBox, seenInBox, around);
  const plateSeen = maskedMean(crop(plate, box), seenInBox, around);
  const subject = maskedMean(imageInBox, inBox(solid), around);
  const I = image.data;
  const P = plate.data;
  const B = new Float64Array(3);
  let lowered = 0;
  for (let y = box.y; y < box.y + box.height; y++)
    for (let x = box.x, p = y * w + x, q = (y - box.y) * box.width; x < box.x + box.width; x++, p++, q++) {
      // (Pixels where the background shows are themselves at α < OPENED.)
      if (!candidate(p) || shown.weight[q] === 0 || subject.weight[q] === 0) continue;
      if (!backgroundAt(P, 3 * p, shown.mean, plateSeen.mean, 3 * q, opts.seenAsPlate, B)) continue;
      // The background is the plate's pixel (a textured background) or, within the rim's first pixels, the mean seen
      // beside it (a smooth background through a noisy plate): whichever the photo is a blend with. A wire of its
      // own colour between two gaps is neither.
      const near = within(p, opts.width);
      const contrast = near ? opts.contrast : opts.softContrast;
      let best = Infinity;
      let bestMisfit = Infinity;
      for (let seenMean = near ? 1 : 0; seenMean >= 0; seenMean--) {
        const [bg, b] = seenMean ? [shown.mean, 3 * q] : [B, 0];
        if (colourDistanceAt(subject.mean, 3 * q, bg, b) < contrast) continue;
        const solved = solveAlpha(I, 3 * p, subject.mean, 3 * q, bg, b);
        let misfit = 0;
        for (let c = 0; c < 3; c++) {
          const blend = bg[b + c] + solved * (subject.mean[3 * q + c] - bg[b + c]);
          misfit = Math.max(misfit, Math.abs(I[3 * p + c] - blend));
        }
        if (misfit < bestMisfit) [best, bestMisfit] = [solved, misfit];
      }
      if (bestMisfit <= opts.misfit && best < A[p]) {
        A[p] = best;
        lowered++;
      }
    }
  return lowered;
}

/**
 * The background behind a pixel into `out`: the plate there (at RGB index `j`), scaled channel by channel to the
 * photo's colour over the seen background nearby (`shown`, at `i`) against the plate's there (`plateSeen`). False where that
 * colour is not the plate's times one factor within `tolerance` (what is seen there is not the plate).
 */
function backgroundAt(
  plate: Float32Array,
  j: number,
  shown: Float32Array,
  plateSeen: Float32Array,
  i: number,
  tolerance: number,
  out: Float64Array,
): boolean {
  let num = 0;
  let den = 0;
  for (let c = 0; c < 3; c++) {
    num += shown[i + c] * plateSeen[i + c];
    den += plateSeen[i + c] * plateSeen[i + c];
  }
  const k = den > 1e-6 ? num / den : 0;
  for (let c = 0; c < 3; c++) if (Math.abs(shown[i + c] - k * plateSeen[i + c]) > tolerance) return false;
  for (let c = 0; c < 3; c++) {
    const m = plateSeen[i + c];
    // A channel near black carries no scale: the photo's own mean there.
    out[c] = m > 0.02 ? Math.min(1, (plate[j + c] * shown[i + c]) / m) : shown[i + c];
  }
  return true;
}
