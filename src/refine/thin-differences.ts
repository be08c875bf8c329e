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
 * differs most from the plate (its core, taken as opaque), so anti-aliased edges stay partial. Where the matte gives even a small α (a soft edge,
 * glass), it is the network's call and stays.
 */
import { openByDisc } from "../cv/mask-ops.js";
import { type CV, withMats } from "../cv/opencv.js";
import { differsUnlikeShadow } from "../cv/plate-difference.js";
import type { FloatImage } from "../image/types.js";

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

/** α from which the matte calls a pixel subject, for joining. */
const SUBJECT = 0.5;
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
  const n = w * h;
  return withMats((t) => {
    const thin = t(cv.Mat.zeros(h, w, cv.CV_8UC1));
    let bytes = thin.data as Uint8Array;
    for (let y = 0, p = 0; y < h; y++)
      for (let x = 0; x < w; x++, p++)
        if (A[p] < opts.dropped && differsUnlikeShadow(I, B, 3 * p, opts.distance))
          bytes[p] = plateNearby(I, B, w, h, x, y, opts.shift, opts.distance) ? 0 : 255;
    const candidate = bytes.slice();
    // Thin: what an opening by the widest structure raised removes, away from what it keeps (a wide region's corners
    // do not hold the disc either).
    const radius = Math.max(1, Math.round((opts.width * cell) / 2));
    openByDisc(cv, thin, radius);
    const reach = Math.ceil(radius / 2) + 1;
    const near = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * reach + 1, 2 * reach + 1)));
    cv.dilate(thin, thin, near);
    bytes = thin.data as Uint8Array;
    for (let p = 0; p < n; p++) bytes[p] = (candidate[p] && !bytes[p]) || A[p] >= SUBJECT ? 255 : 0;
    // Joined to the subject: a component of thin differences and the subject together that holds some subject.
    const labels = t(new cv.Mat());
    const count: number = cv.connectedComponents(thin, labels, 8, cv.CV_32S);
    const label = labels.data32S as Int32Array;
    const holdsSubject = new Uint8Array(count);
    for (let p = 0; p < n; p++) if (A[p] >= SUBJECT) holdsSubject[label[p]] = 1;
    const kept = new Uint8Array(n);
    for (let p = 0; p < n; p++) kept[p] = candidate[p] && A[p] < SUBJECT && holdsSubject[label[p]] ? 1 : 0;
    let raised = 0;
    const F = [0, 0, 0];
    // The kept pixels and their one-pixel fringe (anti-aliasing, closer to the plate than the clear distance).
    for (let y = 0, p = 0; y < h; y++)
      for (let x = 0; x < w; x++, p++) {
        if (A[p] >= opts.dropped || !(kept[p] || keptAround(kept, w, h, x, y))) continue;
        const core = strongestNearby(kept, I, B, w, h, x, y, CORE_RADIUS);
        for (let c = 0; c < 3; c++) F[c] = I[3 * core + c];
        const a = solveAlpha(I, B, F, 3 * p);
        if (a <= A[p]) continue;
        A[p] = a;
        for (let c = 0, i = 3 * p; c < 3; c++, i++)
          foreground.data[i] = Math.min(1, Math.max(0, B[i] + (I[i] - B[i]) / a));
        raised++;
      }
    return raised / n;
  });
}

function distanceAt(I: Float32Array, B: Float32Array, i: number): number {
  return Math.max(Math.abs(I[i] - B[i]), Math.abs(I[i + 1] - B[i + 1]), Math.abs(I[i + 2] - B[i + 2]));
}

/** The kept pixel within `r` of (x, y) that differs most from the plate: the structure's core, taken as opaque. */
function strongestNearby(
  kept: Uint8Array,
  I: Float32Array,
  B: Float32Array,
  w: number,
  h: number,
  x: number,
  y: number,
  r: number,
): number {
  let best = -1,
    most = -1;
  for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++)
    for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) {
      const q = v * w + u;
      if (!kept[q]) continue;
      const d = distanceAt(I, B, 3 * q);
      if (d > most) [best, most] = [q, d];
    }
  return best;
}

/** α from the compositing equation, I − B′ = α(F − B′), projected on F − B′ (least squares over the channels). */
function solveAlpha(I: Float32Array, B: Float32Array, F: number[], i: number): number {
  let num = 0,
    den = 0;
  for (let c = 0; c < 3; c++) {
    const fb = F[c] - B[i + c];
    num += (I[i + c] - B[i + c]) * fb;
    den += fb * fb;
  }
  return den > 0 ? Math.min(1, Math.max(0, num / den)) : 0;
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
      const k = 3 * (v * w + u);
      if (
        Math.abs(I[i] - B[k]) <= t &&
        Math.abs(I[i + 1] - B[k + 1]) <= t &&
        Math.abs(I[i + 2] - B[k + 2]) <= t
      )
        return true;
    }
  return false;
}

function keptAround(kept: Uint8Array, w: number, h: number, x: number, y: number): boolean {
  for (let v = Math.max(0, y - 1); v <= Math.min(h - 1, y + 1); v++)
    for (let u = Math.max(0, x - 1); u <= Math.min(w - 1, x + 1); u++) if (kept[v * w + u]) return true;
  return false;
}
