/**
 * The rims of the gaps opened inside the subject, and of its whole outline. The network called the whole region
 * opaque, so where a gap is opened (refine/compositing-equation, refine/bounded-gaps) the pixel or two around it, where
 * the photo blends the leaf's edge into what is seen through the gap, keep α = 1 and draw a hard, solid outline. There
 * the compositing equation is solved with both colours taken from the photo nearby: the background from the opened
 * gap itself (the plate as the photo shows it, in the subject's shadow too), the subject from its opaque pixels beside
 * the rim. The same holds along every edge where the matte steps from opaque to background within a pixel or two (a
 * leaf the network drew a little too wide, a small gap it left open with a solid rim): `solveOutlineRims` solves
 * those with the background the photo shows beside them. α is only lowered: the network's call of the rest stands.
 */
import { dilateMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { colourDistanceAt } from "../cv/plate-difference.js";
import { maskedMean } from "./box-filter.js";
import { solveAlpha } from "./solve-alpha.js";
import type { FloatImage } from "../image/types.js";

export interface GapRimOptions {
  /** How far from an opened gap (full-resolution pixels) the rim reaches. */
  width: number;
  /** Radius of the neighbourhood the two colours are averaged over. */
  radius: number;
  /** The colours must be at least this far apart (max over channels) for α to be solved… */
  contrast: number;
  /** …and the photo within this of their blend at the solved α (max over channels). */
  misfit: number;
}

// Measured on the composites (the potted plants' gaps against a mesh cup's wires, whose gaps open wrongly where the
// paper inside has the plate's colour): a rim of 1 px gained 0.22 SAD, 2 px 0.44, 3 px 0.56 but lowered more wires.
export const DEFAULT_GAP_RIMS: GapRimOptions = { width: 2, radius: 3, contrast: 0.1, misfit: 0.1 };

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
  alpha: FloatImage,
  before: Float32Array,
  opts: GapRimOptions = DEFAULT_GAP_RIMS,
): number {
  const A = alpha.data;
  const opened = { ...alpha, data: A.map((a, p) => (before[p] >= OPAQUE && a < OPENED ? 1 : 0)) };
  // The subject's colour: its pixels the network called opaque that no gap has touched, beyond the rim.
  const solid = A.map((a, p) => (a >= SOLID && a === before[p] ? 1 : 0));
  return solveRims(cv, image, alpha, opened, solid, (p) => before[p] >= OPAQUE, opts);
}

/**
 * Lowers α (full resolution, in place) along every edge between the matte's background and its opaque part, where
 * the photo there is a blend of the two as the photo shows them nearby. Run after `solveGapRims`: the rims of opened
 * gaps, still at α = 1 before it, would count as the subject's colour. Returns the number of pixels lowered.
 */
export function solveOutlineRims(
  cv: CV,
  image: FloatImage,
  alpha: FloatImage,
  opts: GapRimOptions = DEFAULT_GAP_RIMS,
): number {
  const A = alpha.data;
  const background = { ...alpha, data: A.map((a) => (a < OPENED ? 1 : 0)) };
  const solid = A.map((a) => (a >= SOLID ? 1 : 0));
  return solveRims(cv, image, alpha, background, solid, () => true, opts);
}

/**
 * Within `opts.width` of `seen` (where the background shows), solves α from the compositing equation with the mean
 * photo colours of `seen` and of `solid` (the subject's opaque pixels) nearby, at pixels `eligible` allows; lowers α
 * to it where the photo is their blend.
 */
function solveRims(
  cv: CV,
  image: FloatImage,
  alpha: FloatImage,
  seen: FloatImage,
  solid: Float32Array,
  eligible: (p: number) => boolean,
  opts: GapRimOptions,
): number {
  const A = alpha.data;
  if (!seen.data.some((v) => v > 0)) return 0;
  const gap = maskedMean(image, seen.data, opts.width + opts.radius);
  const subject = maskedMean(image, solid, opts.width + opts.radius);
  const rim = dilateMask(cv, seen, opts.width).data;
  const I = image.data;
  let lowered = 0;
  for (let p = 0; p < A.length; p++) {
    // (Pixels where the background shows are themselves at α < OPENED.)
    if (!rim[p] || A[p] <= OPENED || !eligible(p)) continue;
    if (gap.weight[p] === 0 || subject.weight[p] === 0) continue;
    if (colourDistanceAt(subject.mean, 3 * p, gap.mean) < opts.contrast) continue;
    const solved = solveAlpha(I, 3 * p, subject.mean, 3 * p, gap.mean, 3 * p);
    if (solved >= A[p]) continue;
    // The photo must be a blend of the two colours: a wire of its own colour between two gaps is not.
    let misfit = 0;
    for (let c = 0; c < 3; c++) {
      const b = gap.mean[3 * p + c];
      const blend = b + solved * (subject.mean[3 * p + c] - b);
      misfit = Math.max(misfit, Math.abs(I[3 * p + c] - blend));
    }
    if (misfit <= opts.misfit) {
      A[p] = solved;
      lowered++;
    }
  }
  return lowered;
}
