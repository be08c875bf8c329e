/**
 * Gaps seen in the subject's shadow over a flat plate. Between a plant's leaves the background is often the plate
 * dimmed by the leaves' shadow: a darker copy of it, with its hue. The compositing equation reads such a pixel as a
 * blend of the plate and the leaf (α ≈ 0.3–0.7), and the plate's texture, which tells a shadow elsewhere
 * (cv/plate-texture), is absent from a sky or a painted wall. What tells instead is the network's F: a blend of the
 * plate and F lies on the line between them, a shadow on the line from the plate towards black, and where F's hue
 * differs from the plate's the pixel fits one line and misses the other.
 *
 * Scattered pixels pass this test inside a textured subject too (a wire mesh whose grey metal is a darker copy of a
 * stone wall, where the network's smooth F misses the wires), so only regions of them are taken: a shaded gap is
 * seen over many adjoining pixels.
 */
import { componentSizes } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import type { FloatImage } from "../image/types.js";
import { solveAlpha } from "./solve-alpha.js";

const BLACK = [0, 0, 0];

export interface ShadedGapOptions {
  /** The darkest shadow taken (photo over plate): nearly black pixels are a darker copy of any plate. */
  minDimming: number;
  /** F is read only where the network's F is uniform, its four nearest pixels within this in every channel: where
   * two of the subject's colours meet, F is a mix of both, and would misfit either. */
  fgSpread: number;
  /** The photo is the dimmed plate within this, in every channel (about twice a camera's noise)… */
  match: number;
  /** …while the best blend of F and the plate misses it by more than this in some channel… */
  misfit: number;
  /** …and by at least this many times as much. */
  ratio: number;
  /** The blend's best α lies this far inside (0, 1): a pixel it explains as all plate or all F is no shadow
   * between. */
  partial: number;
  /** A region of such pixels is a gap if it holds a square of this side (share of the longer side) in area… */
  minSide: number;
  /** …and its dimming moves by less than this from pixel to pixel, as a shadow's does (a subject's texture
   * more). */
  dimmingStep: number;
}

// Measured on the composites, a potted plant's shaded gaps against a wire mesh cup: the mesh's shaded pixels come
// in specks of a few pixels, dimmed unevenly (step 0.05–0.07; the plant's gaps 0.014–0.018, as in
// refine/bounded-gaps). A side of 0.6 % of the crop (22 px of the plant's 784-px crop) takes none of the mesh; 0.5 %
// and 0.3 % took more of the plant's gaps but lowered a few of the mesh's wires (+0.04 and +0.11 SAD). Lightly
// shaded gaps lie near the blend's line too (misfit 0.025–0.07): a misfit of 0.05 takes most of them (the plant
// 8.03 → 6.76), 0.04 a little more and a few of the wires (+0.06). A uniform F within 0.1 keeps them (6.80), within
// 0.05 fewer (7.24).
export const DEFAULT_SHADED_GAPS: ShadedGapOptions = {
  minDimming: 0.4,
  fgSpread: 0.1,
  match: 0.04,
  misfit: 0.05,
  ratio: 3,
  partial: 0.05,
  minSide: 0.006,
  dimmingStep: 0.03,
};

/**
 * How much the plate `plate` is dimmed where the photo pixel at `i` of `image` is a darker copy of it, with its hue;
 * −1 where it is not (or too dark to tell).
 */
export function shadowDimming(
  image: ArrayLike<number>,
  i: number,
  plate: ArrayLike<number>,
  opts: ShadedGapOptions,
): number {
  // The dimming that fits best: the photo as a blend of the plate and black. No brighter than the plate (that is
  // the plate, or not a shadow).
  const k = solveAlpha(image, i, plate, 0, BLACK, 0);
  if (k < opts.minDimming || k >= 1) return -1;
  return shadowMiss(image, i, plate, k) < opts.match ? k : -1;
}

/**
 * α for the photo pixel at `i` of `image` against the plate `plate` dimmed by `k` (`shadowDimming`), if no blend of
 * the plate with `fg` explains the pixel; else −1.
 */
export function shadedPlateAlpha(
  image: ArrayLike<number>,
  i: number,
  plate: ArrayLike<number>,
  k: number,
  fg: ArrayLike<number>,
  opts: ShadedGapOptions,
): number {
  const blend = solveBlend(image, i, plate, fg);
  if (blend.alpha <= opts.partial || blend.alpha >= 1 - opts.partial) return -1;
  if (blend.miss <= opts.misfit || blend.miss <= opts.ratio * shadowMiss(image, i, plate, k)) return -1;
  return solveBlend(image, i, [k * plate[0], k * plate[1], k * plate[2]], fg).alpha;
}

/** How far in some channel the pixel at `i` of `image` is from `plate` dimmed by `k`. */
function shadowMiss(image: ArrayLike<number>, i: number, plate: ArrayLike<number>, k: number): number {
  let miss = 0;
  for (let c = 0; c < 3; c++) miss = Math.max(miss, Math.abs(image[i + c] - k * plate[c]));
  return miss;
}

/** The compositing equation's α for the pixel at `i` between `plate` and `fg` (clamped to [0, 1]), and how far in
 * some channel the blend at that α misses the photo. */
function solveBlend(
  image: ArrayLike<number>,
  i: number,
  plate: ArrayLike<number>,
  fg: ArrayLike<number>,
): { alpha: number; miss: number } {
  const alpha = solveAlpha(image, i, fg, 0, plate, 0);
  let miss = 0;
  for (let c = 0; c < 3; c++)
    miss = Math.max(miss, Math.abs(image[i + c] - plate[c] - alpha * (fg[c] - plate[c])));
  return { alpha, miss };
}

/** Per pixel of a frame: α against the dimmed plate where the pixel is a shaded view of it, and the dimming; with
 * the options they are judged by. */
export class ShadedPixels {
  readonly alpha: Float32Array;
  readonly dimming: Float32Array;
  constructor(
    size: number,
    readonly options: ShadedGapOptions,
  ) {
    this.alpha = new Float32Array(size).fill(-1);
    this.dimming = new Float32Array(size);
  }
  set(p: number, alpha: number, dimming: number): void {
    this.alpha[p] = alpha;
    this.dimming[p] = dimming;
  }
}

/**
 * Lowers `alpha` (in place) to the α of `shaded` over its regions that are large enough to be a gap and dimmed as
 * smoothly as a shadow. Returns the number of pixels lowered.
 */
export function lowerShadedRegions(cv: CV, alpha: FloatImage, shaded: ShadedPixels): number {
  const { width: w, height: h, data: A } = alpha;
  const opts = shaded.options;
  const S = shaded.alpha;
  const K = shaded.dimming;
  const minArea = (opts.minSide * Math.max(w, h)) ** 2;
  const { label, count, size } = componentSizes(cv, w, h, (p) => S[p] >= 0);
  // The dimming's step from each pixel to the next along the row, within a region: its spread from pixel to pixel.
  const steps = new Float64Array(count);
  const step2 = new Float64Array(count);
  for (let p = 0; p < A.length - 1; p++) {
    const k = label[p];
    if (k === 0 || (p + 1) % w === 0 || label[p + 1] !== k) continue;
    steps[k]++;
    step2[k] += (K[p + 1] - K[p]) ** 2;
  }
  const taken = (k: number) =>
    size[k] >= minArea && steps[k] > 0 && step2[k] / (2 * steps[k]) < opts.dimmingStep ** 2;
  let lowered = 0;
  for (let p = 0; p < A.length; p++)
    if (label[p] && S[p] < A[p] && taken(label[p])) {
      A[p] = S[p];
      lowered++;
    }
  return lowered;
}
