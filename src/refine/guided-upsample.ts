/**
 * Edge-aware upsampling of a low-resolution matte with the full-resolution image as guide: the fast guided filter
 * (He & Sun 2015) with a colour guide. The linear model α ≈ A·I + b is fitted at low resolution, its coefficients
 * are upsampled (they are smooth), and applied to the full-resolution image, so α follows the image's edges.
 */
import { resize } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "./box-filter.js";

export interface GuidedOptions {
  /** Window radius at low resolution. */
  radius: number;
  /** Regulariser: larger = smoother α, smaller = follows image edges more closely. */
  eps: number;
}

/** Solve (Σ + εI) a = v for a symmetric 3×3 Σ given as [xx, xy, xz, yy, yz, zz]. */
function solve3(s: number[], v: number[], eps: number): [number, number, number] {
  const a = s[0] + eps,
    b = s[1],
    c = s[2],
    d = s[3] + eps,
    e = s[4],
    f = s[5] + eps;
  const A = d * f - e * e;
  const B = c * e - b * f;
  const C = b * e - c * d;
  const det = a * A + b * B + c * C;
  const D = a * f - c * c;
  const E = b * c - a * e;
  const F = a * d - b * b;
  const inv = 1 / det;
  return [
    (A * v[0] + B * v[1] + C * v[2]) * inv,
    (B * v[0] + D * v[1] + E * v[2]) * inv,
    (C * v[0] + E * v[1] + F * v[2]) * inv,
  ];
}

/** Coefficients [A_r, A_g, A_b, b] of the local linear model, box-averaged, at the low resolution. */
export function guidedCoefficients(guideLow: FloatImage, pLow: FloatImage, opts: GuidedOptions): FloatImage {
  const n = guideLow.width * guideLow.height;
  // 13 channels: I (3), p, I·p (3), I_i·I_j (6).
  const stack = createImage(guideLow.width, guideLow.height, 13);
  for (let i = 0; i < n; i++) {
    const r = guideLow.data[3 * i],
      g = guideLow.data[3 * i + 1],
      bl = guideLow.data[3 * i + 2],
      p = pLow.data[i];
    stack.data.set([r, g, bl, p, r * p, g * p, bl * p, r * r, r * g, r * bl, g * g, g * bl, bl * bl], 13 * i);
  }
  const m = boxFilter(stack, opts.radius).data;
  const coef = createImage(guideLow.width, guideLow.height, 4);
  for (let i = 0; i < n; i++) {
    const o = 13 * i;
    const mr = m[o],
      mg = m[o + 1],
      mb = m[o + 2],
      mp = m[o + 3];
    const cov = [m[o + 4] - mr * mp, m[o + 5] - mg * mp, m[o + 6] - mb * mp];
    const sigma = [
      m[o + 7] - mr * mr,
      m[o + 8] - mr * mg,
      m[o + 9] - mr * mb,
      m[o + 10] - mg * mg,
      m[o + 11] - mg * mb,
      m[o + 12] - mb * mb,
    ];
    const a = solve3(sigma, cov, opts.eps);
    coef.data.set([a[0], a[1], a[2], mp - a[0] * mr - a[1] * mg - a[2] * mb], 4 * i);
  }
  return boxFilter(coef, opts.radius);
}

/** α at the guide's full resolution. `guideLow` must be `guideHigh` resized to `alphaLow`'s size. */
export function guidedUpsample(
  alphaLow: FloatImage,
  guideLow: FloatImage,
  guideHigh: FloatImage,
  opts: GuidedOptions = { radius: 2, eps: 1e-3 },
): FloatImage {
  const coef = resize(guidedCoefficients(guideLow, alphaLow, opts), guideHigh.width, guideHigh.height);
  const out = createImage(guideHigh.width, guideHigh.height, 1);
  const I = guideHigh.data,
    c = coef.data;
  for (let i = 0; i < out.data.length; i++) {
    const v = c[4 * i] * I[3 * i] + c[4 * i + 1] * I[3 * i + 1] + c[4 * i + 2] * I[3 * i + 2] + c[4 * i + 3];
    out.data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}
