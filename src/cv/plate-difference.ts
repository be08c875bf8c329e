/**
 * Where the photo differs from its clean plate: the rough subject mask of the plate-difference prior (any subject,
 * no person model), which the exposure matching also uses to keep the subject out of its ring. It sits below both
 * stages (align/, prior/) so that neither imports the other.
 */
import { blurOfUnchanging, labelComponents, largestComponents, openClose } from "./mask-ops.js";
import { histogramQuantile } from "./histogram.js";
import type { CV } from "./opencv.js";
import { boxOfMask, type Box } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "../image/box-filter.js";

export interface DifferenceMask {
  mask: FloatImage;
  /** The colour distance above which a pixel counts as subject (adaptive to the noise level). */
  threshold: number;
  box: Box | null;
}

/** Max over channels of |a − b| between the RGB pixel at `i` of `a` and the one at `j` of `b` (the index of its red). */
export function colourDistanceAt(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j = i): number {
  return Math.max(Math.abs(a[i] - b[j]), Math.abs(a[i + 1] - b[j + 1]), Math.abs(a[i + 2] - b[j + 2]));
}

/**
 * Per-pixel max-over-channels |I − B′| after a light blur (sensor noise is per pixel, subjects are not). Neither
 * image may change afterwards: their blurs are kept for the exposure fit and the next frame (`blurOfUnchanging`).
 */
export function colourDistance(cv: CV, image: FloatImage, plate: FloatImage, sigma = 1): FloatImage {
  const a = blurOfUnchanging(cv, image, sigma);
  const b = blurOfUnchanging(cv, plate, sigma);
  const out = createImage(image.width, image.height, 1);
  for (let p = 0; p < out.data.length; p++) out.data[p] = colourDistanceAt(a.data, 3 * p, b.data);
  return out;
}

/** A darker pixel whose per-channel ratios to the plate spread less than this keeps the plate's hue: a shadow. */
export const SHADOW_SPREAD = 0.12;
/** How much brighter than the plate a channel may be in a shadow (noise). */
const SHADOW_BRIGHTER = 0.02;

/**
 * Whether the pixel whose first channel is at `i` in `image` (RGB) differs from the plate's at `j` (by default the
 * same index) by more than `distance` in some channel, in a way no shadow explains: brighter, or darker with a hue of
 * its own (a shadow is a darker copy with the plate's hue: per-channel ratios spreading less than `shadowSpread`).
 */
export function differsUnlikeShadow(
  image: ArrayLike<number>,
  plate: ArrayLike<number>,
  i: number,
  distance: number,
  shadowSpread = SHADOW_SPREAD,
  j = i,
): boolean {
  if (colourDistanceAt(image, i, plate, j) <= distance) return false;
  for (let c = 0; c < 3; c++) if (image[i + c] - plate[j + c] > SHADOW_BRIGHTER) return true;
  const ratio = (c: number) => image[i + c] / Math.max(plate[j + c], 0.02);
  const [kr, kg, kb] = [ratio(0), ratio(1), ratio(2)];
  return Math.max(kr, kg, kb) - Math.min(kr, kg, kb) > shadowSpread;
}

/**
 * Faint differences: where the photo departs from the plate, over a (2r+1)² window, by more than the camera's noise
 * explains, in a way no darkening of the plate does. A face a few grey levels off a flat wall is within the noise
 * pixel by pixel (2–3 % of full scale against a per-pixel threshold of 6 %), but it departs the same way over
 * thousands of pixels, and the window's mean keeps the departure while the noise averages away. Per pixel, the
 * residual is the photo less the plate scaled to fit it (at most 1: a shadow is a darker copy of the plate with its
 * hue, and leaves nothing), so shadows stay background. The threshold is `sigmas` robust deviations above the
 * frame's median of that mean (most of the frame is background), and at least `floor`: grainy or compressed
 * captures raise it, so only clean ones see faint subjects. The mask is eroded by the window, which otherwise
 * carries a strong edge's difference r pixels out.
 */
export interface FaintDifferenceOptions {
  /** The window's half-width as a share of the image's longer side (4 px at 512). */
  window: number;
  sigmas: number;
  floor: number;
}

export const DEFAULT_FAINT_DIFFERENCE: FaintDifferenceOptions = { window: 0.008, sigmas: 5, floor: 0.012 };

/**
 * 1 where `image` departs faintly but surely from `plate` (RGB, same size; see FaintDifferenceOptions). The window's
 * mean is taken at half size (each pixel the mean of 2×2) with half the window: the same mean, a quarter of the work.
 */
