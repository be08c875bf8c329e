/** Synthetic scenes made by the tests themselves: a textured room and a soft-edged subject with known α. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { createImage, toUint8, type FloatImage } from "../src/image/types.js";

export function tempDir(prefix = "bgmatte-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

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
}

/** A room-like plate (gradient wall, stripes) and an elliptical subject with a soft rim, plus camera noise. */
export function makeScene(width = 160, height = 120, seed = 1): Scene {
  const rand = lcg(seed);
  const plate = createImage(width, height, 3);
  const photo = createImage(width, height, 3);
  const alpha = createImage(width, height, 1);
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
      for (let c = 0; c < 3; c++) {
        plate.data[3 * p + c] = Math.min(1, Math.max(0, wall[c] + (rand() - 0.5) * 0.02));
        photo.data[3 * p + c] = Math.min(
          1,
          Math.max(0, a * fg[c] + (1 - a) * wall[c] + (rand() - 0.5) * 0.02),
        );
      }
    }
  }
  return { photo, plate, alpha };
}

export async function savePng(image: FloatImage, path: string): Promise<string> {
  await sharp(toUint8(image), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 },
  })
    .png()
    .toFile(path);
  return path;
}

export async function writeScene(
  dir: string,
  scene: Scene = makeScene(),
): Promise<{ photo: string; plate: string }> {
  return {
    photo: await savePng(scene.photo, join(dir, "photo.png")),
    plate: await savePng(scene.plate, join(dir, "plate.png")),
  };
}

export function meanAbsDiff(a: FloatImage, b: FloatImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}
