/**
 * Where the photo shows a shadow the subject casts on the plate. Per pixel a shadow is ambiguous: it dims the plate
 * the way a dark strand partly covering it does, so the compositing-equation solve reads it as a soft subject and
 * draws a grey halo beside the subject wherever the network's edge comes near it. A cast shadow is told by what it
 * does to a whole neighbourhood:
 * - it darkens the plate keeping its hue (the difference points from the plate's colour towards black);
 * - over most of the neighbourhood, not a strand or a letter's edge;
 * - smoothly: the dimming varies little from pixel to pixel;
 * - keeping the plate's texture, dimmed (a subject hides it);
 * - it fades into the plate, where a subject ends at an edge;
 * - and it is wide: faint hair against a pale sky passes the tests above in patches of a few dozen pixels.
 * A subject darker than the plate and of its hue (grey on grey) still passes every test where it is smooth and bare:
 * there the solve keeps the network's α (it is not lowered).
 */
import { labelComponents } from "../cv/mask-ops.js";
import { type CV, withMats } from "../cv/opencv.js";
import { exposedAt, type ExposedPlate } from "../align/plate.js";
import { colourDistanceAt, differsUnlikeShadow, SHADOW_SPREAD } from "../cv/plate-difference.js";
import {
  hidesPlateTextureAt,
  plateTexture,
  type PlateTextureOptions,
  type TextureMoments,
} from "../cv/plate-texture.js";
import { createImage, type FloatImage } from "../image/types.js";

export interface CastShadowOptions {
  /** Largest angle (degrees) between the photo's difference from the plate and the plate's colour itself. */
  hueAngle: number;
  /** Differences within this (max over channels) are the plate itself, not a shadow. */
  distance: number;
  /** Neighbourhood radius (full-resolution pixels) over which a shadow is wide and smooth. */
  radius: number;
  /** Share of the neighbourhood that must be shadow-like. */
  share: number;
  /** Largest standard deviation of the dimming (photo brightness over plate brightness) over the neighbourhood. */
  dimmingSpread: number;
  /** Where the photo hides the plate's texture, a subject covers it (cv/plate-texture `hidden`). */
  texture: PlateTextureOptions;
  /** A shadow covers at least a square this share of the image's longer side across. */
  minWidth: number;
}

export const DEFAULT_CAST_SHADOWS: CastShadowOptions = {
  hueAngle: 8,
  distance: 0.03,
  radius: 2,
  share: 0.9,
  dimmingSpread: 0.05,
  // Down to a faint texture (a painted wall's grain), and a relative spread under 0.7 of the plate's: a shadow keeps
  // it whole.
  texture: { radius: 3, ratio: 0.25, minSpread: 0.012, hiddenShare: 0.7, minDimming: 1 },
  minWidth: 0.02,
};

/**
 * 1 where `image` shows a shadow cast on `plate` (exposure-matched, the same size). `moments` are the texture test's
 * window means, if the caller has them at its radius.
 */
export function castShadows(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  options: CastShadowOptions = DEFAULT_CAST_SHADOWS,
  moments?: TextureMoments,
): Uint8Array {
  const { width, height } = image;
  const n = width * height;
  const I = image.data;
  const B = plate.data;
  const minCos2 = Math.cos((options.hueAngle * Math.PI) / 180) ** 2;
  // Per pixel: shadow-like (0/1), the dimming, its square, the plate itself (0/1); their means over the
  // neighbourhood in one box filter.
  const local = createImage(width, height, 4);
  const L = local.data;
  const nearPlate = new Uint8Array(n);
  for (let p = 0, i = 0; p < n; p++, i += 4) {
    const j = 3 * p;
    const dimming = (I[j] + I[j + 1] + I[j + 2]) / Math.max(B[j] + B[j + 1] + B[j + 2], 0.06);
    L[i + 1] = dimming;
    L[i + 2] = dimming * dimming;
    if (colourDistanceAt(I, j, B) <= options.distance) nearPlate[p] = L[i + 3] = 1;
    else if (dimsPlateHue(I, B, j, minCos2)) L[i] = 1;
  }
  const mean = boxMean(cv, local, options.radius);
  const hidden = plateTexture(cv, image, plate, options.texture, moments).hidden;
  const spread2 = options.dimmingSpread * options.dimmingSpread;
  const shadow = new Uint8Array(n);
  // The way a shadow fades into the plate: through shadow, and through its edge, where the neighbourhood holds the
  // plate and shadow-like pixels only.
  const fading = nearPlate.slice();
  for (let p = 0, i = 0; p < n; p++, i += 4) {
    if (mean[i + 2] - mean[i + 1] * mean[i + 1] >= spread2) continue;
    if (mean[i] >= options.share && !hidden[p]) shadow[p] = 1;
    if (shadow[p] || (L[i] === 1 && mean[i + 3] > 0 && mean[i] + mean[i + 3] >= options.share)) fading[p] = 1;
  }
  const minArea = (options.minWidth * Math.max(width, height)) ** 2;
  keepWideShadowsThatFade(cv, shadow, fading, nearPlate, minArea, width, height);
  return shadow;
}

/** Darker than the plate in every channel (within noise), along the plate's own colour. */
function dimsPlateHue(I: Float32Array, B: Float32Array, i: number, minCos2: number): boolean {
  let dot = 0;
  let dd = 0;
  let bb = 0;
  for (let c = i; c < i + 3; c++) {
    const d = B[c] - I[c];
    if (d < -0.02) return false;
    dot += d * B[c];
    dd += d * d;
    bb += B[c] * B[c];
  }
  return dot >= 0 && dot * dot >= minCos2 * dd * bb;
}

