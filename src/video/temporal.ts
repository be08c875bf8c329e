/**
 * Flicker reduction: where the photo did not change since the previous frame, the matte should not either.
 * α_t ← w·α_{t−1} + (1 − w)·α_t with w = strength·exp(−(Δ/σ)²), Δ the local colour change between frames.
 */
import type { FloatImage } from "../image/types.js";

export interface TemporalOptions {
  strength: number;
  sigma: number;
}

export const DEFAULT_TEMPORAL: TemporalOptions = { strength: 0.6, sigma: 0.04 };

export class TemporalSmoother {
  private prevImage?: FloatImage;
  private prevAlpha?: FloatImage;

  constructor(private readonly opts: TemporalOptions = DEFAULT_TEMPORAL) {}

  apply(image: FloatImage, alpha: FloatImage): FloatImage {
    const out = { ...alpha, data: alpha.data.slice() };
    if (this.prevImage && this.prevAlpha && this.opts.strength > 0) {
      const a = image.data;
      const b = this.prevImage.data;
      for (let p = 0; p < out.data.length; p++) {
        const d = Math.max(
          Math.abs(a[3 * p] - b[3 * p]),
          Math.abs(a[3 * p + 1] - b[3 * p + 1]),
          Math.abs(a[3 * p + 2] - b[3 * p + 2]),
        );
        const w = this.opts.strength * Math.exp(-((d / this.opts.sigma) ** 2));
        out.data[p] = w * this.prevAlpha.data[p] + (1 - w) * out.data[p];
      }
    }
    this.prevImage = image;
    this.prevAlpha = out;
    return out;
  }
}
