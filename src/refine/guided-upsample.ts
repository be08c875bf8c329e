/**
 * Edge-aware upsampling of a low-resolution matte with the full-resolution image as guide: the fast guided filter
 * (He & Sun 2015) with a colour guide. The linear model α ≈ A·I + b is fitted at low resolution, its coefficients
 * are upsampled (they are smooth), and applied to the full-resolution image, so α follows the image's edges.
 */
import { bilinearTaps } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "../image/box-filter.js";

export interface GuidedOptions {
  /** Window radius at low resolution. */
  radius: number;
  /** Regulariser: larger = smoother α, smaller = follows image edges more closely. */
  eps: number;
  /**
   * When set, α stays within the low-resolution matte's range over a (2r+1)² window around each pixel: the linear
   * model may sharpen an edge the network saw, but not invent one. Unclamped, background texture near a subject
   * (railings beside a neck) leaks into α as a ghost wherever the window also holds the subject's edge.
   */
  clampRadius?: number;
}

/** How the pipeline upsamples the network's matte. */
export const UPSAMPLE_GUIDED: GuidedOptions = { radius: 2, eps: 1e-3, clampRadius: 1 };

/** Coefficients [A_r, A_g, A_b, b] of the local linear model, box-averaged, at the low resolution. */
export function guidedCoefficients(guideLow: FloatImage, pLow: FloatImage, opts: GuidedOptions): FloatImage {
  const n = guideLow.width * guideLow.height;
  const [G, P] = [guideLow.data, pLow.data];
  // 13 channels: I (3), p, I·p (3), I_i·I_j (6). Plain stores, no per-pixel arrays: this runs on every frame.
  const stack = createImage(guideLow.width, guideLow.height, 13);
  const S = stack.data;
  for (let i = 0, o = 0; i < n; i++, o += 13) {
    const r = G[3 * i];
    const g = G[3 * i + 1];
    const b = G[3 * i + 2];
    const p = P[i];
    S[o] = r;
    S[o + 1] = g;
    S[o + 2] = b;
    S[o + 3] = p;
    S[o + 4] = r * p;
    S[o + 5] = g * p;
    S[o + 6] = b * p;
    S[o + 7] = r * r;
    S[o + 8] = r * g;
    S[o + 9] = r * b;
    S[o + 10] = g * g;
    S[o + 11] = g * b;
    S[o + 12] = b * b;
  }
  const m = boxFilter(stack, opts.radius).data;
  const coef = createImage(guideLow.width, guideLow.height, 4);
  const C = coef.data;
  const eps = opts.eps;
  for (let i = 0, o = 0; i < n; i++, o += 13) {
    const mr = m[o];
    const mg = m[o + 1];
    const mb = m[o + 2];
    const mp = m[o + 3];
    // v = cov(I, p); Σ + εI = [[a b c] [b d e] [c e f]], solved by its adjugate.
    const v0 = m[o + 4] - mr * mp;
    const v1 = m[o + 5] - mg * mp;
    const v2 = m[o + 6] - mb * mp;
    const a = m[o + 7] - mr * mr + eps;
    const b = m[o + 8] - mr * mg;
    const c = m[o + 9] - mr * mb;
    const d = m[o + 10] - mg * mg + eps;
    const e = m[o + 11] - mg * mb;
    const f = m[o + 12] - mb * mb + eps;
    const A = d * f - e * e;
    const B = c * e - b * f;
    const Cc = b * e - c * d;
    const D = a * f - c * c;
    const E = b * c - a * e;
    const F = a * d - b * b;
    const inv = 1 / (a * A + b * B + c * Cc);
    const ar = (A * v0 + B * v1 + Cc * v2) * inv;
    const ag = (B * v0 + D * v1 + E * v2) * inv;
    const ab = (Cc * v0 + E * v1 + F * v2) * inv;
    C[4 * i] = ar;
    C[4 * i + 1] = ag;
    C[4 * i + 2] = ab;
    C[4 * i + 3] = mp - ar * mr - ag * mg - ab * mb;
  }
  return boxFilter(coef, opts.radius);
}

