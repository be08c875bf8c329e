/**
 * Matte quality metrics of the Deep Image Matting benchmark, over a region (a trimap's unknown
 * pixels) or the whole image, and two measures of the failures a user sees first: see-through area (holes in a
 * solid subject) and gap fill (background between thin parts called subject). Inputs are 1-channel FloatImages in
 * [0, 1] of the same size.
 */
import { interiorOf, largestComponents } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { BgmatteError } from "../errors.js";
import { boxOfMask } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";

/** Which pixels count: a 0/1 mask, or every pixel when omitted. */
export type Region = Uint8Array | undefined;

function check(pred: FloatImage, truth: FloatImage): void {
  if (
    pred.width !== truth.width ||
    pred.height !== truth.height ||
    pred.channels !== 1 ||
    truth.channels !== 1
  ) {
    throw new BgmatteError(
      "INVALID_OPTION",
      `metrics: need two 1-channel mattes of one size, got ${pred.width}×${pred.height}×${pred.channels} and ${truth.width}×${truth.height}×${truth.channels}`,
      "resize the prediction to the reference and pass one channel of each",
    );
  }
}

/** Unknown region of a trimap (pixels neither 0 nor 1). */
export function unknownRegion(trimap: FloatImage): Uint8Array {
  return Uint8Array.from(trimap.data, (v) => (v > 0.01 && v < 0.99 ? 1 : 0));
}

/** SAD = Σ|α̂ − α| / 1000. */
export function sad(pred: FloatImage, truth: FloatImage, region?: Region): number {
  check(pred, truth);
  let s = 0;
  for (let i = 0; i < pred.data.length; i++)
    if (!region || region[i]) s += Math.abs(pred.data[i] - truth.data[i]);
  return s / 1000;
}

/** MSE = Σ(α̂ − α)² / N, N the pixels in the region. */
export function mse(pred: FloatImage, truth: FloatImage, region?: Region): number {
  check(pred, truth);
  let s = 0;
  let n = 0;
  for (let i = 0; i < pred.data.length; i++) {
    if (region && !region[i]) continue;
    s += (pred.data[i] - truth.data[i]) ** 2;
    n++;
  }
  return n ? s / n : 0;
}

/** First-derivative-of-Gaussian kernel along x, as in the benchmark's reference code (ε = 0.01). */
export function gaussianDerivativeKernel(sigma: number): { size: number; kx: Float64Array } {
  const half = Math.ceil(sigma * Math.sqrt(-2 * Math.log(Math.sqrt(2 * Math.PI) * sigma * 0.01)));
  const size = 2 * half + 1;
  const g = (x: number) => Math.exp(-(x * x) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
  const dg = (x: number) => (-x * g(x)) / (sigma * sigma);
  const kx = new Float64Array(size * size);
  let norm = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = g(i - half) * dg(j - half);
      kx[i * size + j] = v;
      norm += v * v;
    }
  }
  norm = Math.sqrt(norm);
  for (let k = 0; k < kx.length; k++) kx[k] /= norm;
  return { size, kx };
}

/** ‖∇α‖ with Gaussian-derivative filters (convolution, replicated borders). */
export function gradientMagnitude(alpha: FloatImage, sigma = 1.4): Float64Array {
  const { size, kx } = gaussianDerivativeKernel(sigma);
  const half = size >> 1;
  const { width: w, height: h } = alpha;
  const out = new Float64Array(w * h);
  const at = (x: number, y: number) =>
    alpha.data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let gx = 0;
      let gy = 0;
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const k = kx[i * size + j];
          // Convolution flips the kernel: sample at (x − (j − half), y − (i − half)). ky is kx transposed.
          gx += k * at(x - (j - half), y - (i - half));
          gy += k * at(x - (i - half), y - (j - half));
        }
      }
      out[y * w + x] = Math.hypot(gx, gy);
    }
  }
  return out;
}

/** Grad = Σ(‖∇α̂‖ − ‖∇α‖)² / 1000. */
export function grad(pred: FloatImage, truth: FloatImage, region?: Region, sigma = 1.4): number {
  check(pred, truth);
  const gp = gradientMagnitude(pred, sigma);
  const gt = gradientMagnitude(truth, sigma);
  let s = 0;
  for (let i = 0; i < gp.length; i++) if (!region || region[i]) s += (gp[i] - gt[i]) ** 2;
  return s / 1000;
}

/**
 * Conn = Σ|φ(α̂) − φ(α)| / 1000. For thresholds t = 0.1 … 1, Ω_t is the largest 4-connected component of
 * (α̂ ≥ t) ∧ (α ≥ t); l is the last threshold before a pixel leaves Ω; d = α − l; φ = 1 − d·[d ≥ 0.15].
 */
