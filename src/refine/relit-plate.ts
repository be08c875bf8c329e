/**
 * Where the subject re-lights the plate around it: its soft shadow, and the colour it reflects onto it (a yellow label
 * casts a yellow glow on white foam). The photo there is the plate with each channel scaled by its own smooth factor,
 * so the shadow passes (refine/cast-shadows), which ask for the plate's own hue, miss it; the network, which follows
 * the difference, draws a wide grey smear beside the subject, and the solve keeps it (the photo lies between the
 * plate and a dark F). A re-lit plate is told by what it does to a neighbourhood:
 * - the photo still shows the plate's texture in place (their grey levels correlate over the window);
 * - each channel's ratio to the plate varies little from pixel to pixel (strands of hair over a texture, a subject's
 *   own pattern, do not);
 * - it dims mildly, if at all (a soft edge of a darker subject dims deeper as it turns opaque);
 * - and it is wide: it holds a disc 2 % of the image's longer side across.
 * There the matte is background.
 */
import { distanceToMask, labelComponents } from "../cv/mask-ops.js";
import { type CV, withMats } from "../cv/opencv.js";
import { textureMoments } from "../cv/plate-texture.js";
import { boxWhere, crop, growBox } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";

export interface RelitPlateOptions {
  /** Radius of the window over which the photo's grey levels correlate with the plate's. */
  radius: number;
  /** The least correlation (a camera's noise over a faint texture leaves it near 0.8). */
  correlation: number;
  /** The plate's least grey-level standard deviation over the window: a texture to correlate with. */
  minSpread: number;
  /** Radius over which each channel's ratio to the plate must be smooth… */
  ratioRadius: number;
  /** …its standard deviation there under this. */
  ratioSpread: number;
  /** The window's brightness over the plate's, within these. */
  dimming: [number, number];
  /** α at or above which the pixel stays (what the network and the solve hold solid). */
  solid: number;
  /** A region holds a disc this share of the image's longer side across. */
  minWidth: number;
}

export const DEFAULT_RELIT_PLATE: RelitPlateOptions = {
  radius: 3,
  correlation: 0.6,
  minSpread: 0.012,
  ratioRadius: 2,
  ratioSpread: 0.05,
  dimming: [0.7, 1.05],
  solid: 0.9,
  minWidth: 0.02,
};

/**
 * Clears (α = 0), in place, the wide regions of `alpha` where `image` shows `plate` (exposure-matched, the same size)
 * re-lit by the subject. Returns the share of pixels cleared.
 */
export function clearRelitPlate(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  opts: RelitPlateOptions = DEFAULT_RELIT_PLATE,
): number {
  const { width: w, height: h } = image;
  // (Under 0.02 nothing shows; counted, such pixels would make a small smear wide.)
  const partly = (a: number) => a > 0.02 && a < opts.solid;
  const around = boxWhere(w, h, (p) => partly(alpha.data[p]));
  if (!around) return 0;
  // Only the partial pixels' box is read (the windows reach past its edge).
  const box = growBox(around, Math.max(opts.radius, opts.ratioRadius), w, h);
  const [I, B, A] = [crop(image, box), crop(plate, box), crop(alpha, box).data];
  const n = box.width * box.height;
  const { moments: m, mixed } = textureMoments(cv, I, B, opts.radius);
  const ratioSpread2 = ratioVariances(cv, I, B, opts.ratioRadius);
  const minVariance = opts.minSpread * opts.minSpread;
  const maxRatioVariance = opts.ratioSpread * opts.ratioSpread;
  const [lo, hi] = opts.dimming;
  const minCorrelation2 = opts.correlation * opts.correlation;
  const relit = new Uint8Array(n);
  for (let q = 0, j = 0; q < n; q++, j += 4) {
    if (!partly(A[q])) continue;
    const [b1, b2, g1, g2] = [m[j], m[j + 1], m[j + 2], m[j + 3]];
    const plateVariance = b2 - b1 * b1;
    const covariance = mixed[2 * q + 1] - g1 * b1;
    const dimming = g1 / Math.max(b1, 1e-3);
    const [r, g, b] = [ratioSpread2[3 * q], ratioSpread2[3 * q + 1], ratioSpread2[3 * q + 2]];
    relit[q] =
      plateVariance > minVariance &&
      covariance > 0 &&
      covariance * covariance >= minCorrelation2 * plateVariance * (g2 - g1 * g1) &&
      dimming > lo &&
      dimming < hi &&
      Math.max(r, g, b) < maxRatioVariance
        ? 1
        : 0;
  }

  const { label, count } = labelComponents(cv, box.width, box.height, (q) => relit[q]);
  // Wide: some point of it half the least width from its edge. The foot of a soft edge's ramp over a striped wall
  // passes the other tests in patches a few pixels wide (the benchmark's synthetic subject at 1280×720).
  const outside = createImage(box.width, box.height, 1);
  for (let q = 0; q < n; q++) outside.data[q] = relit[q] ? 0 : 1;
  const depth = distanceToMask(cv, outside);
  const deepest = new Float32Array(count);
  for (let q = 0; q < n; q++) if (depth[q] > deepest[label[q]]) deepest[label[q]] = depth[q];
  const minDepth = (opts.minWidth * Math.max(w, h)) / 2;
  let cleared = 0;
  for (let y = 0, q = 0; y < box.height; y++)
    for (let x = 0, p = (box.y + y) * w + box.x; x < box.width; x++, q++, p++)
      if (label[q] > 0 && deepest[label[q]] >= minDepth) {
        alpha.data[p] = 0;
        cleared++;
      }
  return cleared / (w * h);
}

/** Per pixel and channel, the variance of the photo's ratio to the plate within `r` (two box blurs). */
function ratioVariances(cv: CV, image: FloatImage, plate: FloatImage, r: number): Float32Array {
  const { width, height } = image;
  return withMats((t) => {
    const [ratio, square] = [
      t(new cv.Mat(height, width, cv.CV_32FC3)),
      t(new cv.Mat(height, width, cv.CV_32FC3)),
    ];
    const [R, S] = [ratio.data32F as Float32Array, square.data32F as Float32Array];
    for (let i = 0; i < R.length; i++) {
      // (A floor under the plate's channel: a near-black channel's ratio is noise.)
      const v = image.data[i] / Math.max(plate.data[i], 0.03);
      R[i] = v;
      S[i] = v * v;
    }
    const k = new cv.Size(2 * r + 1, 2 * r + 1);
    const anchor = new cv.Point(-1, -1);
    cv.blur(ratio, ratio, k, anchor, cv.BORDER_REFLECT);
    cv.blur(square, square, k, anchor, cv.BORDER_REFLECT);
    // (Views taken after the last allocation on OpenCV's heap.)
    const [mean, meanSquare] = [ratio.data32F as Float32Array, square.data32F as Float32Array];
    const variance = new Float32Array(mean.length);
    for (let i = 0; i < mean.length; i++) variance[i] = meanSquare[i] - mean[i] * mean[i];
    return variance;
  });
}
