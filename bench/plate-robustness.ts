/**
 * How the real hand-held person photo (../shared/data/person) fares when its plate is a worse match than it is: the
 * camera moved further (a shift, a small turn and zoom), the exposure or white balance changed between the shots,
 * the plate is out of focus, both shots went through strong JPEG compression or carry more sensor noise. Per mode
 * and case: the see-through area of her annotated face, neck and torso (test/fixtures/person-interior.json, α < 0.9)
 * and the room pixels matted as her (α > 0.5 outside test/fixtures/person-outline.json). Writes
 * bench-results/plate-robustness.json and, per mode and case, α over her head and shoulders for viewing (derived from
 * ../shared/data, so they stay out of the repository).
 *
 *   node --import tsx bench/plate-robustness.ts [--modes fast,balanced,best] [--cases shift,turn,...]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { warpPlate } from "../src/align/homography.js";
import { gaussianBlur } from "../src/cv/mask-ops.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { rasteriseInterior } from "../src/eval/interior-annotation.js";
import { mattedOutside, seeThrough } from "../src/eval/metrics.js";
import { decodeImage, writePng } from "../src/image/codec-node.js";
import { crop } from "../src/image/geometry.js";
import { toUint8, type FloatImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { MODE_NAMES, type ModeName } from "../src/vocabulary.js";
import {
  annotation,
  noisy,
  perChannel,
  PERSON as person,
  ROOT as root,
  turnAndZoom,
} from "./person-photo.js";

const { values } = parseArgs({ options: { modes: { type: "string" }, cases: { type: "string" } } });
if (!existsSync(person)) {
  console.error(`needs ${person}`);
  process.exit(3);
}
const cv = await loadOpenCV();
const interior = rasteriseInterior(cv, annotation("person-interior.json"));
const outline = rasteriseInterior(cv, annotation("person-outline.json"));
const photo = await decodeImage(join(person, "0001_img.png"), "photo");
const plate = await decodeImage(join(person, "back.png"), "plate");

type Case = () => Promise<{ image: FloatImage; plate: FloatImage }>;
const CASES: Record<string, Case> = {
  "as shot": async () => ({ image: photo, plate }),
  // A hand-held plate further off than the real one (alignment must absorb it; the strip the warp leaves empty is
  // the photo's, as in the pipeline's own warp).
  shift: async () => ({ image: photo, plate: warpPlate(cv, plate, photo, [1, 0, 8, 0, 1, 3, 0, 0, 1]) }),
  turn: async () => ({ image: photo, plate: warpPlate(cv, plate, photo, turnAndZoom(plate, 1, 1.02)) }),
  darker: async () => ({ image: photo, plate: perChannel(plate, [0.8, 0.8, 0.8]) }),
  warmer: async () => ({ image: photo, plate: perChannel(plate, [1.08, 1, 0.92]) }),
  "blurred plate": async () => ({ image: photo, plate: gaussianBlur(cv, plate, 1.5) }),
  "JPEG 50": async () => ({ image: await jpeg(photo, 50), plate: await jpeg(plate, 50) }),
  noisier: async () => ({ image: noisy(photo, 0.02, 1), plate: noisy(plate, 0.02, 2) }),
};

const modes = (values.modes?.split(",") ?? MODE_NAMES) as ModeName[];
const cases = values.cases?.split(",") ?? Object.keys(CASES);
for (const name of cases)
  if (!CASES[name]) {
    console.error(`unknown case "${name}"; the cases are: ${Object.keys(CASES).join(", ")}`);
    process.exit(2);
  }
mkdirSync(join(root, "bench-results"), { recursive: true });
const results: Record<string, Record<string, { seeThroughPercent: number; roomPixels: number }>> = {};
for (const mode of modes) {
  const matter = await createMatter({ mode });
  results[mode] = {};
  for (const name of cases) {
    const r = await matter.matteImages(await CASES[name]());
    const share = (seeThrough(r.alpha, interior) ?? 0) * 100;
    const roomPixels = mattedOutside(r.alpha, outline);
    results[mode][name] = { seeThroughPercent: +share.toFixed(3), roomPixels };
    console.log(
      `${mode.padEnd(8)} ${name.padEnd(13)} see-through ${share.toFixed(3)} %, ${roomPixels} room pixels`,
    );
    const view = { x: 500, y: 100, width: 700, height: 980 };
    await writePng(
      join(root, "bench-results", `plate-robustness-${mode}-${name.replace(/ /g, "-")}.png`),
      crop(r.alpha, view),
    );
  }
  await matter.dispose();
}
writeFileSync(join(root, "bench-results", "plate-robustness.json"), JSON.stringify(results, null, 2) + "\n");

async function jpeg(image: FloatImage, quality: number): Promise<FloatImage> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const encoded = await sharp(toUint8(image), { raw }).jpeg({ quality }).toBuffer();
  return decodeImage(encoded, "JPEG copy");
}
