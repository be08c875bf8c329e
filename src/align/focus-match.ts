/**
 * Photo and plate brought to one focus. A camera focused on the subject leaves the scene behind softer than in the
 * plate, shot with nothing nearer to focus on; a plate shot hand-held may be the blurrier one (shaken, focused
 * elsewhere, or softened by the alignment's resampling). Either way every textured edge of the background differs
 * from the plate: the matte picks up specks, and the tests that open gaps where the photo reproduces the plate's
 * texture stop finding it. The blur that brings one closest to the other is measured on the plate's textured pixels
 * away from the subject: a plate sharper than the photo is blurred by it, a blurrier one sharpened (a few steps of
 * deconvolution, only where the evidence is stronger: it raises the plate's noise).
 */
import type { CV } from "../cv/opencv.js";
import { histogramQuantile } from "../cv/histogram.js";
import { blurOfUnchanging, gaussianBlur, onceFor } from "../cv/mask-ops.js";
import type { Box } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { exposedAt, plateGainBias, SAME_EXPOSURE, type Plate } from "./plate.js";

export interface FocusMatchOptions {
  /** Side of the square tiles of background it is measured on, in pixels of the photo. */
  tile: number;
  /** How many tiles: the most textured ones clear of the subject. */
  tiles: number;
  /** The plate is blurred only where that takes the background's error to this share of the best the two reach at
   * one focus (both denoised alike): a plate merely less noisy than the photo gains less. */
  maxErrorRatio: number;
  /** The same for sharpening a blurrier plate, and the most blur it takes out. */
  maxSharpenRatio: number;
  maxSharpenSigma: number;
  /** Steps of the deconvolution (Van Cittert's: each adds back what blurring the estimate loses). */
  sharpenSteps: number;
  /** The blurs tried on either image, in pixels of the photo. */
  sigmas: readonly number[];
}

export const DEFAULT_FOCUS_MATCH: FocusMatchOptions = {
  tile: 64,
  tiles: 16,
  maxErrorRatio: 0.75,
  maxSharpenRatio: 0.5,
  maxSharpenSigma: 1.5,
  sharpenSteps: 3,
  sigmas: [0.5, 0.75, 1, 1.5, 2, 3, 4],
};

export interface FocusReport {
  /** The Gaussian blur (σ in pixels of the photo) applied to a plate sharper than the photo; 0 when none was. */
  plateBlur: number;
  /** The Gaussian blur taken out of a plate blurrier than the photo; 0 when none was. */
  plateSharpened: number;
  /** The background's error at the better of the two refocusings over its error at the best common focus. */
  errorRatio: number;
}

/** Blurs both are compared at, to discount noise that one of the two has more of. */
const DENOISE_SIGMAS = [0, 0.75];
/** Grey-level difference above which a pixel is the subject's, kept out of the measurement, after a blur of
 * `SUBJECT_BLUR` pixels of the photo: wide enough that a difference in focus alone stays under it. */
const SUBJECT_DIFFERENCE = 0.06;
const SUBJECT_BLUR = 4;
/** Pixels along each tile's edge left out: the blurs there read the next tile. */
const TILE_BORDER = 10;

/**
 * How much the plate must be blurred or sharpened to look like the photo's background (0 and 0: neither).
 * `imageSmall` and `plateSmall` are the analysis-size copies (the plate's exposure-matched) the tiles are chosen on.
 */
