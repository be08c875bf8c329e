/** Shared by the browser end-to-end test and the web benchmark: a fake camera clip, the server, Chromium. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import type { FloatImage } from "../src/image/types.js";
import { gaussian, lcg, makeScene } from "./fixtures.js";
import { CLI } from "./cli-process.js";

export const CHROMIUM = process.env.BGMATTE_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = () => existsSync(CHROMIUM);

/**
 * A Y4M clip (what Chromium's fake camera plays, looping): the empty room, then the room with a subject. `scene`: a
 * photo and its plate of exactly width×height (default: the synthetic scene).
 */
export function writeY4m(
  path: string,
  width: number,
  height: number,
  fps: number,
  plateFrames: number,
  subjectFrames: number,
  scene: { photo: FloatImage; plate: FloatImage } = makeScene(width, height),
  noise = 0,
): void {
  const { photo, plate } = scene;
  const toYuv = (rgb: Float32Array) => {
    const n = width * height;
    const y = Buffer.alloc(n);
    const u = Buffer.alloc(n / 4);
    const v = Buffer.alloc(n / 4);
    for (let j = 0; j < height; j++)
      for (let i = 0; i < width; i++) {
        const p = j * width + i;
        const [r, g, b] = [rgb[3 * p] * 255, rgb[3 * p + 1] * 255, rgb[3 * p + 2] * 255];
        y[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        if (j % 2 === 0 && i % 2 === 0) {
          const q = (j / 2) * (width / 2) + i / 2;
          u[q] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
          v[q] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
        }
      }
    return Buffer.concat([Buffer.from("FRAME\n"), y, u, v]);
  };
  const empty = toYuv(plate.data);
  const full = toYuv(photo.data);
  // `noise` (grey levels, σ): a sensor's, different in every subject frame, so that a still subject is not a still
  // input (without it, identical frames give identical mattes and flicker cannot show).
  const rand = lcg(9);
  const noisy = () => {
    const data = photo.data.map((v) => {
      return Math.min(1, Math.max(0, v + (gaussian(rand) * noise) / 255));
    });
    return toYuv(data);
  };
  const subject = noise > 0 ? Array.from({ length: subjectFrames }, noisy) : Array(subjectFrames).fill(full);
  const frames = [...Array(plateFrames).fill(empty), ...subject];
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`), ...frames]),
  );
}

export async function startServer(args: string[] = []): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, [...CLI, "serve", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /http:\/\/[^\s]+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.on("exit", (c) => reject(new Error(`bgmatte serve exited with ${c}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/**
 * Chromium with a fake camera playing `y4m`. `webgpu`: WebGPU on SwiftShader, Chromium's software adapter (a
 * correctness check of the WebGPU backend, not a measure of its speed on a real GPU); otherwise no GPU at all.
 */
export async function launchWithFakeCamera(
  y4m: string,
  options: { webgpu?: boolean } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      ...(options.webgpu
        ? ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"]
        : ["--disable-gpu"]),
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${y4m}`,
    ],
  });
}

/** Opens the page and waits until its module has run and given the buttons their handlers. */
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  // Plain-string page code: the TS loader adds helpers to named functions that do not exist in the page.
  await page.waitForFunction('document.getElementById("start")?.onclick != null');
}
