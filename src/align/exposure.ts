/**
 * Exposure / white-balance matching of the plate to the photo: per-channel gain and bias fitted on a
 * ring around the subject (near enough to share its lighting, far enough to be background).
 */
import { blurOfUnchanging, distanceToMask } from "../cv/mask-ops.js";
import { histogramQuantile } from "../cv/histogram.js";
import type { CV } from "../cv/opencv.js";
import type { FloatImage } from "../image/types.js";

export interface ExposureReport {
  gain: [number, number, number];
  bias: [number, number, number];
  ringPixels: number;
}

/** Pixels of the ring whose fit residual is largest are dropped and the line refitted, this many times. */
const TRIM_ROUNDS = 2;
const TRIM_FRACTION = 0.2;

/**
 * `mask`: the subject (1 channel, image size). Ring radii are fractions of the longer image side. Neither image may
 * change afterwards (their blurs are kept: `blurOfUnchanging`).
 *
 * Per channel, photo ≈ gain·plate + bias is fitted on the ring after a light blur (sensor noise), and refitted twice
 * without the worst-fitting fifth of the ring: the subject's shadow, its reflections and any residual misalignment
 * fall near the subject and are not exposure.
 */
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
  const ring: number[] = [];
  for (let p = 0; p < mask.data.length; p++) if (distance[p] > near && distance[p] <= far) ring.push(p);
  return fitExposure(cv, image, plate, ring);
}

/** `measureExposure`'s fit over the given pixels (indices into the images), whatever they are. */
export function fitExposure(cv: CV, image: FloatImage, plate: FloatImage, ring: number[]): ExposureReport {
  const gain: [number, number, number] = [1, 1, 1];
  const bias: [number, number, number] = [0, 0, 0];
  if (ring.length < 100) return { gain, bias, ringPixels: ring.length };
  const sigma = Math.max(1, Math.max(image.width, image.height) / 512);
  const I = blurOfUnchanging(cv, image, sigma).data;
  const B = blurOfUnchanging(cv, plate, sigma).data;
  for (let c = 0; c < 3; c++) {
    let use = ring;
    for (let round = 0; ; round++) {
      const fit = fitLine(use, I, B, c);
      gain[c] = fit.gain;
      bias[c] = fit.bias;
      if (round === TRIM_ROUNDS) break;
      const residual = new Float32Array(use.length);
      for (let k = 0; k < use.length; k++) {
        const p = 3 * use[k] + c;
        residual[k] = Math.abs(I[p] - fit.gain * B[p] - fit.bias);
      }
      const cut = histogramQuantile(residual, 1 - TRIM_FRACTION);
      use = use.filter((_, k) => residual[k] <= cut);
    }
  }
  return { gain, bias, ringPixels: ring.length };
}

/** The largest exposure change matched: a stop either way (an automatic exposure can move that far between two shots
 * when a subject in dark or light clothes fills much of one). */
const MAX_GAIN = 2;

/** photo = gain·plate + bias over `pixels` of channel c; the gain clamped to what exposure drift does. */
function fitLine(pixels: number[], I: Float32Array, B: Float32Array, c: number) {
  let [si, sb, sbb, sib, sii] = [0, 0, 0, 0, 0];
  for (const p of pixels) {
    const i = I[3 * p + c];
    const b = B[3 * p + c];
    si += i;
    sb += b;
    sbb += b * b;
    sib += i * b;
    sii += i * i;
  }
  const n = pixels.length;
  const [mi, mb] = [si / n, sb / n];
  const varB = sbb / n - mb * mb;
  const varI = sii / n - mi * mi;
  const cov = sib / n - mi * mb;
  // Both captures are noisy, so the slope is the ratio of standard deviations (reduced major axis), not the
  // least-squares slope, which noise in the plate would flatten. A ring with little texture (or no positive
  // correlation) says nothing about contrast: match the mean only.
  const raw = varB > 1e-5 && cov > 0 ? Math.sqrt(varI / varB) : 1;
  const gain = Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, raw));
  return { gain, bias: mi - gain * mb };
}

export function applyExposure(plate: FloatImage, { gain, bias }: ExposureReport): FloatImage {
  const out = { ...plate, data: new Float32Array(plate.data.length) };
  for (let p = 0; p < plate.width * plate.height; p++) {
    for (let c = 0; c < 3; c++)
      out.data[3 * p + c] = Math.min(1, Math.max(0, gain[c] * plate.data[3 * p + c] + bias[c]));
  }
  return out;
}

/** Moved at most this far (on the 0–1 scale, ~2.5 grey levels), a plate's colours count as unchanged by the matching. */
const UNMOVED = 0.01;

/** Whether the matching moves some colour of the plate by more than UNMOVED (at black or at white, where it moves
 * most); false without a matching. */
export function movesColours(exposure: ExposureReport | null): boolean {
  return (
    !!exposure &&
    exposure.gain.some(
      (g, c) => Math.max(Math.abs(exposure.bias[c]), Math.abs(g + exposure.bias[c] - 1)) > UNMOVED,
    )
  );
}
