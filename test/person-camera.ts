/**
 * The real hand-held person photo (../shared/data/person) as a webcam would show it, and its see-through area read
 * back from the live page's composite: shared by the browser end-to-end test and the web benchmark.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { estimateHomography, warpPlate } from "../src/align/homography.js";
import { cover } from "../src/composite/composite.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { rasteriseInterior, type InteriorAnnotation } from "../src/eval/interior-annotation.js";
import { decodeImage } from "../src/image/codec-node.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { GREEN } from "../src/video/target.js";

const PERSON = join(import.meta.dirname, "..", "..", "shared", "data", "person");
export const hasPersonPhoto = () => existsSync(PERSON);

/**
 * The person photo and its plate at the camera's size, the plate warped onto the photo (src/align): they were shot by
 * hand, 30 px apart, and a webcam stands still between the plate and the person, so the page does not align (what
 * parallax is left stays, as a room seen by a camera that moved a little would show it).
 */
export async function personCameraScene(
  width: number,
  height: number,
): Promise<{ photo: FloatImage; plate: FloatImage }> {
  aligned ??= alignedPersonPhoto();
  const { photo, plate } = await aligned;
  return { photo: cover(photo, width, height), plate: cover(plate, width, height) };
}

/** Aligned once per process: the benchmark asks for several camera sizes. */
let aligned: Promise<{ photo: FloatImage; plate: FloatImage }> | undefined;

async function alignedPersonPhoto(): Promise<{ photo: FloatImage; plate: FloatImage }> {
  const cv = await loadOpenCV();
  const photo = await decodeImage(join(PERSON, "0001_img.png"));
  const plate = await decodeImage(join(PERSON, "back.png"));
  const { homography } = estimateHomography(cv, photo, plate);
  if (!homography) throw new Error(`cannot align ${join(PERSON, "back.png")} to its photo`);
  return { photo, plate: warpPlate(cv, plate, photo, homography) };
}

/** The hand-drawn face/neck/torso interior of the person photo (test/fixtures), at the camera's size. */
export const personInterior = (width: number, height: number) =>
  personAnnotation("person-interior.json", width, height);

/** The hand-drawn outline of the person photo's person, about 12 px outside her (1 inside): the room lies outside. */
export const personOutline = (width: number, height: number) =>
  personAnnotation("person-outline.json", width, height);

async function personAnnotation(file: string, width: number, height: number): Promise<Uint8Array> {
  const note = JSON.parse(
    readFileSync(join(import.meta.dirname, "fixtures", file), "utf8"),
  ) as InteriorAnnotation;
  return rasteriseInterior(await loadOpenCV(), note, width, height); // 16:9 photo on a 16:9 camera: covering is scaling
}

/** The page's composite canvas (RGBA bytes) and how many frames the page had processed when it was read. */
async function grabComposite(page: Page): Promise<{ done: number; px: number[] }> {
  // Plain-string page code: the TS loader adds helpers to named functions that do not exist in the page.
  return (await page.evaluate(`(() => {
    const c = document.getElementById("output");
    return { done: window.__bgmatte.framesDone, px: Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data) };
  })()`)) as { done: number; px: number[] };
}

/**
 * `count` composites of consecutive processed frames that show the subject (the fake camera loops room → subject;
 * a frame of the empty room starts the count again), or fewer if `timeoutMs` runs out.
 */
export async function consecutiveSubjectFrames(
  page: Page,
  count: number,
  timeoutMs: number,
): Promise<number[][]> {
  let frames: number[][] = [];
  let last = -1;
  for (const deadline = Date.now() + timeoutMs; frames.length < count && Date.now() < deadline;) {
    const g = await grabComposite(page);
    if (subjectShare(g.px) <= 0.01) frames = [];
    else if (g.done !== last) frames.push(g.px);
    last = g.done;
    await page.waitForTimeout(100);
  }
  return frames;
}

/** The share of a composite (RGBA bytes) that is not the default green target: the subject's share of the frame. */
function subjectShare(px: number[]): number {
  const green = GREEN.map((v) => 255 * v);
  let n = 0;
  for (let p = 0; p < px.length; p += 4)
    if (Math.abs(px[p] - green[0]) + Math.abs(px[p + 1] - green[1]) + Math.abs(px[p + 2] - green[2]) > 60)
      n++;
  return n / (px.length / 4);
}

/**
 * The share of the interior that shows the target through the subject: α read back from the composite (RGBA bytes)
 * on the default green G (the page's and the CLI's GREEN) as the projection of (composite − G) on (photo − G), below
 * 0.9. `marked`: an RGB image whose see-through pixels are painted red, for viewing.
 */
export function faceSeeThrough(
  px: number[],
  photo: FloatImage,
  mask: Uint8Array,
  marked?: FloatImage,
): number {
  let inside = 0;
  let holes = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    let dot = 0;
    let norm = 0;
    for (let c = 0; c < 3; c++) {
      const d = photo.data[3 * p + c] - GREEN[c];
      dot += (px[4 * p + c] / 255 - GREEN[c]) * d;
      norm += d * d;
    }
    inside++;
    if (dot / Math.max(norm, 1e-6) < 0.9) {
      holes++;
      marked?.data.set([1, 0, 0], 3 * p);
    }
  }
  return holes / Math.max(inside, 1);
}

/** Canvas RGBA bytes as an RGB image. */
export function rgbOf(px: number[], width: number, height: number): FloatImage {
  const image = createImage(width, height, 3);
  for (let p = 0; p < width * height; p++)
    for (let c = 0; c < 3; c++) image.data[3 * p + c] = px[4 * p + c] / 255;
  return image;
}
