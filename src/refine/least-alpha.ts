/**
 * The least α the compositing equation allows. I = αF + (1 − α)B′ with every channel of F in [0, 1] bounds α from
 * below whatever F is: where the photo is brighter than the plate in a channel, α ≥ (I − B′) / (1 − B′), and where it is
 * darker, α ≥ (B′ − I) / B′. A face much lighter than the road behind it cannot be mostly road, even where the
 * network's F (a blur of hair and jacket at its few pixels) makes the solve read it as road. B′ is taken as anything
 * within the plate's range around the pixel (a plate a pixel or two off), less a camera's noise, and as possibly in
 * the subject's shadow: the least bound over the plate dimmed by each factor down to `deepestShadow` is the one kept,
 * so a shadow (the plate scaled alike in every channel) bounds nothing, while a change of hue still does.
 */
import { CHANNELS, exposedAt, plateRangeAt, type ExposedPlate } from "../align/plate.js";
import type { FloatImage } from "../image/types.js";

export interface LeastAlphaOptions {
  /** What the photo may depart from the plate's range by without any subject: a camera's noise (0–1 units). */
  margin: number;
  /** Radius of the plate's neighbourhood whose range B′ may take (pixels). */
  radius: number;
  /** The darkest a shadow may make the plate (factor of its brightness), tried in steps of 0.1 from 1. */
  deepestShadow: number;
}

export const DEFAULT_LEAST_ALPHA: LeastAlphaOptions = { margin: 0.06, radius: 1, deepestShadow: 0.3 };

const SHADOW_STEP = 0.1;

/**
 * The larger of `alpha` and the least α at (x, y) that any F in [0, 1] allows against the plate around it (see the
 * module's comment). The plate's own pixel there, undimmed, is first: every range and shadow tried includes it, so
 * where its bound is not above `alpha`, neither is the least α (one read in place of nine).
 */
export function atLeastLeastAlpha(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  alpha: number,
  opts: LeastAlphaOptions,
): number {
  const { width: w, height: h, data: I } = image;
  const i = 3 * (y * w + x);
  const own = [exposedAt(plate, i, 0), exposedAt(plate, i, 1), exposedAt(plate, i, 2)];
  if (boundAgainst(I, i, own, own, 1, opts.margin) <= alpha) return alpha;
  // Per channel, the plate's range around the pixel (exposure applied).
  const lo = [0, 0, 0];
  const hi = [0, 0, 0];
  for (let c = 0; c < 3; c++) [lo[c], hi[c]] = plateRangeAt(plate, w, h, x, y, opts.radius, CHANNELS[c]);
  let least = 1;
  for (let k = 1; k >= opts.deepestShadow - 1e-9 && least > alpha; k -= SHADOW_STEP)
    least = Math.min(least, boundAgainst(I, i, lo, hi, k, opts.margin));
  return Math.max(alpha, least);
}

/** The bound on α at the photo's pixel `i` for a plate anywhere within [lo, hi] per channel, dimmed by `k`. */
function boundAgainst(
  I: ArrayLike<number>,
  i: number,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  k: number,
  margin: number,
): number {
  let bound = 0;
  for (let c = 0; c < 3; c++) {
    const [dark, light, v] = [k * lo[c], k * hi[c], I[i + c]];
    if (v > light + margin) bound = Math.max(bound, (v - light - margin) / Math.max(1 - light, 1e-3));
    else if (v < dark - margin) bound = Math.max(bound, (dark - margin - v) / Math.max(dark, 1e-3));
  }
  return bound;
}

/** From this least α on, a pixel shows what the plate cannot: a part of the subject, however faint the matte there. */
const SHOWN = 0.3;

/** Per pixel index of `image`: whether its least α against `plate` (the same size) is at least `SHOWN`. */
export function plateCannotExplain(image: FloatImage, plate: ExposedPlate): (p: number) => boolean {
  const { width } = image;
  return (p) =>
    atLeastLeastAlpha(image, plate, p % width, Math.floor(p / width), 0, DEFAULT_LEAST_ALPHA) >= SHOWN;
}