/** Mean over a (2r+1)² window of a 4-channel image (OpenCV's box filter: the whole region, every frame). */
function boxMean(cv: CV, image: FloatImage, r: number): Float32Array {
  return withMats((t) => {
    const mat = t(new cv.Mat(image.height, image.width, cv.CV_32FC4));
    (mat.data32F as Float32Array).set(image.data);
    cv.blur(mat, mat, new cv.Size(2 * r + 1, 2 * r + 1), new cv.Point(-1, -1), cv.BORDER_REFLECT);
    return new Float32Array(mat.data32F as Float32Array);
  });
}

/**
 * Clears the shadow that does not reach the plate along `fading` pixels (8-connected: a subject's bare patch), then
 * the shadow regions under `minArea` pixels.
 */
function keepWideShadowsThatFade(
  cv: CV,
  shadow: Uint8Array,
  fading: Uint8Array,
  nearPlate: Uint8Array,
  minArea: number,
  width: number,
  height: number,
): void {
  const path = labelComponents(cv, width, height, (p) => fading[p]);
  const fades = new Uint8Array(path.count);
  for (let p = 0; p < shadow.length; p++) if (nearPlate[p]) fades[path.label[p]] = 1;
  for (let p = 0; p < shadow.length; p++) if (!fades[path.label[p]]) shadow[p] = 0;

  const region = labelComponents(cv, width, height, (p) => shadow[p]);
  const area = new Uint32Array(region.count);
  for (let p = 0; p < shadow.length; p++) if (shadow[p]) area[region.label[p]]++;
  for (let p = 0; p < shadow.length; p++) if (shadow[p] && area[region.label[p]] < minArea) shadow[p] = 0;
}

/**
 * The per-pixel stand-in for `castShadows`, for a frame that cannot pay for its full-resolution pass (`fast`: about
 * 150 ms of a 1280×720 frame): a pixel the network calls background (α under `below`) is shadow-like where the photo
 * is a darker copy of the plate with its hue, dimmed smoothly over its 5 × 5 neighbourhood, and does not hide the
 * plate's texture. A walker's soft shadow on the road, which the solve read as 30 % of a grey F (a disc of α 0.2–0.3
 * around the feet), keeps its road texture; the shaded side of a white bottle over foam hides the foam's; dark
 * strands over a beige wall, each a darker copy of it per pixel, dim it unevenly. Over a flat plate there is no
 * texture to hide, and where the dimming is smooth the network's call stands. The solve does not raise such a pixel,
 * and leaves it at 0 (refine/compositing-equation).
 */
export interface ShadowLikeOptions {
  /** α under which the network calls the pixel background. */
  below: number;
  /** The texture test (the cast-shadow pass's own). */
  texture: PlateTextureOptions;
}

// Measured in `fast` (composites / realpairs / camouflage set): 8.71 / 63.48 / 11.78 → 8.47 / 63.57 / 11.71 (gap fill
// 4.03 → 3.18 % and 1.18 → 1.05 %; a white bottle's shaded side in realpairs +0.7), the bundled example 11.29 →
// 8.00. Without the smoothness test: 8.38 / 63.73 / 11.67, the example 7.15, but its hair's outer strands over the
// beige wall were dropped. Without the texture test too, under 0.5 a torso the sea's colour was lost (6.1 → 28.9),
// under 0.25 the bottle's side cost 6.0. In `balanced`, after the cast-shadow pass, it lost (realpairs 54.78 →
// 55.20). Cleared to 0 rather than left at the network's soft edge: 8.44 / 63.47 / 11.70 → 8.38 / 63.51 / 11.67 (gap
// fill 3.18 → 2.79 % and 1.07 → 0.98 %; a doll's flyaway strands over a street +0.14), the bundled example 7.99 →
// 7.43. The same for `balanced`'s pass: realpairs 54.73 → 54.75, the rest identical.
export const DEFAULT_SHADOW_LIKE: ShadowLikeOptions = { below: 0.25, texture: DEFAULT_CAST_SHADOWS.texture };

/** Whether the pixel at (x, y), whose B′ is `bg` (RGB), is shadow-like (see `ShadowLikeOptions`) for α `alpha`. */
export function shadowLikeAt(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  bg: ArrayLike<number>,
  alpha: number,
  opts: ShadowLikeOptions,
): boolean {
  return (
    alpha < opts.below &&
    !differsUnlikeShadow(image.data, bg, 3 * (y * image.width + x), 0, SHADOW_SPREAD, 0) &&
    smoothDimming(image, plate, x, y, DEFAULT_CAST_SHADOWS.radius, DEFAULT_CAST_SHADOWS.dimmingSpread) &&
    !hidesPlateTextureAt(image, plate, x, y, opts.texture)
  );
}

/** Whether the dimming (photo brightness over B′'s) varies by less than `maxSpread` over the pixels within `r` of
 * (x, y) that lie in the frame: a shadow is smooth, a strand partly covering the plate is not. */
function smoothDimming(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  r: number,
  maxSpread: number,
): boolean {
  const { width: w, height: h, data: I } = image;
  // Plain scalar sums: this runs per pixel on every `fast` frame, and array destructuring there allocates.
  let s1 = 0;
  let s2 = 0;
  let n = 0;
  for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++)
    for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) {
      const i = 3 * (v * w + u);
      let a = 0;
      let b = 0;
      for (let c = 0; c < 3; c++) {
        a += I[i + c];
        b += exposedAt(plate, i, c);
      }
      const d = a / Math.max(b, 0.06);
      s1 += d;
      s2 += d * d;
      n++;
    }
  const mean = s1 / n;
  return s2 / n - mean * mean < maxSpread * maxSpread;
}
