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
