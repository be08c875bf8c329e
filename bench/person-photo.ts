/**
 * What the benchmarks on the real hand-held person photo share: where it and its hand-drawn annotations are, and the
 * sensor noise they add to it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InteriorAnnotation } from "../src/eval/interior-annotation.js";
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