export function measureFocus(
  cv: CV,
  image: FloatImage,
  plate: Plate,
  imageSmall: FloatImage,
  plateSmall: FloatImage,
  opts: FocusMatchOptions = DEFAULT_FOCUS_MATCH,
): FocusReport {
  const none: FocusReport = { plateBlur: 0, plateSharpened: 0, errorRatio: 1 };
  const boxes = backgroundTiles(cv, imageSmall, plateSmall, image, opts);
  if (boxes.length === 0) return none;
  const photo = stackedGrey(image, boxes);
  const background = stackedGrey(plate.image, boxes, plateGainBias(plate));
  const pixels = texturedPixels(cv, background, opts.tile);
  if (pixels.length < 500) return none;
  const error = (a: FloatImage, b: FloatImage) => {
    let sum = 0;
    for (let k = 0; k < pixels.length; k++) sum += (a.data[pixels[k]] - b.data[pixels[k]]) ** 2;
    return sum / pixels.length;
  };
  // Each image at no blur, the denoising blurs and every step tried.
  const steps = [...new Set([0, ...DENOISE_SIGMAS, ...opts.sigmas])].sort((a, b) => a - b);
  const photos = steps.map((s) => (s > 0 ? gaussianBlur(cv, photo, s) : photo));
  const plates = steps.map((s) => (s > 0 ? gaussianBlur(cv, background, s) : background));
  const at = (d: number) => steps.indexOf(d);
  const sameFocus = Math.min(...DENOISE_SIGMAS.map((d) => error(photos[at(d)], plates[at(d)])));
  // The photo's background is the plate blurred by σ, so that blurred by `denoise` is the plate blurred by
  // √(σ² + denoise²) (and the other way round for a blurrier plate).
  const refocus = (blurredBy: (k: number, d: number) => number) => {
    let best = { ratio: Infinity, sigma: 0 };
    for (const d of DENOISE_SIGMAS)
      steps.forEach((s, k) => {
        if (s <= d) return;
        const ratio = Math.sqrt(blurredBy(k, at(d)) / Math.max(sameFocus, 1e-12));
        if (ratio < best.ratio) best = { ratio, sigma: Math.sqrt(s * s - d * d) };
      });
    return best;
  };
  const blur = refocus((k, d) => error(photos[d], plates[k]));
  const sharpen = refocus((k, d) => error(photos[k], plates[d]));
  if (blur.ratio <= sharpen.ratio && blur.ratio <= opts.maxErrorRatio)
    // The nearest step tried: a clip's frames then share one blurred plate.
    return { ...none, plateBlur: nearest(opts.sigmas, blur.sigma), errorRatio: blur.ratio };
  if (
    sharpen.ratio < blur.ratio &&
    sharpen.ratio <= opts.maxSharpenRatio &&
    sharpen.sigma <= opts.maxSharpenSigma
  )
    return { ...none, plateSharpened: sharpen.sigma, errorRatio: sharpen.ratio };
  return { ...none, errorRatio: Math.min(blur.ratio, sharpen.ratio) };
}

const nearest = (steps: readonly number[], x: number) =>
  steps.reduce((a, b) => (Math.abs(b - x) < Math.abs(a - x) ? b : a));

/**
 * The plate as measured (`measureFocus`): blurred, sharpened, or as it is. A video's plate, the same image every
 * frame, is refocused once.
 */
export function refocusPlate(
  cv: CV,
  plate: FloatImage,
  { plateBlur, plateSharpened }: FocusReport,
  opts: FocusMatchOptions = DEFAULT_FOCUS_MATCH,
): FloatImage {
  if (plateBlur > 0) return blurOfUnchanging(cv, plate, plateBlur);
  if (plateSharpened <= 0) return plate;
  return onceFor(plate, `sharpened ${plateSharpened}`, () =>
    deconvolve(cv, plate, plateSharpened, opts.sharpenSteps),
  );
}

