/**
 * The rims of the gaps opened inside the subject. The network called the whole region opaque, so where a gap is
 * opened (refine/compositing-equation, refine/bounded-gaps) the pixel or two around it, where the photo blends the
 * leaf's edge into what is seen through the gap, keep α = 1 and draw a hard, solid outline. There the compositing
 * equation is solved with both colours taken from the photo nearby: the background from the opened gap itself (the
 * plate as the photo shows it, in the subject's shadow too), the subject from its opaque pixels beside the rim. α is
 * only lowered: the network's call of the rest stands.
 */
import { dilateMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { colourDistanceAt } from "../cv/plate-difference.js";
import { maskedMean } from "./box-filter.js";
import { solveAlpha } from "./solve-alpha.js";
import { createImage, type FloatImage } from "../image/types.js";

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

/** α under which a pixel counts as opened, and from which the network called it opaque. */
const OPENED = 0.05;
const OPAQUE = 0.5;

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
  const { width: w, height: h } = alpha;
  const A = alpha.data;
  const opened = createImage(w, h, 1);
  let any = false;
  for (let p = 0; p < A.length; p++)
    if (before[p] >= OPAQUE && A[p] < OPENED) {
      opened.data[p] = 1;
      any = true;
    }
  if (!any) return 0;
  const gap = maskedMean(image, opened.data, opts.width + opts.radius);
  // The subject's colour: its pixels the network called opaque that no gap has touched, beyond the rim.
  const solid = new Float32Array(A.length);
  for (let p = 0; p < A.length; p++) if (A[p] >= 0.98 && A[p] === before[p]) solid[p] = 1;
  const subject = maskedMean(image, solid, opts.width + opts.radius);
  const rim = dilateMask(cv, opened, opts.width).data;
  const I = image.data;
  let lowered = 0;
  for (let p = 0; p < A.length; p++) {
    // (Opened pixels themselves are at α < OPENED.)
    if (!rim[p] || before[p] < OPAQUE || A[p] <= OPENED) continue;
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
