/**
 * Thin structures the network cannot see. A mesh, a railing or a stem a few pixels wide is a pixel or less at the
 * network's size, and the prior S (eroded) never holds it, so the network can drop it whole. At full resolution the
 * photo shows it plainly against the plate. A pixel the matte has dropped is subject again where all of these hold:
 * - it differs clearly from the plate, and not as a shadow does (a darker copy with the plate's hue: the shadow a
 *   railing casts on the wall);
 * - no plate pixel within a few pixels has its colour: a plate a little misaligned or blurred does not explain it
 *   (a hand-held plate's edges shifted by a pixel or two);
 * - it is thin: narrower than a few network pixels (a dropped wide region is the network's call);
 * - it joins the subject, directly or through other such pixels (a fence in the plate is not subject).
 * Its α solves the compositing equation I = αF + (1 − α)B′ with F the photo's colour where the structure nearby
 * differs most from the plate (its core, taken as opaque), so anti-aliased edges stay partial. Where the matte gives
 * even a small α (a soft edge, glass), that is the network's call and stays.
 */
import { openByDisc } from "../cv/mask-ops.js";
import { type CV, withMats } from "../cv/opencv.js";
import { colourDistanceAt, differsUnlikeShadow } from "../cv/plate-difference.js";
import { growBox } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import { solveAlpha } from "./solve-alpha.js";

export interface ThinDifferenceOptions {
  /** Colour distance (max over channels) that is clear at full resolution, where a camera's noise is not averaged. */
  distance: number;
  /** Radius in pixels within which a plate pixel of the photo's colour explains a difference (misalignment, blur). */
  shift: number;
  /** Widest structure raised, in network pixels. */
  width: number;
  /** α under which the matte has dropped a pixel. */
  dropped: number;
}

export const DEFAULT_THIN_DIFFERENCES: ThinDifferenceOptions = {
  distance: 0.15,
  shift: 3,
  width: 8,
  dropped: 0.05,
};

/** α from which the matte calls a pixel subject: a structure must join some. */
const SUBJECT = 0.5;
/**
 * α from which a pixel of the matte joins a structure to the subject. Where the network dropped part of a grid, α
 * fades out along its bars: the fading pixels, between `dropped` and SUBJECT, must not cut the dropped part off.
 */
const JOINS = 0.2;
/** Radius in pixels within which a pixel's F is looked for at the structure's core. */
const CORE_RADIUS = 2;

/**
 * Raises `alpha` (full resolution, the size of `image`) in place where `image` shows thin structures joined to the
 * subject that `matchedPlate` (exposure applied) does not, and writes the F that explains the photo there into
 * `foreground`. `cell` is the size of a network pixel in full-resolution pixels. Returns the share of pixels raised.
 */