/** α at the guide's full resolution. `guideLow` must be `guideHigh` resized to `alphaLow`'s size. */
export function guidedUpsample(
  alphaLow: FloatImage,
  guideLow: FloatImage,
  guideHigh: FloatImage,
  opts: GuidedOptions = UPSAMPLE_GUIDED,
): FloatImage {
  const coef = guidedCoefficients(guideLow, alphaLow, opts);
  const { width, height } = guideHigh;
  const cw = coef.width;
  // α's bounds per low-resolution pixel (0 and 1 without a clamp), blended per row like the coefficients.
  const range = opts.clampRadius === undefined ? undefined : localRange(alphaLow, opts.clampRadius);
  const [loRow, hiRow] = [new Float32Array(cw), new Float32Array(cw).fill(1)];
  // The coefficients are upsampled bilinearly and applied in the same pass (no full-resolution 4-channel image):
  // this runs on every frame. Rows are blended vertically once, at the coefficients' width.
  const xt = bilinearTaps(coef.width, width);
  const yt = bilinearTaps(coef.height, height);
  const blended = new Float32Array(cw * 4);
  const out = createImage(width, height, 1);
  const [c, I, A] = [coef.data, guideHigh.data, out.data];
  // Where the bounds leave α one value, or the local model has no slope (background, solid interior), α does not
  // depend on the image: such stretches are filled without reading it. Output columns sharing a left tap are
  // contiguous: from[j] to from[j + 1]. A column's coefficients are blended between rows only when it is read
  // (`blendedRow[j]`: the row they were blended for): most of a live frame is filled from its bounds alone.
  const blendedRow = new Int32Array(cw).fill(-1);
  const from = new Int32Array(cw + 1).fill(width);
  for (let x = width - 1; x >= 0; x--) from[xt.i0[x]] = x;
  for (let j = cw - 1; j >= 0; j--) from[j] = Math.min(from[j], from[j + 1]);
  const SLOPE = 1e-6; // |A| (or a difference in b) below this moves α by < 3·10⁻⁶
  for (let y = 0; y < height; y++) {
    const r0 = yt.i0[y] * cw * 4;
    const r1 = yt.i1[y] * cw * 4;
    const wy = yt.w[y];
    if (range) {
      const [q0, q1] = [yt.i0[y] * cw, yt.i1[y] * cw];
      for (let j = 0; j < cw; j++) {
        loRow[j] = range.lo[q0 + j] + (range.lo[q1 + j] - range.lo[q0 + j]) * wy;
        hiRow[j] = range.hi[q0 + j] + (range.hi[q1 + j] - range.hi[q0 + j]) * wy;
      }
    }
    const row = y * width;
    for (let j = 0; j < cw; j++) {
      const j1 = Math.min(j + 1, cw - 1);
      const a = 4 * j;
      const b = 4 * j1;
      const lo0 = loRow[j];
      const lo1 = loRow[j1];
      const hi0 = hiRow[j];
      const hi1 = hiRow[j1];
      const [start, end] = [row + from[j], row + from[j + 1]];
      if (lo0 === hi0 && lo1 === hi1 && lo0 === lo1) {
        for (let p = start; p < end; p++) A[p] = lo0; // spans of a few pixels: a loop beats TypedArray.fill's call
        continue;
      }
      for (let q = j; q <= j1; q++) {
        if (blendedRow[q] === y) continue;
        blendedRow[q] = y;
        for (let k = 4 * q; k < 4 * q + 4; k++) blended[k] = c[r0 + k] + (c[r1 + k] - c[r0 + k]) * wy;
      }
      const flat =
        Math.abs(blended[a]) < SLOPE &&
        Math.abs(blended[a + 1]) < SLOPE &&
        Math.abs(blended[a + 2]) < SLOPE &&
        Math.abs(blended[b]) < SLOPE &&
        Math.abs(blended[b + 1]) < SLOPE &&
        Math.abs(blended[b + 2]) < SLOPE;
      if (flat && Math.abs(blended[a + 3] - blended[b + 3]) < SLOPE) {
        const v = blended[a + 3];
        const lo = Math.min(lo0, lo1);
        const hi = Math.max(hi0, hi1);
        const f = v < lo ? lo : v > hi ? hi : v;
        for (let p = start; p < end; p++) A[p] = f;
        continue;
      }
      for (let x = from[j], p = row + x; x < from[j + 1]; x++, p++) {
        const wx = xt.w[x];
        const i = 3 * p;
        const v =
          blended[a + 3] +
          (blended[b + 3] - blended[a + 3]) * wx +
          (blended[a] + (blended[b] - blended[a]) * wx) * I[i] +
          (blended[a + 1] + (blended[b + 1] - blended[a + 1]) * wx) * I[i + 1] +
          (blended[a + 2] + (blended[b + 2] - blended[a + 2]) * wx) * I[i + 2];
        const lo = lo0 + (lo1 - lo0) * wx;
        const hi = hi0 + (hi1 - hi0) * wx;
        A[p] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  }
  return out;
}

/** Per-pixel minimum and maximum of a 1-channel image over a (2r+1)² window. */
function localRange(image: FloatImage, r: number): { lo: Float32Array; hi: Float32Array } {
  const { width: w, height: h, data } = image;
  const lo = new Float32Array(w * h);
  const hi = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let mn = 1;
      let mx = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
          const v = data[yy * w + xx];
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
      lo[y * w + x] = mn;
      hi[y * w + x] = mx;
    }
  return { lo, hi };
}
