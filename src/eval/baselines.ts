/**
 * Classical baselines that use the known background, run beside the network in every evaluation:
 * - `backgroundSubtraction`: α = 1 where the colour distance to the plate exceeds an adaptive threshold.
 * - `knownBackgroundMatting`: per-pixel least squares of I − B = α(F − B) with F the local mean colour of the
 *   confident subject, then a guided-filter smoothness pass (image as guide).
 */
import type { CV } from "../cv/opencv.js";
import { createImage, type FloatImage } from "../image/types.js";
import { differenceMask } from "../cv/plate-difference.js";
import { maskedMean } from "../image/box-filter.js";
import { guidedUpsample } from "../refine/guided-upsample.js";

export function backgroundSubtraction(cv: CV, image: FloatImage, plate: FloatImage): FloatImage {
  return differenceMask(cv, image, plate).mask;
}

export function knownBackgroundMatting(cv: CV, image: FloatImage, plate: FloatImage): FloatImage {
  const hard = differenceMask(cv, image, plate).mask;
  const n = hard.data.length;
  // F̂: mean image colour over subject pixels nearby (radius ~3 % of the image).
  const r = Math.max(3, Math.round(0.03 * Math.max(image.width, image.height)));
  const local = maskedMean(image, hard.data, r);
  const alpha = createImage(image.width, image.height, 1);
  for (let p = 0; p < n; p++) {
    if (local.weight[p] < 1e-3) continue; // no subject nearby: background
    let num = 0;
    let den = 0;
    for (let c = 0; c < 3; c++) {
      const f = local.mean[3 * p + c];
      const d = f - plate.data[3 * p + c];
      num += (image.data[3 * p + c] - plate.data[3 * p + c]) * d;
      den += d * d;
    }
    const a = den > 1e-4 ? num / den : hard.data[p];
    alpha.data[p] = a < 0 ? 0 : a > 1 ? 1 : a;
  }
  return guidedUpsample(alpha, image, image, { radius: 2, eps: 1e-3 });
}