export function keepThinDifferences(
  cv: CV,
  image: FloatImage,
  matchedPlate: FloatImage,
  alpha: FloatImage,
  foreground: FloatImage,
  cell: number,
  opts: ThinDifferenceOptions = DEFAULT_THIN_DIFFERENCES,
): number {
  const { width: w, height: h } = alpha;
  const [I, B, A] = [image.data, matchedPlate.data, alpha.data];
  const found: number[] = [];
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0, p = 0; y < h; y++)
    for (let x = 0; x < w; x++, p++) {
      if (A[p] >= opts.dropped || colourDistanceAt(I, 3 * p, B) <= opts.distance) continue; // most pixels: cheap tests
      if (!differsUnlikeShadow(I, B, 3 * p, opts.distance)) continue;
      if (plateNearby(I, B, w, h, x, y, opts.shift, opts.distance)) continue;
      found.push(p);
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  if (!found.length) return 0;
  // The rest runs over the candidates' box, with a margin for their fringe and for the matte that joins them to the
  // subject: up to two network pixels of it fading out (from JOINS to SUBJECT), then the subject.
  const margin = 2 + Math.ceil(2 * cell);
  const foundBox = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const box = { ...growBox(foundBox, margin, w, h), stride: w };
  const { x: bx, y: by, width: bw, height: bh } = box;
  const inPhoto = (q: number) => (by + Math.floor(q / bw)) * w + bx + (q % bw);
  const candidate = new Uint8Array(bw * bh);
  for (const p of found) candidate[(Math.floor(p / w) - by) * bw + (p % w) - bx] = 255;
  return withMats((t) => {
    const thin = t(new cv.Mat(bh, bw, cv.CV_8UC1));
    (thin.data as Uint8Array).set(candidate);
    // Thin: what an opening by the widest structure raised removes, away from what it keeps (a wide region's corners
    // do not hold the disc either).
    const radius = Math.max(1, Math.round((opts.width * cell) / 2));
    openByDisc(cv, thin, radius, -(Math.ceil(radius / 2) + 1));
    const bytes = thin.data as Uint8Array;
    for (let q = 0; q < bytes.length; q++)
      bytes[q] = (candidate[q] && !bytes[q]) || A[inPhoto(q)] >= JOINS ? 255 : 0;
    // Joined to the subject: a component of thin differences and the matte together that holds some subject.
    const labels = t(new cv.Mat());
    const count: number = cv.connectedComponents(thin, labels, 8, cv.CV_32S);
    const label = labels.data32S as Int32Array;
    const holdsSubject = new Uint8Array(count);
    for (let q = 0; q < label.length; q++) if (A[inPhoto(q)] >= SUBJECT) holdsSubject[label[q]] = 1;
    // (`bytes` now holds the thin candidates, and the matte from JOINS.)
    const kept = candidate.map((c, q) =>
      c && bytes[q] && A[inPhoto(q)] < SUBJECT && holdsSubject[label[q]] ? 1 : 0,
    );
    // The kept pixels and their one-pixel fringe (anti-aliasing, closer to the plate than the clear distance).
    const visit = new Uint8Array(kept.length);
    for (let q = 0; q < kept.length; q++)
      if (kept[q])
        for (let j = Math.max(0, Math.floor(q / bw) - 1); j <= Math.min(bh - 1, Math.floor(q / bw) + 1); j++)
          for (let i = Math.max(0, (q % bw) - 1); i <= Math.min(bw - 1, (q % bw) + 1); i++)
            visit[j * bw + i] = 1;
    let raised = 0;
    const F = [0, 0, 0];
    for (let q = 0; q < visit.length; q++) {
      const p = inPhoto(q);
      if (!visit[q] || A[p] >= opts.dropped) continue;
      const core = inPhoto(strongestNearby(kept, I, B, box, q % bw, Math.floor(q / bw), CORE_RADIUS));
      for (let c = 0; c < 3; c++) F[c] = I[3 * core + c];
      const a = solveAlpha(I, 3 * p, F, 0, B, 3 * p);
      if (a <= A[p]) continue;
      A[p] = a;
      for (let c = 0, i = 3 * p; c < 3; c++, i++)
        foreground.data[i] = Math.min(1, Math.max(0, B[i] + (I[i] - B[i]) / a));
      raised++;
    }
    return raised / (w * h);
  });
}

/**
 * The kept pixel (an index into `kept`, which covers `box` of the photo) within `r` of (u, v) that differs most from
 * the plate: the structure's core, taken as opaque.
 */
function strongestNearby(
  kept: Uint8Array,
  I: Float32Array,
  B: Float32Array,
  box: { x: number; y: number; width: number; height: number; stride: number },
  u: number,
  v: number,
  r: number,
): number {
  let best = -1,
    most = -1;
  for (let j = Math.max(0, v - r); j <= Math.min(box.height - 1, v + r); j++)
    for (let i = Math.max(0, u - r); i <= Math.min(box.width - 1, u + r); i++) {
      const q = j * box.width + i;
      if (!kept[q]) continue;
      const d = colourDistanceAt(I, 3 * ((box.y + j) * box.stride + box.x + i), B);
      if (d > most) [best, most] = [q, d];
    }
  return best;
}

/** Whether some plate pixel within `s` of (x, y) has the photo's colour there, within `t` in every channel. */
function plateNearby(
  I: Float32Array,
  B: Float32Array,
  w: number,
  h: number,
  x: number,
  y: number,
  s: number,
  t: number,
): boolean {
  const i = 3 * (y * w + x);
  for (let v = Math.max(0, y - s); v <= Math.min(h - 1, y + s); v++)
    for (let u = Math.max(0, x - s); u <= Math.min(w - 1, x + s); u++) {
      if (colourDistanceAt(I, i, B, 3 * (v * w + u)) <= t) return true;
    }
  return false;
}
