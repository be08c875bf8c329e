/**
 * What the photo does with a textured plate's texture. Where it reproduces it around a pixel, the plate shows: the
 * background is seen there, whatever the network's coarse matte says (the gaps between leaves, stems and strands it
 * filled; refine/compositing-equation). A subject cannot copy a textured plate pixel for pixel: a flat one the
 * plate's mean colour leaves the texture's whole variance as its difference, and a textured one adds its own. Nor
 * a dimmed copy of it: that is the plate in the subject's shadow, seen through the gaps it falls across. Where
 * the photo is flat over the texture, something solid hides it (a shadow dims a texture, glass bends it): a subject
 * even where its colour is within noise of the plate's (postprocess/clear-differences), and no gap
 * (refine/bounded-gaps). On a flat plate (a wall, the sky) the texture says nothing either way.
 */
import { exposedAt, type ExposedPlate } from "../align/plate.js";
import { type CV, withMats } from "./opencv.js";
import type { FloatImage } from "../image/types.js";

export interface PlateTextureOptions {
  /** Window radius (full-resolution pixels). */
  radius: number;
  /** The window's squared difference, photo against plate, at most this share of the plate's variance there. */
  ratio: number;
  /** The plate's grey-level standard deviation over the window above which it is textured (well above a camera's
   * noise, whose share of the variance the ratio must leave room for). */
  minSpread: number;
  /** The photo's relative spread (spread over mean) under which it hides the plate's: this share of the plate's. */
  hiddenShare: number;
  /** The darkest shadow (photo over plate brightness) through which the texture still shows, dimmed; 1 or more:
   * only the plate's own brightness. */
  minDimming: number;
}

// The ratio keeps a camera's noise from passing for a texture that shows (a photo never reproduces its plate's noise),
// and a photo hides it only where it is over three times smoother than the plate, so the spread can sit near noise.
// Measured in `balanced` (composites / camouflage set): 0.04 → 0.025 opens gaps over finely grained plates (the wicker
// ball's 6.17 → 5.78; 7.02 → 6.97, 11.66 → 11.65; `best` 7.07 → 7.03, 11.18 → 10.98), realpairs and `fast` unchanged;
// with the photo blurred (σ 0.8 px) or noisier (σ 5/255) than its plate it gains as much. 0.02 put holes in the
// camouflage set (see-through 6.93 → 6.96 %); a ratio of 0.35 thinned a doll's semi-transparent hair.
export const DEFAULT_PLATE_TEXTURE: PlateTextureOptions = {
  radius: 3,
  ratio: 0.25,
  minSpread: 0.025,
  hiddenShare: 0.3,
  minDimming: 0.25,
};

export interface PlateTexture {
  /** 1 where the window around the pixel reproduces the plate's texture, at its brightness or dimmed. */
  shows: Uint8Array;
  /** Where it shows, the photo's brightness over the plate's there: 1, or the shadow's dimming. */
  dimming: Float32Array;
  /** 1 where the photo is flat over the plate's texture. */
  hidden: Uint8Array;
  /** 1 where the plate is textured (every pixel where the texture can show or be hidden). */
  textured: Uint8Array;
}

/** The window means a texture test reads: per pixel the plate's and the photo's grey level and their squares
 * (`moments`, 4 values), and the squared colour difference between them and the grey levels' product (`mixed`, 2). */
export interface TextureMoments {
  radius: number;
  moments: Float32Array;
  mixed: Float32Array;
}

/** The window means over `radius` of `image` against `plate` (exposure-matched, the same size): two box blurs. */
export function textureMoments(cv: CV, image: FloatImage, plate: FloatImage, radius: number): TextureMoments {
  const { width, height } = image;
  const n = width * height;
  const B = plate.data;
  const I = image.data;
  return withMats((t) => {
    const moments = t(new cv.Mat(height, width, cv.CV_32FC4));
    const mixed = t(new cv.Mat(height, width, cv.CV_32FC2));
    const M = moments.data32F as Float32Array;
    const D = mixed.data32F as Float32Array;
    for (let p = 0, i = 0, j = 0; p < n; p++, i += 3, j += 4) {
      const b = (B[i] + B[i + 1] + B[i + 2]) / 3;
      const g = (I[i] + I[i + 1] + I[i + 2]) / 3;
      M[j] = b;
      M[j + 1] = b * b;
      M[j + 2] = g;
      M[j + 3] = g * g;
      const dr = I[i] - B[i];
      const dg = I[i + 1] - B[i + 1];
      const db = I[i + 2] - B[i + 2];
      // Over all channels: a leaf can match the plate's grey.
      D[2 * p] = (dr * dr + dg * dg + db * db) / 3;
      D[2 * p + 1] = g * b;
    }
    const k = new cv.Size(2 * radius + 1, 2 * radius + 1);
    const anchor = new cv.Point(-1, -1);
    cv.blur(moments, moments, k, anchor, cv.BORDER_REFLECT);
    cv.blur(mixed, mixed, k, anchor, cv.BORDER_REFLECT);
    // (Views taken after the last allocation on OpenCV's heap.)
    return {
      radius,
      moments: new Float32Array(moments.data32F as Float32Array),
      mixed: new Float32Array(mixed.data32F as Float32Array),
    };
  });
}