/** Van Cittert's deconvolution of a Gaussian blur: each step adds back what blurring the estimate takes from it. */
function deconvolve(cv: CV, image: FloatImage, sigma: number, steps: number): FloatImage {
  let estimate = image;
  for (let k = 0; k < steps; k++) {
    const reblurred = gaussianBlur(cv, estimate, sigma).data;
    const next = new Float32Array(image.data.length);
    for (let i = 0; i < next.length; i++) {
      const v = estimate.data[i] + image.data[i] - reblurred[i];
      next[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    estimate = { ...image, data: next };
  }
  return estimate;
}

/**
 * The most textured tiles of the plate clear of the subject (by the analysis-size difference, with a margin), in
 * pixels of the photo.
 */
function backgroundTiles(
  cv: CV,
  imageSmall: FloatImage,
  plateSmall: FloatImage,
  frame: Pick<FloatImage, "width" | "height">,
  opts: FocusMatchOptions,
): Box[] {
  const { width, height } = imageSmall;
  const scale = width / frame.width;
  const plate = greyOf(plateSmall);
  const [photoSoft, plateSoft] = [greyOf(imageSmall), plate].map((im) =>
    gaussianBlur(cv, im, Math.max(1, SUBJECT_BLUR * scale)),
  );
  const scored: { box: Box; texture: number }[] = [];
  for (let ty = 0; ty + opts.tile <= frame.height; ty += opts.tile)
    for (let tx = 0; tx + opts.tile <= frame.width; tx += opts.tile) {
      // The tile at analysis size, and a margin of 2 pixels around it.
      const [x0, y0] = [Math.max(1, Math.floor(tx * scale) - 2), Math.max(1, Math.floor(ty * scale) - 2)];
      const x1 = Math.min(width - 1, Math.ceil((tx + opts.tile) * scale) + 2);
      const y1 = Math.min(height - 1, Math.ceil((ty + opts.tile) * scale) + 2);
      let [clear, texture, n] = [true, 0, 0];
      for (let y = y0; y < y1 && clear; y++)
        for (let p = y * width + x0; p < y * width + x1; p++) {
          if (Math.abs(photoSoft.data[p] - plateSoft.data[p]) > SUBJECT_DIFFERENCE) {
            clear = false;
            break;
          }
          texture +=
            Math.abs(plate.data[p + 1] - plate.data[p - 1]) +
            Math.abs(plate.data[p + width] - plate.data[p - width]);
          n++;
        }
      if (clear && n > 0)
        scored.push({ box: { x: tx, y: ty, width: opts.tile, height: opts.tile }, texture: texture / n });
    }
  scored.sort((a, b) => b.texture - a.texture);
  return scored.slice(0, opts.tiles).map((s) => s.box);
}

/** The tiles' grey levels (the exposure matching's gain and bias applied per channel) stacked in a column. */
function stackedGrey(image: FloatImage, boxes: Box[], exposure = SAME_EXPOSURE): FloatImage {
  const { width } = boxes[0];
  const out = createImage(
    width,
    boxes.reduce((h, box) => h + box.height, 0),
    1,
  );
  const exposed = { data: image.data, ...exposure };
  let q = 0;
  for (const box of boxes)
    for (let y = 0; y < box.height; y++)
      for (let i = 3 * ((box.y + y) * image.width + box.x), end = i + 3 * width; i < end; i += 3)
        out.data[q++] = (exposedAt(exposed, i, 0) + exposedAt(exposed, i, 1) + exposedAt(exposed, i, 2)) / 3;
  return out;
}

const greyOf = (image: FloatImage) =>
  stackedGrey(image, [{ x: 0, y: 0, width: image.width, height: image.height }]);

/** The plate's most textured quarter of the tiles' inner pixels (the tiles are clear of the subject). */
function texturedPixels(cv: CV, plate: FloatImage, side: number): Int32Array {
  const { width, height } = plate;
  const smooth = gaussianBlur(cv, plate, 1).data;
  const inner = new Int32Array(width * height);
  const gradients = new Float32Array(width * height);
  let n = 0;
  for (let y = 0; y < height; y++) {
    const row = y % side;
    if (row < TILE_BORDER || row >= side - TILE_BORDER) continue;
    for (let x = TILE_BORDER, p = y * width + x; x < width - TILE_BORDER; x++, p++) {
      inner[n] = p;
      gradients[n++] = Math.hypot(smooth[p + 1] - smooth[p - 1], smooth[p + width] - smooth[p - width]);
    }
  }
  if (n === 0) return new Int32Array(0);
  const cut = histogramQuantile(gradients.subarray(0, n), 0.75);
  return inner.subarray(0, n).filter((_, k) => gradients[k] > cut);
}
