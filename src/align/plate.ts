/**
 * A clean plate aligned to its photo, carrying the exposure matching measured for it. The matching is applied to
 * whatever part of the plate a stage uses: a shrunk copy comes out matched, a region keeps the matching with it,
 * and the refiners apply its gain and bias to the pixels they gather (cheaper than a matched copy of the frame).
 */
import type { CV } from "../cv/opencv.js";
import { shrinkImage } from "../cv/shrink.js";
import { crop, type Box } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import { applyExposure, type ExposureReport } from "./exposure.js";

export interface Plate {
  /** Full resolution (or a region of it), aligned to the photo, exposure not applied. */
  readonly image: FloatImage;
  /** Per-channel gain and bias that match the plate to the photo; null when not matched. */
  readonly exposure: ExposureReport | null;
}

/** The plate as the photo should show it, read pixel by pixel: its data with the exposure matching's per-channel gain
 * and bias, applied by whoever reads it (cheaper than a matched copy of the frame). */
export interface ExposedPlate {
  data: ArrayLike<number>;
  gain: ArrayLike<number>;
  bias: ArrayLike<number>;
}

/** Channel `c` of the exposed plate's pixel whose first channel is at `i`, clamped to [0, 1] as `applyExposure` does. */
export function exposedAt({ data, gain, bias }: ExposedPlate, i: number, c: number): number {
  return Math.min(1, Math.max(0, gain[c] * data[i + c] + bias[c]));
}

/** A linear combination of the three channels, in which a plate's range is read. */
export type PlateCoordinate = readonly [number, number, number];
/** The channels themselves. */
export const CHANNELS: readonly PlateCoordinate[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/**
 * The range [lo, hi] of coordinate `k` of the exposed plate over its pixels within `radius` (a square) of (x, y) that
 * lie in its `width` × `height` frame. Every blend of those pixels lies inside it.
 */
export function plateRangeAt(
  plate: ExposedPlate,
  width: number,
  height: number,
  x: number,
  y: number,
  radius: number,
  k: PlateCoordinate,
): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  const [left, right] = [Math.max(0, x - radius), Math.min(width - 1, x + radius)];
  for (let row = Math.max(0, y - radius); row <= Math.min(height - 1, y + radius); row++)
    for (let j = 3 * (row * width + left), end = 3 * (row * width + right); j <= end; j += 3) {
      let v = 0;
      for (let c = 0; c < 3; c++) if (k[c]) v += k[c] * exposedAt(plate, j, c);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return [lo, hi];
}

/** The gain and bias of a plate whose exposure is already the photo's. */
export const SAME_EXPOSURE: Pick<ExposureReport, "gain" | "bias"> = { gain: [1, 1, 1], bias: [0, 0, 0] };

/** Gain and bias to apply to each plate pixel (identity without exposure matching). */
export function plateGainBias(plate: Plate): Pick<ExposureReport, "gain" | "bias"> {
  return plate.exposure ?? SAME_EXPOSURE;
}

/** The same plate restricted to `box` (the whole plate is returned as is). */
export function cropPlate(plate: Plate, box: Box): Plate {
  const { width, height } = plate.image;
  const whole = box.x === 0 && box.y === 0 && box.width === width && box.height === height;
  return whole ? plate : { image: crop(plate.image, box), exposure: plate.exposure };
}

/** The exposure matching applied to an already shrunk copy of the plate. */
export function matchExposure(plate: Plate, copy: FloatImage): FloatImage {
  return plate.exposure ? applyExposure(copy, plate.exposure) : copy;
}

/** The plate shrunk to width × height, exposure-matched. */
export function shrinkPlate(cv: CV, plate: Plate, width: number, height: number): FloatImage {
  return matchExposure(plate, shrinkImage(cv, plate.image, width, height));
}
