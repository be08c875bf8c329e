/**
 * Gaps the network filled over a smooth background. Between leaves against the sky, the photo matches the plate but
 * the network calls it subject, and its F there is the sky's colour too, so the compositing equation cannot tell
 * (refine/compositing-equation leaves "a subject the colour of the plate" alone). What tells is the region's
 * outline: a gap between leaves is cut out by the leaves' sharp edges, opaque all round, while a forehead the colour
 * of the sky fades into the rest of the face, with no edge where the match ends. So a region the network calls
 * opaque that matches the plate, is small beside the subject, and is bounded by a sharp photo edge and opaque subject
 * nearly all round, is opened, where the network itself is unsure of it. Print on a label has sharp outlines too:
 * the network is sure of print, and on a dark plate (black print against a black backdrop) or where the photo hides
 * the plate's texture (white print on white fabric), nothing is opened. Nor is a region one pixel thin: where two
 * parts of the subject meet (a neck and a collar), their blended edge can match the plate along a line.
 */
import { type CV, withMats } from "../cv/opencv.js";
import { colourDistanceAt } from "../cv/plate-difference.js";
import type { FloatImage } from "../image/types.js";

export interface BoundedGapOptions {
  /** A pixel matches the plate within this, in every channel (about twice a camera's noise). */
  match: number;
  /** Grey-level step per pixel (half a central difference, smoothed across) that counts as a sharp edge. */
  edge: number;
  /** Share of a region's outline (where it meets the subject, not the background) that must be a sharp edge. */
  outline: number;
  /** A region larger than this share of the subject is not a gap (a large part matching the plate is the subject's). */
  maxShare: number;
  /** Outline pixels a region needs before its outline is judged (single pixels of noise are not gaps). */
  minOutline: number;
  /** The network's mean predicted error over a region under which it is sure of it (black print on a white label
   * against a white wall: sharp outlines, the plate's colour, and a network that knows it is print). */
  minError: number;
  /** The plate's grey level under which nothing is opened: on a dark plate a dark part of the subject (black print on
   * a label against a black backdrop) matches it within a camera's noise, inside sharp outlines too. */
  darkPlate: number;
}

/** α from which the subject around a region counts as opaque. */
const OPAQUE = 0.95;

export const DEFAULT_BOUNDED_GAPS: BoundedGapOptions = {
  match: 0.08,
  edge: 0.03,
  outline: 0.8,
  maxShare: 0.02,
  minOutline: 8,
  darkPlate: 0.25,
  minError: 0.04,
};

