/**
 * The background's own noise, as a floor under which the photo is no evidence of a subject. Where the network sees a
 * mesh or a stem as a blur (`fast`'s whole frame at 224 px), the compositing-equation solve reads every gap pixel's
 * sensor noise projected on F − B′ as a little α, clamped at 0 from below: a grey haze of specks, α 0.1–0.3, over the
 * gaps. A pixel whose 3 × 3 neighbourhood departs from the plate (mean of I − B′, largest channel) by no more than a
 * multiple of what the background far from the subject departs by is background to the solve. The neighbourhood's
 * mean keeps a strand of hair, which departs the same way over its length, and averages noise down by three.
 */
import { histogramQuantile } from "../cv/histogram.js";
import type { ExposedPlate } from "../align/plate.js";
import type { FloatImage } from "../image/types.js";

export interface NoiseFloorOptions {
  /** The floor, as a multiple of the median departure of the background far from the subject. */
  multiple: number;
  /** Every `step`-th pixel of that background, in each direction, is sampled for the median. */
  step: number;
  /** Fewest samples that make a median; with fewer (a subject filling the frame), there is no floor. */
  minSamples: number;
  /** Under the floor, a pixel the network leans to call background (its α below this) is background outright, however
   * little the solve trusts itself: where F is near B′ (a subject of the backdrop's colour) that trust is small, and
   * the network's soft rim of α 0.1–0.4 around the subject stayed. */
  leansBackground: number;
}

// Measured in `fast` (composites / realpairs / camouflage set; 8.91 / 64.16 / 12.89 without): multiple 3 → 8.81 /
// 63.54 / 12.02, a doll's fine hair +0.15; 2 → 8.81 / 63.73 / 12.08; 4 → 8.81 / 63.30 / 12.00, that hair +0.3.
// `leansBackground` (8.38 / 63.50 / 11.63, the camouflage set's gap fill 0.94 %, without): 0.5 → 8.30 / 63.18 /
// 11.23 (gap fill 0.48 %: the rim around figures on a backdrop of their skin, skin-2 12.24 → 10.78); 0.7 → 8.30 /
// 63.17 / 11.22 and 1 → 8.28 / 63.26 / 11.23, each with realpairs' Grad worse (41.90 → 43.58, 44.20, 44.91).
export const DEFAULT_NOISE_FLOOR: NoiseFloorOptions = {
  multiple: 3,
  step: 8,
  minSamples: 100,
  leansBackground: 0.5,
};

/**
 * Largest channel of the mean of I − B′ over the 3 × 3 pixels around (x, y) that lie in the frame. B′ is taken
 * unclamped (gain × plate + bias): the sums of photo and plate are read first, and B′ applied once to the plate's.
 */
export function neighbourhoodDeparture(image: FloatImage, plate: ExposedPlate, x: number, y: number): number {
  const { width: w, height: h, data: I } = image;
  const { data: P, gain, bias } = plate;
  const [top, bottom] = [Math.max(0, y - 1), Math.min(h - 1, y + 1)];
  const [left, right] = [Math.max(0, x - 1), Math.min(w - 1, x + 1)];
  let [ir, ig, ib, pr, pg, pb] = [0, 0, 0, 0, 0, 0];
  for (let row = top; row <= bottom; row++)
    for (let i = 3 * (row * w + left), end = 3 * (row * w + right); i <= end; i += 3) {
      ir += I[i];
      ig += I[i + 1];
      ib += I[i + 2];
      pr += P[i];
      pg += P[i + 1];
      pb += P[i + 2];
    }
  const count = (bottom - top + 1) * (right - left + 1);
  const r = ir - gain[0] * pr - count * bias[0];
  const g = ig - gain[1] * pg - count * bias[1];
  const b = ib - gain[2] * pb - count * bias[2];
  return Math.max(Math.abs(r), Math.abs(g), Math.abs(b)) / count;
}

/**
 * The floor for `image` against `plate`, sampled where `isFar(x, y)` (the background beyond the subject's reach), or
 * undefined where too little of the frame is far from the subject to tell its noise.
 */
export function backgroundNoiseFloor(
  image: FloatImage,
  plate: ExposedPlate,
  isFar: (x: number, y: number) => boolean,
  opts: NoiseFloorOptions = DEFAULT_NOISE_FLOOR,
): number | undefined {
  const samples: number[] = [];
  for (let y = 0; y < image.height; y += opts.step)
    for (let x = 0; x < image.width; x += opts.step)
      if (isFar(x, y)) samples.push(neighbourhoodDeparture(image, plate, x, y));
  return samples.length < opts.minSamples ? undefined : opts.multiple * histogramQuantile(samples, 0.5);
}