/**
 * Where `image` shows and where it hides the texture of `plate` (exposure-matched, the same size). Tests with the
 * same radius can share their window means (`computed`).
 */
export function plateTexture(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  { radius, ratio, minSpread, hiddenShare, minDimming }: PlateTextureOptions = DEFAULT_PLATE_TEXTURE,
  computed?: TextureMoments,
): PlateTexture {
  const { moments: m, mixed } =
    computed?.radius === radius ? computed : textureMoments(cv, image, plate, radius);
  const n = image.width * image.height;
  const shows = new Uint8Array(n);
  const dimming = new Float32Array(n);
  const hidden = new Uint8Array(n);
  const textured = new Uint8Array(n);
  const minVariance = minSpread * minSpread;
  const share2 = hiddenShare * hiddenShare;
  for (let p = 0, j = 0; p < n; p++, j += 4) {
    const b1 = m[j];
    const g1 = m[j + 2];
    const variance = m[j + 1] - b1 * b1;
    if (variance <= minVariance) continue;
    textured[p] = 1;
    if (mixed[2 * p] < ratio * variance) {
      shows[p] = 1;
      dimming[p] = 1;
      continue;
    }
    // A shadow multiplies the plate by k (the means' ratio): what is left of the photo's grey after k·plate is
    // noise, under the same share of the dimmed texture's variance.
    const k = g1 / b1;
    if (k >= minDimming && k < 1) {
      const left = m[j + 3] - 2 * k * mixed[2 * p + 1] + k * k * m[j + 1];
      if (left < ratio * k * k * variance) {
        shows[p] = 1;
        dimming[p] = k;
        continue;
      }
    }
    // Relative variances compared squared: photo variance / mean² under share² · plate variance / mean².
    if ((m[j + 3] - g1 * g1) * b1 * b1 < share2 * variance * g1 * g1) hidden[p] = 1;
  }
  return { shows, dimming, hidden, textured };
}

/**
 * `plateTexture`'s `hidden` at one pixel, its window read directly at every other pixel each way (a quarter of the
 * reads; the evaluation sets scored the same to 0.01) and only inside the frame, where the box filter reflects: for a test
 * that needs it at a few pixels of a frame, not at all of them. `plate` is the unmatched plate with the exposure's
 * gain and bias, applied (and clamped) here as `applyExposure` does.
 */
export function hidesPlateTextureAt(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  { radius, ratio, minSpread, hiddenShare, minDimming }: PlateTextureOptions,
): boolean {
  const { width: w, height: h, data: I } = image;
  // Plain scalar sums: this runs per pixel on every `fast` frame, and array destructuring in the loop allocates.
  let [sb, sbb, sg, sgg, sd, sgb, n] = [0, 0, 0, 0, 0, 0, 0]; // (once per call)
  for (let v = Math.max(0, y - radius); v <= Math.min(h - 1, y + radius); v += 2)
    for (let u = Math.max(0, x - radius); u <= Math.min(w - 1, x + radius); u += 2) {
      const i = 3 * (v * w + u);
      let b = 0;
      let g = 0;
      let d = 0;
      for (let c = 0; c < 3; c++) {
        const bc = exposedAt(plate, i, c);
        b += bc;
        g += I[i + c];
        d += (I[i + c] - bc) ** 2;
      }
      b /= 3;
      g /= 3;
      sb += b;
      sbb += b * b;
      sg += g;
      sgg += g * g;
      sd += d / 3;
      sgb += g * b;
      n++;
    }
  const [b1, b2, g1, g2, mixed, gb] = [sb / n, sbb / n, sg / n, sgg / n, sd / n, sgb / n];
  const variance = b2 - b1 * b1;
  if (variance <= minSpread * minSpread || mixed < ratio * variance) return false;
  const k = g1 / b1;
  if (k >= minDimming && k < 1 && g2 - 2 * k * gb + k * k * b2 < ratio * k * k * variance) return false;
  return (g2 - g1 * g1) * b1 * b1 < hiddenShare * hiddenShare * variance * g1 * g1;
}