/** Opens (α = 0), in place, the gaps of `alpha` that `image` shows as the plate inside sharp outlines. */
export function openBoundedGaps(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  alpha: FloatImage,
  /** Where the photo hides the plate's texture (cv/plate-texture): something solid, whatever its colour. */
  hidden: Uint8Array,
  /** The network's predicted error at its own resolution (models without one: no region is opened). */
  error: FloatImage | undefined,
  opts: BoundedGapOptions = DEFAULT_BOUNDED_GAPS,
): number {
  const { width: w, height: h } = alpha;
  const A = alpha.data;
  const I = image.data;
  const B = plate.data;
  let subject = 0;
  const candidate = new Uint8Array(w * h);
  for (let p = 0, i = 0; p < A.length; p++, i += 3) {
    if (A[p] <= 0.5) continue;
    subject++;
    if (hidden[p] || B[i] + B[i + 1] + B[i + 2] < 3 * opts.darkPlate) continue;
    if (colourDistanceAt(I, i, B) < opts.match) candidate[p] = 255;
  }
  if (subject === 0 || !error) return 0;
  const errorAt = nearestLookup(error, w, h);
  const sharpAt = sharpEdgeTest(image, opts.edge);
  return withMats((t) => {
    const m = t(new cv.Mat(h, w, cv.CV_8UC1));
    (m.data as Uint8Array).set(candidate);
    const labels = t(new cv.Mat());
    const n: number = cv.connectedComponents(m, labels, 4, cv.CV_32S);
    const lab = labels.data32S as Int32Array;
    const size = new Uint32Array(n);
    // Thicker than a pixel: some 2×2 block lies wholly inside the region.
    const thick = new Uint8Array(n);
    for (let p = 0; p < lab.length - w - 1; p++) {
      const k = lab[p];
      if (k !== 0 && lab[p + 1] === k && lab[p + w] === k && lab[p + w + 1] === k) thick[k] = 1;
    }
    const outline = new Uint32Array(n);
    const sharpOutline = new Uint32Array(n);
    const errorSum = new Float64Array(n);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const k = lab[p];
        if (k === 0) continue;
        size[k]++;
        errorSum[k] += errorAt(x, y);
        // Where the region meets the rest of the subject (its meeting with the background says nothing): the least
        // α there. A gap the network filled is surrounded by what it calls opaque; a clearing inside hair, by a
        // partial α, and opening it would punch a hard-edged hole in a soft region.
        let meets = 0;
        if (x > 0) meets = leastSubject(meets, p - 1, candidate, A);
        if (x < w - 1) meets = leastSubject(meets, p + 1, candidate, A);
        if (y > 0) meets = leastSubject(meets, p - w, candidate, A);
        if (y < h - 1) meets = leastSubject(meets, p + w, candidate, A);
        if (meets === 0) continue;
        outline[k]++;
        if (meets >= OPAQUE && sharpAt(x, y)) sharpOutline[k]++;
      }
    const open = new Uint8Array(n);
    for (let k = 1; k < n; k++)
      open[k] =
        thick[k] === 1 &&
        size[k] <= opts.maxShare * subject &&
        outline[k] >= opts.minOutline &&
        errorSum[k] >= opts.minError * size[k] &&
        sharpOutline[k] >= opts.outline * outline[k]
          ? 1
          : 0;
    let opened = 0;
    for (let p = 0; p < A.length; p++)
      if (open[lab[p]]) {
        A[p] = 0;
        opened++;
      }
    return opened / A.length;
  });
}

/** The least of `least` (0: none yet) and α at `q`, if `q` is subject outside the candidates. */
function leastSubject(least: number, q: number, candidate: Uint8Array, A: Float32Array): number {
  if (candidate[q] || A[q] <= 0.5) return least;
  return least === 0 ? A[q] : Math.min(least, A[q]);
}

/** Reads a low-resolution one-channel map at full-resolution (x, y) of a w × h frame: the network pixel covering it. */
function nearestLookup(map: FloatImage, w: number, h: number): (x: number, y: number) => number {
  const [sx, sy] = [map.width / w, map.height / h];
  return (x, y) => map.data[Math.floor(y * sy) * map.width + Math.floor(x * sx)];
}

/**
 * Whether the photo's grey level has a step of more than `edge` per pixel within one pixel of (x, y): the largest
 * Sobel magnitude (scaled by 1/8, so a step of height s reads s/2) over the 3×3 around it. Evaluated only at the
 * outlines asked about, a small share of the frame.
 */
function sharpEdgeTest(image: FloatImage, edge: number): (x: number, y: number) => boolean {
  const { width: w, height: h, data } = image;
  const grey = (x: number, y: number) => {
    const i = 3 * (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x)));
    return (data[i] + data[i + 1] + data[i + 2]) / 3;
  };
  const magnitude2 = (x: number, y: number) => {
    const [a, b, c] = [grey(x - 1, y - 1), grey(x, y - 1), grey(x + 1, y - 1)];
    const [d, f] = [grey(x - 1, y), grey(x + 1, y)];
    const [g, k, l] = [grey(x - 1, y + 1), grey(x, y + 1), grey(x + 1, y + 1)];
    const gx = (c + 2 * f + l - a - 2 * d - g) / 8;
    const gy = (g + 2 * k + l - a - 2 * b - c) / 8;
    return gx * gx + gy * gy;
  };
  const edge2 = edge * edge;
  return (x, y) => {
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) if (magnitude2(x + dx, y + dy) > edge2) return true;
    return false;
  };
}