export function faintDifference(
  image: FloatImage,
  plate: FloatImage,
  { window, sigmas, floor }: FaintDifferenceOptions = DEFAULT_FAINT_DIFFERENCE,
): Uint8Array {
  const { width, height } = image;
  const [w, h] = [Math.ceil(width / 2), Math.ceil(height / 2)];
  const r = Math.max(1, Math.round((window * Math.max(width, height)) / 2));
  const residual = createImage(w, h, 3);
  const counts = new Uint8Array(w * h);
  const [I, B, R] = [image.data, plate.data, residual.data];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      const dot = I[i] * B[i] + I[i + 1] * B[i + 1] + I[i + 2] * B[i + 2];
      const norm = B[i] * B[i] + B[i + 1] * B[i + 1] + B[i + 2] * B[i + 2];
      const k = Math.min(1, Math.max(0, dot / Math.max(norm, 1e-4)));
      const q = (y >> 1) * w + (x >> 1);
      for (let c = 0; c < 3; c++) R[3 * q + c] += I[i + c] - k * B[i + c];
      counts[q]++;
    }
  for (let q = 0; q < counts.length; q++) for (let c = 0; c < 3; c++) R[3 * q + c] /= counts[q];
  const mean = boxFilter(residual, r).data;
  const size = new Float32Array(w * h);
  for (let q = 0, i = 0; q < size.length; q++, i += 3)
    size[q] = Math.sqrt(mean[i] * mean[i] + mean[i + 1] * mean[i + 1] + mean[i + 2] * mean[i + 2]);
  const median = histogramQuantile(size, 0.5);
  const mad = histogramQuantile(size, 0.5, (v) => Math.abs(v - median));
  const threshold = Math.max(floor, median + sigmas * 1.4826 * mad);
  const over = createImage(w, h, 1);
  for (let q = 0; q < size.length; q++) over.data[q] = size[q] > threshold ? 1 : 0;
  // Eroded by the window: only pixels whose whole window is over the threshold stay.
  const whole = boxFilter(over, r).data;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = whole[(y >> 1) * w + (x >> 1)] > 0.999 ? 1 : 0;
  return out;
}

/** Multiple of the quietest quarter's distance that can cap the threshold (`adaptiveThreshold`). */
const QUIET_MULTIPLE = 6;

/**
 * Threshold from the distance histogram: median + 5 robust sigmas, kept within [min, max].
 *
 * The median and its spread describe the background only while the subject covers well under half of the frame. A
 * subject filling most of it, or a grainy plate, lifts them past a white bottle on white fabric (0.1 from its
 * plate, under a threshold of 0.17) and to the clamp's 0.2 on the composites' large subjects. With `quietCap` the
 * threshold is also capped at QUIET_MULTIPLE times the quietest quarter's level, which is background while the
 * subject covers less than three quarters of the frame. The prior's mask uses it (prior/choose-prior.ts); the
 * exposure step's ring, and `fast`, which reuses that mask, keep the plain rule.
 */
export function adaptiveThreshold(distance: FloatImage, quietCap = false, min = 0.06, max = 0.2): number {
  const median = histogramQuantile(distance.data, 0.5);
  const mad = histogramQuantile(distance.data, 0.5, (v) => Math.abs(v - median));
  let t = median + 5 * 1.4826 * mad;
  if (quietCap) t = Math.min(t, QUIET_MULTIPLE * histogramQuantile(distance.data, 0.25));
  return Math.min(max, Math.max(min, t));
}

/**
 * The subject's box grown to the raw differences connected to it: the opening that drops specks also drops a
 * plant's thin outer branches, and a box without them crops them off. Specks that touch nothing stay out.
 */
function reachOfSubject(cv: CV, raw: FloatImage, kept: FloatImage): Box | null {
  const { label: lab, count: n } = labelComponents(
    cv,
    raw.width,
    raw.height,
    (i) => raw.data[i] || kept.data[i],
  );
  const touches = new Uint8Array(n);
  for (let i = 0; i < lab.length; i++) if (kept.data[i]) touches[lab[i]] = 1;
  // The kept mask lies in the components it touches, so their box contains the kept mask's box.
  const connected = createImage(raw.width, raw.height, 1);
  for (let i = 0; i < lab.length; i++) connected.data[i] = lab[i] !== 0 && touches[lab[i]] ? 1 : 0;
  return boxOfMask(connected, 0);
}

/**
 * Binary subject mask from image vs plate: threshold, clean specks, keep the significant components. `forPrior`
 * (the prior's mask) caps the threshold by the quiet quarter (`adaptiveThreshold`) and lets the box reach the faint
 * differences connected to the subject (`faintDifference`): a face a few grey levels off the wall behind is not in
 * the mask, and a box without it crops the head off before the network sees it. The mask itself stays the plain
 * difference: the network, told by S that a faint region is subject, judges the rest of the figure worse (measured:
 * a figure whose skin is the backdrop's, given its true mask as S, 3.8 → 26 % see-through).
 */
export function differenceMask(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  forPrior = false,
): DifferenceMask {
  const distance = colourDistance(cv, image, plate);
  const t = adaptiveThreshold(distance, forPrior);
  const raw = createImage(distance.width, distance.height, 1);
  for (let i = 0; i < raw.data.length; i++) raw.data[i] = distance.data[i] > t ? 1 : 0;
  const radius = Math.max(1, Math.round(Math.max(image.width, image.height) / 256));
  const cleaned = openClose(cv, raw, radius);
  // Keep pieces of the subject that are not touching (a hand, a bottle cap) but drop specks.
  const { mask, box } = largestComponents(cv, cleaned, 0.5, 0.05);
  if (!box) return { mask, threshold: t, box };
  let reach = raw;
  if (forPrior) {
    reach = createImage(raw.width, raw.height, 1);
    const faint = faintDifference(image, plate);
    for (let i = 0; i < faint.length; i++) reach.data[i] = raw.data[i] || faint[i];
  }
  return { mask, threshold: t, box: reachOfSubject(cv, reach, mask) };
}
