/**
 * The live page's working size (the network's input, longer side): larger while the page stays fluid, smaller when
 * it does not. A size measured too slow is not tried again for a while, so the page does not swing between two sizes
 * (the matte's detail changing every few seconds) and its frame rate does not dip each time it tries.
 */
export interface AdaptivePolicy {
  start: number;
  /** Below this the live model leaves the person's neck partly see-through (docs/training.md, bm-live-cam). */
  min: number;
  max: number;
  step: number;
  /** Frames shown per second below which the size shrinks, and above which it may grow. */
  slowFps: number;
  fastFps: number;
  /** How long a size found too slow stays out of reach. */
  retryMs: number;
}

export const LIVE_POLICY: AdaptivePolicy = {
  start: 160,
  min: 144,
  max: 512,
  step: 16,
  slowFps: 20,
  fastFps: 28,
  retryMs: 30_000,
};

export class AdaptiveWorkingSize {
  size: number;
  /** The smallest size measured too slow, and when. */
  private tooSlow = Infinity;
  private tooSlowAt = -Infinity;

  constructor(private readonly policy: AdaptivePolicy = LIVE_POLICY) {
    this.size = policy.start;
  }

  /** A new measurement of frames shown per second at time `now` (ms); whether the size changed. */
  update(fps: number, now: number): boolean {
    const { min, max, step, slowFps, fastFps, retryMs } = this.policy;
    if (fps < slowFps && this.size > min) {
      this.tooSlow = this.size;
      this.tooSlowAt = now;
      this.size = Math.max(min, this.size - step);
      return true;
    }
    const ceiling = now - this.tooSlowAt < retryMs ? this.tooSlow : Infinity;
    if (fps > fastFps && this.size < max && this.size + step < ceiling) {
      this.size = Math.min(max, this.size + step);
      return true;
    }
    return false;
  }
}
