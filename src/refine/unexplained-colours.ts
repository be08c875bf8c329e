/**
 * Colours the solve cannot explain. The compositing-equation solve projects I − B′ on F − B′ with the network's F,
 * which at the network's few pixels is a blur of the subject's colours. Where a part has a colour of its own (a face
 * between dark hair and a dark collar, seen 12 px wide in a video; a wire of a mesh lit brighter than the blur of
 * wires and gaps), I − B′ points away from F − B′ and the projection reads a small α: a see-through face. Such a
 * pixel is unexplained twice over: at the solved α the photo still departs from αF + (1 − α)B′ by more than a
 * camera's noise, and it lies outside the range of the plate's pixels around it, so no small shift of the plate
 * explains it either (a gap in front of a textured plate that is a pixel off still lies inside that range). There the
 * solve may not lower what the network holds as mostly subject; where the photo's hue lies outside that range, not
 * even where the matte so far (a guided upsampling, the refiner) lowered it.
 */
import { CHANNELS, plateRangeAt, type ExposedPlate, type PlateCoordinate } from "../align/plate.js";
import type { FloatImage } from "../image/types.js";

export interface UnexplainedOptions {
  /** Largest channel of |I − (αF + (1 − α)B′)| at the solved α above which F does not explain the photo. */
  residual: number;
  /** How far outside the plate's 3 × 3 range (largest channel) the photo must lie for the plate not to explain it. */
  outsideRange: number;
  /** α from which the network holds a pixel as mostly subject (below it, an edge's blend is the solve's to judge). */
  heldAlpha: number;
}

// Measured with residual and range 0.06 (composites / realpairs / camouflage set, dumped per item): `balanced` 7.53 →
// 7.47 / 54.79 → 54.78 / 11.80 → 11.79, `fast` 9.32 → 9.20 / 63.54 → 63.48 / 11.84 → 11.78 (a mesh pencil cup's wires
// kept, a grid's bars 8.45 → 8.14). Without `heldAlpha` (0), a white bottle's lower half in realpairs kept specks the
// solve had lowered, and the hole they broke up was no longer filled (postprocess/holes-hiding-the-plate); at 0.8, a
// face 12 px wide in the fixed-camera video stayed see-through in `balanced`.
export const DEFAULT_UNEXPLAINED: UnexplainedOptions = {
  residual: 0.06,
  outsideRange: 0.06,
  heldAlpha: 0.65,
};

/**
 * The α below which the solve may not lower the pixel at (x, y), 0 where it may: `solved` is the solve's α, `f` and
 * `bg` are F and B′ there (RGB, B′ clamped to [0, 1]), `matte` the matte's α so far and `network` the network's own
 * (upsampled bilinearly). Where the photo's hue lies outside the plate's around it, the network's α is held too: the
 * guided upsampling and the refiner follow the photo's brightness, and read a face as light as the road behind as
 * road; a plate a pixel off, or exposed differently, changes brightness, not hue.
 */
export function unexplainedFloor(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  solved: number,
  f: ArrayLike<number>,
  bg: ArrayLike<number>,
  matte: number,
  network: number,
  opts: UnexplainedOptions,
): number {
  const held = Math.max(matte, network);
  if (solved >= held || held < opts.heldAlpha) return 0;
  const i = 3 * (y * image.width + x);
  const I = image.data;
  let residual = 0;
  for (let c = 0; c < 3; c++)
    residual = Math.max(residual, Math.abs(I[i + c] - (solved * f[c] + (1 - solved) * bg[c])));
  if (residual <= opts.residual) return 0;
  if (outsidePlateRange(image, plate, x, y, HUES) > opts.outsideRange) return held;
  const keepsMatte = matte >= opts.heldAlpha && solved < matte;
  return keepsMatte && outsidePlateRange(image, plate, x, y, CHANNELS) > opts.outsideRange ? matte : 0;
}

/** Two differences between the channels: a skin tone and a grey road can share each channel's range, not these. */
export const HUES: readonly PlateCoordinate[] = [
  [1, -1, 0],
  [0, 1, -1],
];

/**
 * How far the photo's pixel at (x, y) lies outside the range of B′ (clamped to [0, 1]) over the 3 × 3 pixels around
 * it that lie in the frame, in the coordinate where it lies farthest (by default the channels and the hues): 0 inside
 * it. A plate a pixel off, or a blend of its neighbours, lies inside.
 */
export function outsidePlateRange(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  coordinates: readonly PlateCoordinate[] = [...CHANNELS, ...HUES],
): number {
  const { width: w, height: h, data: I } = image;
  const i = 3 * (y * w + x);
  let outside = 0;
  for (const k of coordinates) {
    const [lo, hi] = plateRangeAt(plate, w, h, x, y, 1, k);
    const v = k[0] * I[i] + k[1] * I[i + 1] + k[2] * I[i + 2];
    outside = Math.max(outside, v - hi, lo - v);
  }
  return outside;
}