export function conn(cv: CV, pred: FloatImage, truth: FloatImage, region?: Region, step = 0.1): number {
  check(pred, truth);
  const n = pred.data.length;
  const level = new Float64Array(n).fill(-1);
  const steps = Math.round(1 / step);
  const both = createImage(pred.width, pred.height, 1);
  for (let k = 1; k <= steps; k++) {
    const t = k * step;
    for (let i = 0; i < n; i++) both.data[i] = pred.data[i] >= t - 1e-9 && truth.data[i] >= t - 1e-9 ? 1 : 0;
    const omega = largestComponents(cv, both, 0.5, 1, 4).mask.data;
    for (let i = 0; i < n; i++) if (level[i] === -1 && omega[i] === 0) level[i] = (k - 1) * step;
  }
  let s = 0;
  for (let i = 0; i < n; i++) {
    const l = level[i] === -1 ? 1 : level[i];
    const dp = pred.data[i] - l;
    const dt = truth.data[i] - l;
    const phiP = 1 - dp * (dp >= 0.15 ? 1 : 0);
    const phiT = 1 - dt * (dt >= 0.15 ? 1 : 0);
    if (!region || region[i]) s += Math.abs(phiP - phiT);
  }
  return s / 1000;
}

/** dtSSD = √(Σ((α̂_t − α̂_{t−1}) − (α_t − α_{t−1}))² / N) × 10², averaged over consecutive frame pairs. */
export function dtssd(pred: FloatImage[], truth: FloatImage[]): number {
  if (pred.length !== truth.length || pred.length < 2)
    throw new BgmatteError(
      "INVALID_OPTION",
      "dtssd: need two equally long sequences of ≥ 2 frames",
      "pass the predicted and the true mattes of the same frames",
    );
  let total = 0;
  for (let t = 1; t < pred.length; t++) {
    let s = 0;
    const n = pred[t].data.length;
    for (let i = 0; i < n; i++) {
      const d = pred[t].data[i] - pred[t - 1].data[i] - (truth[t].data[i] - truth[t - 1].data[i]);
      s += d * d;
    }
    total += Math.sqrt(s / n) * 100;
  }
  return total / (pred.length - 1);
}

/** The subject's solid interior: true α > 0.99, farther than `erodePx` from any pixel that is not. */
export function solidInterior(cv: CV, truth: FloatImage, erodePx = 10): Uint8Array {
  return interiorOf(cv, truth, 0.99, erodePx);
}

/**
 * See-through area: the share of `interior` (a 0/1 mask of what must be solid) where α̂ < 0.9. Undefined when
 * the interior is empty. A face that comes out partly transparent scores above 0.
 */
export function seeThrough(pred: FloatImage, interior: Uint8Array): number | undefined {
  let n = 0;
  let holes = 0;
  for (let i = 0; i < interior.length; i++) {
    if (!interior[i]) continue;
    n++;
    if (pred.data[i] < 0.9) holes++;
  }
  return n ? holes / n : undefined;
}

/**
 * Background matted as subject on a photo without ground truth: the pixels outside `outline` (a 0/1 mask drawn a
 * little outside the subject) where α̂ > `above`: the room beside a person that a hand-held plate's parallax makes the
 * matte keep, specks of a textured room.
 */
export function mattedOutside(pred: FloatImage, outline: Uint8Array, above = 0.5): number {
  let n = 0;
  for (let i = 0; i < outline.length; i++) if (!outline[i] && pred.data[i] > above) n++;
  return n;
}

/**
 * Gap fill: the share of the true background (α < 0.01) inside the subject's bounding box (α > 0.1) where
 * α̂ > 0.1: the gaps between stems, leaves and bars that come out solid. Undefined when there is none.
 */
export function gapFill(pred: FloatImage, truth: FloatImage): number | undefined {
  check(pred, truth);
  const box = boxOfMask(truth, 0.1);
  if (!box) return undefined;
  let n = 0;
  let filled = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const i = y * truth.width + x;
      if (truth.data[i] >= 0.01) continue;
      n++;
      if (pred.data[i] > 0.1) filled++;
    }
  }
  return n ? filled / n : undefined;
}

/** The oracle a segmenter cannot beat: the reference α cut to a perfect binary mask at 0.5. */
export function binaryMaskOf(truth: FloatImage): FloatImage {
  return { ...truth, data: Float32Array.from(truth.data, (v) => (v > 0.5 ? 1 : 0)) };
}
