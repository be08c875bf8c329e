/**
 * What the benchmarks on the real hand-held person photo share: where it and its hand-drawn annotations are, and the
 * sensor noise they add to it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InteriorAnnotation } from "../src/eval/interior-annotation.js";
import type { Homography } from "../src/align/homography.js";
import type { FloatImage } from "../src/image/types.js";

export const ROOT = join(import.meta.dirname, "..");
/** The photo (0001_img.png) and its plate (back.png), read from ../shared/data, never copied. */
export const PERSON = join(ROOT, "..", "shared", "data", "person");

/** A hand-drawn annotation of the photo from test/fixtures (person-interior.json, person-outline.json). */
export const annotation = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, "test", "fixtures", name), "utf8")) as InteriorAnnotation;

/** Gaussian noise of `sigma`, the same for every run (`seed`). */
export function noisy(image: FloatImage, sigma: number, seed: number): FloatImage {
  let state = seed;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  const data = image.data.map((v) => {
    const gauss = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.min(1, Math.max(0, v + sigma * gauss));
  });
  return { ...image, data };
}

/** The affine of a turn by `degrees` and a zoom by `scale` about the image's centre, as a homography. */
export function turnAndZoom({ width, height }: FloatImage, degrees: number, scale: number): Homography {
  const a = (degrees * Math.PI) / 180;
  const [c, s, cx, cy] = [Math.cos(a) * scale, Math.sin(a) * scale, width / 2, height / 2];
  return [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy, 0, 0, 1];
}

/** `image` with each channel scaled by its gain (a change of exposure or white balance). */
export function perChannel(image: FloatImage, gains: number[]): FloatImage {
  const data = image.data.map((v, i) => Math.min(1, v * gains[i % 3]));
  return { ...image, data };
}
