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
 * Whether the pixel whose first channel is at `i` in `image` (RGB) differs from `plate` by more than `distance` in
 * some channel, in a way no shadow explains: brighter, or darker with a hue of its own (a shadow is a darker copy
 * with the plate's hue: per-channel ratios spreading less than `shadowSpread`).
 */
export function differsUnlikeShadow(
  image: Float32Array,
  plate: Float32Array,
  i: number,
  distance: number,
  shadowSpread = SHADOW_SPREAD,
): boolean {
  if (colourDistanceAt(image, i, plate) <= distance) return false;
  for (let c = i; c < i + 3; c++) if (image[c] - plate[c] > SHADOW_BRIGHTER) return true;
  const ratio = (c: number) => image[i + c] / Math.max(plate[i + c], 0.02);
  const [kr, kg, kb] = [ratio(0), ratio(1), ratio(2)];
  return Math.max(kr, kg, kb) - Math.min(kr, kg, kb) > shadowSpread;
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
 * Binary subject mask from image vs plate: threshold (`quietCap`: see `adaptiveThreshold`), clean specks, keep the
 * significant components.
 */
export function differenceMask(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  quietCap = false,
): DifferenceMask {
  const distance = colourDistance(cv, image, plate);
  const t = adaptiveThreshold(distance, quietCap);
  const raw = createImage(distance.width, distance.height, 1);
  for (let i = 0; i < raw.data.length; i++) raw.data[i] = distance.data[i] > t ? 1 : 0;
  const radius = Math.max(1, Math.round(Math.max(image.width, image.height) / 256));
  const cleaned = openClose(cv, raw, radius);
  // Keep pieces of the subject that are not touching (a hand, a bottle cap) but drop specks.
  const { mask, box } = largestComponents(cv, cleaned, 0.5, 0.05);
  return { mask, threshold: t, box: box && reachOfSubject(cv, raw, mask) };
}
