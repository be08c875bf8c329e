/**
 * The plate's homography along a hand-held clip, filtered without lag. Hands move the camera by pixels from one
 * frame to the next, and by jumps: that motion is real and must be followed on the frame it happens, which a causal
 * (exponential) filter cannot do. What is noise is each estimate's own error (a fraction of a pixel) and, rarely, a
 * wrong estimate (RANSAC locked onto the moving subject). So each frame keeps its own estimate, averaged only with
 * the neighbours that agree with it to within `NOISE_PX` (a bilateral filter in time); an estimate far from its
 * neighbours' median, or a missing one, is interpolated from the frames on either side. The window looks ahead, which video matting already does for its
 * motion cues.
 */
import { type CV, withMats } from "../cv/opencv.js";
import type { Homography } from "./homography.js";

/** Frames on each side of the current one that may enter its average. */
export const TRACK_RADIUS = 2;
/** Neighbours whose corners lie within this mean distance (px) of the frame's estimate are averaged with it. */
const NOISE_PX = 0.5;
/** An estimate whose corners lie this far (mean, px) from its neighbours' median is taken to be wrong. */
const OUTLIER_PX = 6;

type Corners = number[]; // x0, y0, x1, y1, … of the plate's four corners, where a homography sends them

function project(h: Homography, x: number, y: number): [number, number] {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean distance between corresponding corners. */
function cornerDistance(a: Corners, b: Corners): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 2) sum += Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1]);
  return sum / (a.length / 2);
}

/** Per coordinate, e.g. `median` or `mean` of the corners (unlike entries of matrices, corners combine as motions). */
const combine = (all: Corners[], f: (xs: number[]) => number): Corners =>
  all[0].map((_, i) => f(all.map((c) => c[i])));

/**
 * Per-frame estimates, kept for the frames a filtered value still needs. `record(t, …)` once per frame, in any order;
 * `filtered(t, last)` combines the estimates of t − r … t + r that exist (a frame without one takes its neighbours').
 */
export class HomographyTrack {
  private readonly estimates = new Map<number, Corners | null>();
  private readonly plateCorners: Corners;

  constructor(
    private readonly cv: CV,
    width: number,
    height: number,
    private readonly radius = TRACK_RADIUS,
  ) {
    this.plateCorners = [0, 0, width, 0, width, height, 0, height];
  }

  has(t: number): boolean {
    return this.estimates.has(t);
  }

  record(t: number, estimate: Homography | null): void {
    const c = this.plateCorners;
    this.estimates.set(t, estimate && [0, 2, 4, 6].flatMap((i) => project(estimate, c[i], c[i + 1])));
  }

  /** The frames whose estimates `filtered(t, last)` needs. */
  window(t: number, last: number): number[] {
    const frames: number[] = [];
    for (let j = Math.max(0, t - this.radius); j <= Math.min(last, t + this.radius); j++) frames.push(j);
    return frames;
  }

  filtered(t: number, last: number): Homography | null {
    const found = this.window(t, last)
      .map((j) => this.estimates.get(j))
      .filter((c): c is Corners => !!c);
    if (!found.length) return null;
    const middle = combine(found, median);
    const trusted = (j: number) => {
      const c = this.estimates.get(j);
      return c && cornerDistance(c, middle) <= OUTLIER_PX ? c : null;
    };
    // A frame without a trusted estimate lies between its neighbours (hands move smoothly within a frame's time).
    const [own, before, after] = [trusted(t), trusted(t - 1), trusted(t + 1)];
    const reference = own ?? (before && after ? combine([before, after], mean) : middle);
    const agreeing = found.filter((c) => cornerDistance(c, reference) <= NOISE_PX);
    for (const j of this.estimates.keys()) if (j < t - this.radius) this.estimates.delete(j);
    return this.homographyTo(agreeing.length ? combine(agreeing, mean) : reference);
  }

  private homographyTo(corners: Corners): Homography {
    return withMats((t) => {
      const src = t(this.cv.matFromArray(4, 1, this.cv.CV_32FC2, this.plateCorners));
      const dst = t(this.cv.matFromArray(4, 1, this.cv.CV_32FC2, corners));
      return Array.from(t(this.cv.getPerspectiveTransform(src, dst)).data64F as Float64Array);
    });
  }
}
