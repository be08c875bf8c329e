/** Synthetic scenes made by the tests themselves: a textured room and a soft-edged subject with known α. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { spawn } from "node:child_process";
import { createImage, toUint8, type FloatImage } from "../src/image/types.js";
import { ffmpegPath } from "../src/video/ffmpeg.js";

const tempDirs: string[] = [];
// Each test file runs in its own process: its folders go when it exits, passed or failed.
process.on("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system's temporary directory, removed when the test process exits. */
export function tempDir(prefix = "bgmatte-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export { lcg, makeScene, type Scene } from "../src/eval/synthetic-scene.js";
import { lcg, makeScene, type Scene } from "../src/eval/synthetic-scene.js";

/** A standard normal sample (Box–Muller) from a uniform generator such as `lcg`. */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** The image at `exposure` times its light, with a camera's noise (Gaussian, σ `sigma` grey levels, seeded). */
export function withNoise(image: FloatImage, sigma: number, seed: number, exposure = 1): FloatImage {
  const rand = lcg(seed);
  const data = image.data.map((v) => Math.min(1, Math.max(0, exposure * v + (sigma / 255) * gaussian(rand))));
  return { ...image, data };
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

/** The moving-disc clip of the video tests and benchmark: size, frame rate and length. */
export const MOVING_DISC = { W: 192, H: 128, FPS: 10, N: 14 };

/** A striped room, and a textured disc moving left to right across it (and back, in a clip longer than N). */
export function clipFrames(count = MOVING_DISC.N) {
  const { W, H, N } = MOVING_DISC;
  const rand = lcg(5);
  const plate = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = Math.sin(x / 6) > 0.5 ? 0.15 : 0;
      plate.data.set([0.7 - s, 0.65 - 0.2 * (y / H), 0.55 - s / 2 + (rand() - 0.5) * 0.02], 3 * (y * W + x));
    }
  const frames: FloatImage[] = [];
  const alphas: FloatImage[] = [];
  for (let t = 0; t < count; t++) {
    const swing = t % (2 * (N - 1));
    const cx = 50 + (swing < N ? swing : 2 * (N - 1) - swing) * 7,
      cy = 66,
      r = 30;
    const im = { ...plate, data: Float32Array.from(plate.data) };
    const a = createImage(W, H, 1);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const v = Math.min(1, Math.max(0, (r - Math.hypot(x - cx, y - cy)) / 2.5));
        a.data[y * W + x] = v;
        const fg = [0.15, 0.25 + 0.2 * Math.sin((x + y) / 5), 0.8];
        for (let c = 0; c < 3; c++)
          im.data[3 * (y * W + x) + c] = v * fg[c] + (1 - v) * plate.data[3 * (y * W + x) + c];
      }
    frames.push(im);
    alphas.push(a);
  }
  return { plate, frames, alphas };
}

export async function writeClip(path: string, frames: FloatImage[]) {
  const { W, H, FPS } = MOVING_DISC;
  const args = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-s",
    `${W}x${H}`,
    "-r",
    String(FPS),
    "-i",
    "-",
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${frames.length / FPS}`,
    "-c:v",
    "libx264",
    "-crf",
    "8",
    "-pix_fmt",
    "yuv444p",
    "-c:a",
    "aac",
    "-shortest",
    path,
  ];
  const child = spawn(ffmpegPath(), args, { stdio: ["pipe", "ignore", "inherit"] });
  for (const f of frames) child.stdin.write(toUint8(f));
  child.stdin.end();
  await new Promise((r) => child.on("exit", r));
}

/** A textured room: many random rectangles and discs (features to match), and a subject disc in the shot. */
export function texturedScene(w: number, h: number, seed: number) {
  const rand = lcg(seed);
  const plate = createImage(w, h, 3);
  for (let p = 0; p < w * h; p++) plate.data.set([0.5, 0.45, 0.4], 3 * p);
  for (let k = 0; k < 400; k++) {
    const x0 = Math.floor(rand() * w),
      y0 = Math.floor(rand() * h);
    const rw = 4 + Math.floor(rand() * 40),
      rh = 4 + Math.floor(rand() * 40);
    const c = [rand(), rand(), rand()];
    const disc = rand() < 0.4;
    for (let y = y0; y < Math.min(h, y0 + rh); y++)
      for (let x = x0; x < Math.min(w, x0 + rw); x++) {
        if (disc && Math.hypot(x - x0 - rw / 2, y - y0 - rh / 2) > Math.min(rw, rh) / 2) continue;
        plate.data.set(c, 3 * (y * w + x));
      }
  }
  const subject = createImage(w, h, 1);
  const image = { ...plate, data: Float32Array.from(plate.data) };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (Math.hypot(x - w * 0.5, y - h * 0.55) < h * 0.25) {
        subject.data[y * w + x] = 1;
        image.data.set([0.9, 0.2, 0.3], 3 * (y * w + x));
      }
    }
  return { image, plate, subject };
}

/** The share of the pixels of a `width`-wide map where `where(x, y)` holds that pass `test`. */
export function shareWhere(
  map: ArrayLike<number>,
  width: number,
  where: (x: number, y: number) => boolean,
  test: (v: number) => boolean,
): number {
  let [n, of] = [0, 0];
  for (let p = 0; p < map.length; p++)
    if (where(p % width, Math.floor(p / width))) {
      of++;
      if (test(map[p])) n++;
    }
  return n / of;
}
