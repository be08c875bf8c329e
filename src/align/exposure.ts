/**
 * Exposure / white-balance matching of the plate to the photo (brief §5): per-channel gain and bias from the
 * statistics of a ring around the subject (near enough to share its lighting, far enough to be background).
 */
import { distanceToMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import type { FloatImage } from "../image/types.js";

export interface ExposureReport {
  gain: [number, number, number];
  bias: [number, number, number];
  ringPixels: number;
}

/** `mask`: the subject (1 channel, image size). Ring radii are fractions of the longer image side. */
export function measureExposure(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  mask: FloatImage,
): ExposureReport {
  const long = Math.max(image.width, image.height);
  const distance = distanceToMask(cv, mask);
  const near = Math.max(2, long * 0.01);
  const far = Math.max(10, long * 0.3);
  const sum = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // Σi, Σb, Σi², Σb² per channel
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (distance[p] <= near || distance[p] > far) continue;
    n++;
    for (let c = 0; c < 3; c++) {
      const i = image.data[3 * p + c];
      const b = plate.data[3 * p + c];
      sum[c] += i;
      sum[3 + c] += b;
      sum[6 + c] += i * i;
      sum[9 + c] += b * b;
    }
  }
  const gain: [number, number, number] = [1, 1, 1];
  const bias: [number, number, number] = [0, 0, 0];
  if (n >= 100) {
    for (let c = 0; c < 3; c++) {
      const mi = sum[c] / n;
      const mb = sum[3 + c] / n;
      const si = Math.sqrt(Math.max(0, sum[6 + c] / n - mi * mi));
      const sb = Math.sqrt(Math.max(0, sum[9 + c] / n - mb * mb));
      // Clamp: a ring with little texture gives unstable ratios; exposure drift is never huge.
      gain[c] = sb > 1e-3 ? Math.min(1.5, Math.max(0.67, si / sb)) : 1;
      bias[c] = mi - gain[c] * mb;
    }
  }
  return { gain, bias, ringPixels: n };
}

export function applyExposure(plate: FloatImage, { gain, bias }: ExposureReport): FloatImage {
  const out = { ...plate, data: new Float32Array(plate.data.length) };
  for (let p = 0; p < plate.width * plate.height; p++) {
    for (let c = 0; c < 3; c++)
      out.data[3 * p + c] = Math.min(1, Math.max(0, gain[c] * plate.data[3 * p + c] + bias[c]));
  }
  return out;
}
