/** A synthetic scene with known α, made in code: for tests, benchmarks and `bgmatte bench` (no data needed). */
import { createImage, type FloatImage } from "../image/types.js";

/** Deterministic pseudo-random numbers (tests must not depend on Math.random). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Scene {
  photo: FloatImage;
  plate: FloatImage;
  alpha: FloatImage;
  /** The subject's true colour F (everywhere, also where α = 0). */
  fg: FloatImage;
}

/** A room-like plate (gradient wall, stripes) and an elliptical subject with a soft rim, plus camera noise. */
export function makeScene(width = 160, height = 120, seed = 1): Scene {
  const rand = lcg(seed);
  const plate = createImage(width, height, 3);
  const photo = createImage(width, height, 3);
  const alpha = createImage(width, height, 1);
  const fgImage = createImage(width, height, 3);
  const cx = width * 0.5,
    cy = height * 0.55,
    rx = width * 0.18,
    ry = height * 0.32;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const stripe = Math.sin(x / 5) > 0.6 ? 0.12 : 0;
      const wall = [0.75 - 0.2 * (y / height) - stripe, 0.7 - 0.15 * (y / height), 0.6 - stripe * 0.5];
      const d = Math.hypot((x - cx) / rx, (y - cy) / ry);
      const a = Math.min(1, Math.max(0, (1 - d) * 8));
      alpha.data[p] = a;
      const fg = [0.15, 0.3 + 0.2 * Math.sin(y / 7), 0.75];
      fgImage.data.set(fg, 3 * p);
      for (let c = 0; c < 3; c++) {
        plate.data[3 * p + c] = Math.min(1, Math.max(0, wall[c] + (rand() - 0.5) * 0.02));
        photo.data[3 * p + c] = Math.min(
          1,
          Math.max(0, a * fg[c] + (1 - a) * wall[c] + (rand() - 0.5) * 0.02),
        );
      }
    }
  }
  return { photo, plate, alpha, fg: fgImage };
}
