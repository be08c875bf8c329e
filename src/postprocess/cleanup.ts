/** The paper's clean-up: keep the main subject, and trust the photo's colour where α is opaque. */
import { type CV, withMats } from "../cv/opencv.js";
import type { FloatImage } from "../image/types.js";

export interface CleanupOptions {
  /** What counts as matte: α above this. */
  threshold: number;
  /** Components at least this share of the largest are kept (several people in one frame survive). */
  keepRatio: number;
  /**
   * Smaller components are kept too when this share of the frame of them is solid (α > 0.8): a leaf that is not
   * attached to the plant in view is solid, a speck of noise is faint. 0 turns the rule off.
   */
  solidShare: number;
  /** With a `shown` test, smaller components are kept too where at least this share of their pixels pass it… */
  shownShare: number;
  /** …and at least this many. */
  shownPixels: number;
}

export const DEFAULT_CLEANUP: CleanupOptions = {
  threshold: 0.05,
  keepRatio: 0.05,
  solidShare: 0.0002,
  shownShare: 0.25,
  shownPixels: 10,
};

/**
 * Zero α outside the kept components of α > `threshold` (in place). `shown(p)`, if given, says that the photo shows
 * something at pixel p that the plate cannot (refine/least-alpha): a component with enough such pixels is a part of
 * the subject, however small and faint (the lines of a grid cut apart from the rest), not a speck of noise.
 */
export function keepMainComponents(
  cv: CV,
  alpha: FloatImage,
  opts: CleanupOptions = DEFAULT_CLEANUP,
  shown?: (p: number) => boolean,
): void {
  withMats((t) => {
    const m = t(new cv.Mat(alpha.height, alpha.width, cv.CV_8UC1));
    const d = m.data as Uint8Array;
    for (let i = 0; i < d.length; i++) d[i] = alpha.data[i] > opts.threshold ? 255 : 0;
    const labels = t(new cv.Mat());
    const stats = t(new cv.Mat());
    const centroids = t(new cv.Mat());
    const n: number = cv.connectedComponentsWithStats(m, labels, stats, centroids, 8, cv.CV_32S);
    const s = stats.data32S as Int32Array;
    const cols = stats.cols as number;
    const lab = labels.data32S as Int32Array;
    const solid = new Uint32Array(n);
    for (let i = 0; i < lab.length; i++) if (alpha.data[i] > 0.8) solid[lab[i]]++;
    let largest = 0;
    for (let c = 1; c < n; c++) largest = Math.max(largest, s[c * cols + cv.CC_STAT_AREA]);
    const minSolid = opts.solidShare > 0 ? opts.solidShare * lab.length : Infinity;
    const keep = new Uint8Array(n);
    for (let c = 1; c < n; c++)
      keep[c] = s[c * cols + cv.CC_STAT_AREA] >= opts.keepRatio * largest || solid[c] >= minSolid ? 1 : 0;
    if (shown) {
      // Read only where a component would go.
      const count = new Uint32Array(n);
      for (let i = 0; i < lab.length; i++) if (lab[i] && !keep[lab[i]] && shown(i)) count[lab[i]]++;
      for (let c = 1; c < n; c++) {
        const enough = Math.max(opts.shownPixels, opts.shownShare * s[c * cols + cv.CC_STAT_AREA]);
        if (count[c] >= enough) keep[c] = 1;
      }
    }
    for (let i = 0; i < lab.length; i++) if (!keep[lab[i]]) alpha.data[i] = 0;
  });
}

/** F = I where α > `threshold` (in place): the network's colours are only needed where the subject is see-through. */
export function opaqueForegroundFromImage(
  fg: FloatImage,
  image: FloatImage,
  alpha: FloatImage,
  threshold = 0.95,
): void {
  for (let p = 0; p < alpha.data.length; p++) {
    if (alpha.data[p] > threshold) {
      fg.data[3 * p] = image.data[3 * p];
      fg.data[3 * p + 1] = image.data[3 * p + 1];
      fg.data[3 * p + 2] = image.data[3 * p + 2];
    }
  }
}
