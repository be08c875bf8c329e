/**
 * Full-resolution refinement from the compositing equation I = αF + (1−α)B′. The network sees the scene at a
 * reduced size, so its matte is smooth; but wherever the subject's colour differs from the plate, the
 * full-resolution photo and plate determine α per pixel: α = ((I − B′)·(F − B′)) / ‖F − B′‖². Around the network's
 * subject we take F from nearby opaque pixels of the photo, solve for α, and trust that solution in proportion to
 * how far F is from B′ (where they are alike, the network's α stays). Only the network's uncertain pixels
 * (α < 0.98) within reach of the subject are changed.
 */
import { dilateMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "./box-filter.js";

export interface EquationOptions {
  /** Colour distance ‖F − B′‖ at which the per-pixel solution gets half the weight. */
  tau: number;
  /** How far beyond the network's matte (fraction of the longer side) pixels may be corrected. */
  reach: number;
}

export const DEFAULT_EQUATION: EquationOptions = { tau: 0.12, reach: 0.01 };

export function refineWithPlate(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  fallbackFg: FloatImage,
  opts: EquationOptions = DEFAULT_EQUATION,
): FloatImage {
  const { width: w, height: h } = alpha;
  const n = w * h;
  const long = Math.max(w, h);
  // Local foreground colour: mean of the photo over confidently opaque pixels nearby.
  const weighted = createImage(w, h, 4);
  const support = createImage(w, h, 1);
  for (let p = 0; p < n; p++) {
    const m = alpha.data[p] > 0.95 ? 1 : 0;
    weighted.data.set(
      [image.data[3 * p] * m, image.data[3 * p + 1] * m, image.data[3 * p + 2] * m, m],
      4 * p,
    );
    support.data[p] = alpha.data[p] > 0.02 ? 1 : 0;
  }
  const local = boxFilter(weighted, Math.max(3, Math.round(0.03 * long))).data;
  const region = dilateMask(cv, support, Math.max(2, Math.round(opts.reach * long))).data;
  const out = { ...alpha, data: alpha.data.slice() };
  const tau2 = opts.tau * opts.tau;
  for (let p = 0; p < n; p++) {
    // Confidently opaque pixels keep the network's α: inside a textured subject the local mean colour is a poor
    // F, and the per-pixel solve would punch false holes.
    if (!region[p] || alpha.data[p] >= 0.98) continue;
    const k = local[4 * p + 3];
    let num = 0;
    let den = 0;
    for (let c = 0; c < 3; c++) {
      const f = k > 1e-3 ? local[4 * p + c] / k : fallbackFg.data[3 * p + c];
      const d = f - plate.data[3 * p + c];
      num += (image.data[3 * p + c] - plate.data[3 * p + c]) * d;
      den += d * d;
    }
    const solved = Math.min(1, Math.max(0, num / Math.max(den, 1e-6)));
    const trust = den / (den + tau2);
    out.data[p] = alpha.data[p] + trust * (solved - alpha.data[p]);
  }
  return out;
}
