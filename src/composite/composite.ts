/** Compositing `α·F + (1−α)·T` on a colour or an image, and the side-by-side preview. */
import cssColours from "color-name";
import { BgmatteError } from "../errors.js";
import { crop, resize } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";

export type Rgb = [number, number, number];

export interface Matte {
  alpha: FloatImage;
  foreground: FloatImage;
}

/** Parse "#rrggbb", "#rgb" or a CSS colour name ("red", "rebeccapurple") into [0,1] RGB; null when it is none. */
export function parseColour(text: string): Rgb | null {
  const name = text.trim().toLowerCase();
  if (Object.hasOwn(cssColours, name)) return cssColours[name].map((v) => v / 255) as Rgb;
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(text.trim());
  if (!m) return null;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as Rgb;
}

/** Scale to cover width×height (aspect kept), centre-crop the excess. */
export function cover(image: FloatImage, width: number, height: number): FloatImage {
  const scale = Math.max(width / image.width, height / image.height);
  const w = Math.max(width, Math.round(image.width * scale));
  const h = Math.max(height, Math.round(image.height * scale));
  const scaled = resize(image, w, h);
  return crop(scaled, { x: (w - width) >> 1, y: (h - height) >> 1, width, height });
}

/** The subject over `target`: an image (scaled to cover), an RGB triple in [0,1], or a colour as text (`parseColour`). */
export function composite(matte: Matte, target: Rgb | FloatImage | string): FloatImage {
  if (typeof target === "string") {
    const colour = parseColour(target);
    if (!colour)
      throw new BgmatteError(
        "INVALID_OPTION",
        `Expected a colour ("#rrggbb", "#rgb" or a CSS name such as "green") for the target but received "${target}"`,
        "give a colour, an [r, g, b] triple in 0–1, or a decoded image",
      );
    target = colour;
  }
  const { alpha, foreground } = matte;
  const out = createImage(alpha.width, alpha.height, 3);
  const [A, F, O] = [alpha.data, foreground.data, out.data];
  // Two straight loops (colour / image target): this runs on every video frame at full resolution.
  if (Array.isArray(target)) {
    const [t0, t1, t2] = target;
    for (let p = 0, i = 0; p < A.length; p++, i += 3) {
      const a = A[p];
      O[i] = t0 + a * (F[i] - t0);
      O[i + 1] = t1 + a * (F[i + 1] - t1);
      O[i + 2] = t2 + a * (F[i + 2] - t2);
    }
    return out;
  }
  const T = cover(target, alpha.width, alpha.height).data;
  for (let p = 0, i = 0; p < A.length; p++, i += 3) {
    const a = A[p];
    O[i] = T[i] + a * (F[i] - T[i]);
    O[i + 1] = T[i + 1] + a * (F[i + 1] - T[i + 1]);
    O[i + 2] = T[i + 2] + a * (F[i + 2] - T[i + 2]);
  }
  return out;
}

/**
 * `α·F + (1−α)·T` on an 8-bit RGBA picture of the same size, as opaque 8-bit RGBA: what a canvas shows, in one pass
 * (the live page runs it on every frame).
 */
export function compositeOnRgbaBytes(
  matte: Matte,
  target: Uint8Array | Uint8ClampedArray,
): Uint8ClampedArray<ArrayBuffer> {
  const { alpha, foreground } = matte;
  const [A, F] = [alpha.data, foreground.data];
  const out = new Uint8ClampedArray(4 * A.length);
  for (let p = 0, i = 0, j = 0; p < A.length; p++, i += 3, j += 4) {
    const a = A[p];
    // Uint8ClampedArray clamps and rounds on assignment.
    out[j] = target[j] + a * (255 * F[i] - target[j]);
    out[j + 1] = target[j + 1] + a * (255 * F[i + 1] - target[j + 1]);
    out[j + 2] = target[j + 2] + a * (255 * F[i + 2] - target[j + 2]);
    out[j + 3] = 255;
  }
  return out;
}

/**
 * The composite of an 8-bit RGBA frame (foreground colour and α) on a colour or a same-size image, as 8-bit RGB:
 * what video encodes, without float copies of a full frame (the join of a queued clip runs this on every frame).
 */
export function compositeRgbaBytes(rgba: Uint8Array, target: Rgb | FloatImage): Uint8Array {
  const n = rgba.length >> 2;
  const out = new Uint8Array(3 * n);
  const T = Array.isArray(target) ? undefined : target.data;
  for (let p = 0; p < n; p++) {
    const a = rgba[4 * p + 3] / 255;
    for (let c = 0; c < 3; c++) {
      const t = T ? T[3 * p + c] : (target as Rgb)[c];
      const v = t + a * (rgba[4 * p + c] / 255 - t);
      out[3 * p + c] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
  }
  return out;
}

/** Foreground with α as a fourth channel (what a PNG with transparency stores). */
export function foregroundRgba(matte: Matte): FloatImage {
  const { alpha, foreground } = matte;
  const out = createImage(alpha.width, alpha.height, 4);
  for (let p = 0; p < alpha.data.length; p++) {
    out.data.set(foreground.data.subarray(3 * p, 3 * p + 3), 4 * p);
    out.data[4 * p + 3] = alpha.data[p];
  }
  return out;
}

function greyToRgb(grey: FloatImage): FloatImage {
  const out = createImage(grey.width, grey.height, 3);
  for (let p = 0; p < grey.data.length; p++) out.data.fill(grey.data[p], 3 * p, 3 * p + 3);
  return out;
}

/** Panels side by side (RGB or grey), each scaled to `height`, separated by a thin gap. */
export function sideBySide(panels: FloatImage[], height: number, gap = 4): FloatImage {
  // Shrunk first: a mask widened to RGB at full resolution was three times the work (per channel, the same result).
  const scaled = panels.map((p) => {
    const small = resize(p, Math.max(1, Math.round((p.width * height) / p.height)), height);
    return small.channels === 1 ? greyToRgb(small) : small;
  });
  const width = scaled.reduce((s, p) => s + p.width, 0) + gap * (scaled.length - 1);
  const out = createImage(width, height, 3, 1);
  let x0 = 0;
  for (const p of scaled) {
    for (let y = 0; y < height; y++) {
      out.data.set(p.data.subarray(y * p.width * 3, (y + 1) * p.width * 3), (y * width + x0) * 3);
    }
    x0 += p.width + gap;
  }
  return out;
}

/** Rows (RGB) stacked top to bottom on white, left-aligned, separated by a thin gap. */
export function stackRows(rows: FloatImage[], gap = 4): FloatImage {
  const width = Math.max(...rows.map((r) => r.width));
  const height = rows.reduce((s, r) => s + r.height, 0) + gap * (rows.length - 1);
  const out = createImage(width, height, 3, 1);
  let y0 = 0;
  for (const r of rows) {
    for (let y = 0; y < r.height; y++)
      out.data.set(r.data.subarray(y * r.width * 3, (y + 1) * r.width * 3), (y0 + y) * width * 3);
    y0 += r.height + gap;
  }
  return out;
}
