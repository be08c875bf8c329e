/**
 * Full-resolution refinement from the compositing equation I = αF + (1−α)B′. The network sees the scene at a
 * reduced size, so its matte is smooth; but wherever the subject's colour differs from the plate, the
 * full-resolution photo and plate determine α per pixel: α = ((I − B′)·(F − B′)) / ‖F − B′‖². Around the network's
 * subject we take F from nearby opaque pixels of the photo, solve for α, and trust that solution in proportion to
 * how far F is from B′ (where they are alike, the network's α stays). Only the network's uncertain pixels
 * (α < 0.98) within reach of the subject are changed.
 *
 * The local F (the photo's mean over the network's opaque pixels within 3 % of the frame) and the reach are measured
 * at the network's resolution, where they cost next to nothing; only the pixels near the subject's edge are visited at
 * full resolution. This runs on every video frame (fast mode).
 */
import { pendingGainBias, type PendingExposurePlate } from "../align/exposure.js";
import { dilateMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { bilinearTaps } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "./box-filter.js";

export interface EquationOptions {
  /** Colour distance ‖F − B′‖ at which the per-pixel solution gets half the weight. */
  tau: number;
  /** How far beyond the network's matte (fraction of the longer side) pixels may be corrected. */
  reach: number;
}

export const DEFAULT_EQUATION: EquationOptions = { tau: 0.12, reach: 0.01 };

/** The network's output at its own resolution, with the photo at that size. */
export interface CoarseMatte {
  alpha: FloatImage;
  fg: FloatImage;
  image: FloatImage;
}

/**
 * Refines `alpha` (full resolution, the size of `image`) in place. With `fgOut` (for callers whose F is otherwise
 * the photo's), also writes there, wherever α is solved, the F that explains the photo at that α: the subject's
 * texture without the plate's colour.
 */
export function refineWithPlate(
  cv: CV,
  image: FloatImage,
  plateSource: PendingExposurePlate,
  alpha: FloatImage,
  coarse: CoarseMatte,
  opts: EquationOptions = DEFAULT_EQUATION,
  fgOut?: FloatImage,
): void {
  const { width: w, height: h } = alpha;
  const { width: gw, height: gh } = coarse.alpha;
  const n = gw * gh;
  const [sx, sy] = [w / gw, h / gh]; // full-resolution pixels per network pixel

  // Per network pixel: photo colour × opacity (α > 0.95), opacity, and whether the subject is there (α > 0.02).
  const opaque = createImage(gw, gh, 4);
  const support = createImage(gw, gh, 1);
  const [a0, im, O] = [coarse.alpha.data, coarse.image.data, opaque.data];
  for (let q = 0; q < n; q++) {
    if (a0[q] > 0.02) support.data[q] = 1;
    if (a0[q] <= 0.95) continue;
    O[4 * q] = im[3 * q];
    O[4 * q + 1] = im[3 * q + 1];
    O[4 * q + 2] = im[3 * q + 2];
    O[4 * q + 3] = 1;
  }
  const long = Math.max(gw, gh);
  const local = boxFilter(opaque, Math.max(1, Math.round(0.03 * long))).data;
  const region = dilateMask(cv, support, Math.ceil(opts.reach * long)).data;

  const A = alpha.data;
  const I = image.data;
  const plate = plateSource.image.data;
  const { gain, bias } = pendingGainBias(plateSource);
  const tau2 = opts.tau * opts.tau;
  const bg = new Float64Array(3);
  const xt = bilinearTaps(gw, w);
  const yt = bilinearTaps(gh, h);
  const FG = coarse.fg.data;
  const f = new Float64Array(3);
  // Only the network pixels within reach of the subject, each over the full-resolution pixels it covers.
  for (let cy = 0; cy < gh; cy++)
    for (let cx = 0; cx < gw; cx++) {
      if (!region[cy * gw + cx]) continue;
      const [x0, x1] = [Math.round(cx * sx), Math.round((cx + 1) * sx)];
      for (let y = Math.round(cy * sy); y < Math.round((cy + 1) * sy); y++) {
        const r0 = yt.i0[y] * gw;
        const r1 = yt.i1[y] * gw;
        const wy = yt.w[y];
        for (let x = x0, p = y * w + x0; x < x1; x++, p++) {
          // Confidently opaque pixels keep the network's α: inside a textured subject the local mean colour is a
          // poor F, and the per-pixel solve would punch false holes.
          if (A[p] >= 0.98) continue;
          const q00 = r0 + xt.i0[x];
          const q01 = r0 + xt.i1[x];
          const q10 = r1 + xt.i0[x];
          const q11 = r1 + xt.i1[x];
          const wx = xt.w[x];
          const m0 = local[4 * q00 + 3] + (local[4 * q01 + 3] - local[4 * q00 + 3]) * wx;
          const m = m0 + (local[4 * q10 + 3] + (local[4 * q11 + 3] - local[4 * q10 + 3]) * wx - m0) * wy;
          // F: the local opaque colour, or where no opaque pixel is near, the network's own F.
          if (m > 1e-3) lerp3(local, 4, q00, q01, q10, q11, wx, wy, f, m);
          else lerp3(FG, 3, q00, q01, q10, q11, wx, wy, f, 1);
          let num = 0;
          let den = 0;
          for (let c = 0; c < 3; c++) {
            const b = (bg[c] = Math.min(1, Math.max(0, gain[c] * plate[3 * p + c] + bias[c])));
            const d = f[c] - b;
            num += (I[3 * p + c] - b) * d;
            den += d * d;
          }
          const solved = Math.min(1, Math.max(0, num / Math.max(den, 1e-6)));
          A[p] += (den / (den + tau2)) * (solved - A[p]); // each pixel is read before it is written: in place is exact
          if (fgOut) {
            // F that explains the photo exactly at this α (keeps the subject's texture, drops the plate's colour).
            const a = A[p];
            for (let c = 0; c < 3; c++) {
              const v = a > 0.01 ? bg[c] + (I[3 * p + c] - bg[c]) / a : f[c];
              fgOut.data[3 * p + c] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
          }
        }
      }
    }
}

/** Bilinear read of 3 channels of a `stride`-channel map at taps q.. (weights wx, wy), divided by `div`, into out. */
function lerp3(
  d: Float32Array,
  stride: number,
  q00: number,
  q01: number,
  q10: number,
  q11: number,
  wx: number,
  wy: number,
  out: Float64Array,
  div: number,
): void {
  for (let c = 0; c < 3; c++) {
    const top = d[stride * q00 + c] + (d[stride * q01 + c] - d[stride * q00 + c]) * wx;
    out[c] =
      (top + (d[stride * q10 + c] + (d[stride * q11 + c] - d[stride * q10 + c]) * wx - top) * wy) / div;
  }
}
