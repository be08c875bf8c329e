/**
 * What the photo does with a textured plate's texture. Where it reproduces it around a pixel, the plate shows: the
 * background is seen there, whatever the network's coarse matte says (the gaps between leaves, stems and strands it
 * filled; refine/compositing-equation). A subject cannot copy a textured plate pixel for pixel: a flat one the
 * plate's mean colour leaves the texture's whole variance as its difference, and a textured one adds its own. Where
 * the photo is flat over the texture, something solid hides it (a shadow dims a texture, glass bends it): a subject
 * even where its colour is within noise of the plate's (postprocess/clear-differences), and no gap
 * (refine/bounded-gaps). On a flat plate (a wall, the sky) the texture says nothing either way.
 */
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
}

export const DEFAULT_PLATE_TEXTURE: PlateTextureOptions = {
  radius: 3,
  ratio: 0.25,
  minSpread: 0.04,
  hiddenShare: 0.3,
};

export interface PlateTexture {
  /** 1 where the window around the pixel reproduces the plate's texture. */
  shows: Uint8Array;
  /** 1 where the photo is flat over the plate's texture. */
  hidden: Uint8Array;
}

/** The window means a texture test reads: per pixel the plate's and the photo's grey level and its square (4 values),
 * and the squared colour difference between them. */
export interface TextureMoments {
  radius: number;
  moments: Float32Array;
  difference: Float32Array;
}

/** The window means over `radius` of `image` against `plate` (exposure-matched, the same size): two box blurs. */
export function textureMoments(cv: CV, image: FloatImage, plate: FloatImage, radius: number): TextureMoments {
  const { width, height } = image;
  const n = width * height;
  const B = plate.data;
  const I = image.data;
  return withMats((t) => {
    const moments = t(new cv.Mat(height, width, cv.CV_32FC4));
    const differences = t(new cv.Mat(height, width, cv.CV_32FC1));
    const M = moments.data32F as Float32Array;
    const D = differences.data32F as Float32Array;
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
      D[p] = (dr * dr + dg * dg + db * db) / 3;
    }
    const k = new cv.Size(2 * radius + 1, 2 * radius + 1);
    const anchor = new cv.Point(-1, -1);
    cv.blur(moments, moments, k, anchor, cv.BORDER_REFLECT);
    cv.blur(differences, differences, k, anchor, cv.BORDER_REFLECT);
    // (Views taken after the last allocation on OpenCV's heap.)
    return {
      radius,
      moments: new Float32Array(moments.data32F as Float32Array),
      difference: new Float32Array(differences.data32F as Float32Array),
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
  { radius, ratio, minSpread, hiddenShare }: PlateTextureOptions = DEFAULT_PLATE_TEXTURE,
  computed?: TextureMoments,
): PlateTexture {
  const { moments: m, difference: d2 } =
    computed?.radius === radius ? computed : textureMoments(cv, image, plate, radius);
  const n = image.width * image.height;
  const shows = new Uint8Array(n);
  const hidden = new Uint8Array(n);
  const minVariance = minSpread * minSpread;
  const share2 = hiddenShare * hiddenShare;
  for (let p = 0, j = 0; p < n; p++, j += 4) {
    const b1 = m[j];
    const g1 = m[j + 2];
    const variance = m[j + 1] - b1 * b1;
    if (variance <= minVariance) continue;
    if (d2[p] < ratio * variance) shows[p] = 1;
    // Relative variances compared squared: photo variance / mean² under share² · plate variance / mean².
    else if ((m[j + 3] - g1 * g1) * b1 * b1 < share2 * variance * g1 * g1) hidden[p] = 1;
  }
  return { shows, hidden };
}
