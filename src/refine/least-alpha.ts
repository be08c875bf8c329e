/**
 * The least α the compositing equation allows. I = αF + (1 − α)B′ with every channel of F in [0, 1] bounds α from
 * below whatever F is: where the photo is brighter than the plate in a channel, α ≥ (I − B′) / (1 − B′), and where it is
 * darker, α ≥ (B′ − I) / B′. A face much lighter than the road behind it cannot be mostly road, even where the
 * network's F (a blur of hair and jacket at its few pixels) makes the solve read it as road. B′ is taken as anything
 * within the plate's range around the pixel (a plate a pixel or two off), less a camera's noise, and as possibly in
 * the subject's shadow: the least bound over the plate dimmed by each factor down to `deepestShadow` is the one kept,
 * so a shadow (the plate scaled alike in every channel) bounds nothing, while a change of hue still does.
 */
import { exposedAt, type ExposedPlate } from "../align/plate.js";
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

/** The least α at (x, y) that any F in [0, 1] allows against the plate around it (see the module's comment). */
export function leastAlpha(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  opts: LeastAlphaOptions,
): number {
  const { width: w, height: h } = image;
  const r = opts.radius;
  // Per channel, the plate's range around the pixel (exposure applied).
  const lo = [1, 1, 1];
  const hi = [0, 0, 0];
  for (let row = Math.max(0, y - r); row <= Math.min(h - 1, y + r); row++)
    for (
      let j = 3 * (row * w + Math.max(0, x - r)), end = 3 * (row * w + Math.min(w - 1, x + r));
      j <= end;
      j += 3
    )
      for (let c = 0; c < 3; c++) {
        const v = exposedAt(plate, j, c);
        if (v < lo[c]) lo[c] = v;
        if (v > hi[c]) hi[c] = v;
      }
  let least = 1;
  for (let k = 1; k >= opts.deepestShadow - 1e-9 && least > 0; k -= SHADOW_STEP)
    least = Math.min(least, boundAgainst(image.data, 3 * (y * w + x), lo, hi, k, opts.margin));
  return least;
}

/**
 * At least `leastAlpha` at (x, y), read from the plate's own pixel there, undimmed: every range and shadow the least
 * α tries includes that, so where this is not above an α, neither is the least α (one read in place of nine).
 */
export function leastAlphaCeiling(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  opts: LeastAlphaOptions,
): number {
  const j = 3 * (y * image.width + x);
  const own = [exposedAt(plate, j, 0), exposedAt(plate, j, 1), exposedAt(plate, j, 2)];
  return boundAgainst(image.data, j, own, own, 1, opts.margin);
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
  return (p) => leastAlpha(image, plate, p % width, Math.floor(p / width), DEFAULT_LEAST_ALPHA) >= SHOWN;
}
