/**
 * See-through area on the real hand-held person photo (../shared/data/person), in every mode: the share of the
 * hand-annotated face, neck and torso interior (test/fixtures/person-interior.json) where α < 0.9, and the room
 * pixels matted as her: α > 0.5 outside her outline (test/fixtures/person-outline.json; a hand-held plate's parallax
 * beside her neck, railings). Writes
 * bench-results/person-see-through.json and, per mode, 1:1 crops of the face and of the hair (α beside the
 * composite on green) for viewing; they derive from ../shared/data, so they stay out of the repository.
 *
 * Then the same person where skin and clothes match what is behind them: composited (with the `best` matte as her α,
 * the photo as her colours) onto a backdrop of her own mean face colour above the shoulders and her dark blouse's
 * below, so that only about half of her differs from the plate. Its see-through area per mode is the `ownColours`
 * entry (the annotation's face, neck and torso; α < 0.9), its α over her head and torso person-own-colours-*.png.
 *
 *   node --import tsx bench/person-see-through.ts [--model bm-lite|path.onnx] [--guard on|off]
 *   (--guard: the people guard in every mode, or in none; default: each mode's own default)
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { composite } from "../src/composite/composite.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { rasteriseInterior } from "../src/eval/interior-annotation.js";
import { mattedOutside, seeThrough } from "../src/eval/metrics.js";
import { decodeImage, writePng } from "../src/image/codec-node.js";
import { crop } from "../src/image/geometry.js";
import { createImage, stackChannels, type FloatImage } from "../src/image/types.js";
import { MODE_NAMES, type ModeName } from "../src/vocabulary.js";
import { createMatter } from "../src/node/matter.js";
import { annotation, PERSON as person, ROOT as root } from "./person-photo.js";

const { values } = parseArgs({
  options: { model: { type: "string" }, guard: { type: "string" } },
});
if (values.guard !== undefined && values.guard !== "on" && values.guard !== "off") {
  console.error(`--guard takes on or off, not "${values.guard}"`);
  process.exit(2);
}
if (!existsSync(person)) {
  console.error(`needs ${person}`);
  process.exit(3);
}
mkdirSync(join(root, "bench-results"), { recursive: true });
const cv = await loadOpenCV();
const interior = rasteriseInterior(cv, annotation("person-interior.json"));
const outline = rasteriseInterior(cv, annotation("person-outline.json"));
const inputs = { image: join(person, "0001_img.png"), plate: join(person, "back.png") };
const crops = {
  face: { x: 680, y: 380, width: 300, height: 320 },
  hair: { x: 600, y: 130, width: 480, height: 350 },
};

const matterFor = (mode: ModeName) =>
  createMatter({
    mode,
    model: values.model,
    guardPeople: values.guard === undefined ? undefined : values.guard === "on",
  });
const results: Record<string, { seeThroughPercent: number; roomPixels: number; ms: number }> = {};
const mattes: Partial<Record<ModeName, FloatImage>> = {};
for (const mode of MODE_NAMES) {
  const matter = await matterFor(mode);
  const t0 = performance.now();
  const r = await matter.matte(inputs);
  const ms = performance.now() - t0;
  await matter.dispose();
  mattes[mode] = r.alpha;
  const share = seeThrough(r.alpha, interior) ?? 0;
  const roomPixels = mattedOutside(r.alpha, outline);
  results[mode] = { seeThroughPercent: +(share * 100).toFixed(3), roomPixels, ms: Math.round(ms) };
  console.log(
    `${mode}: see-through ${(share * 100).toFixed(3)} % of the annotated interior, ${roomPixels} room pixels ` +
      `matted as her (${ms.toFixed(0)} ms)`,
  );
  const onGreen = composite(r, [0, 0.69, 0.25]);
  const grey3 = stackChannels([r.alpha, r.alpha, r.alpha]);
  for (const [name, box] of Object.entries(crops)) {
    await writePng(join(root, "bench-results", `person-${mode}-${name}-alpha.png`), crop(grey3, box));
    await writePng(join(root, "bench-results", `person-${mode}-${name}-composite.png`), crop(onGreen, box));
  }
}
// The same person on a backdrop of her own colours.
const photo = await decodeImage(inputs.image, "photo");
const { scene, plate } = ownColours(photo, mattes.best!);
const ownColoursResults: Record<string, number> = {};
for (const mode of MODE_NAMES) {
  const matter = await matterFor(mode);
  const r = await matter.matteImages({ image: scene, plate }, { align: "off" });
  await matter.dispose();
  const share = seeThrough(r.alpha, interior) ?? 0;
  ownColoursResults[mode] = +(share * 100).toFixed(3);
  const view = { x: 560, y: 250, width: 600, height: 830 };
  await writePng(join(root, "bench-results", `person-own-colours-${mode}-alpha.png`), crop(r.alpha, view));
  console.log(`${mode}: on a backdrop of her own colours, see-through ${(share * 100).toFixed(3)} %`);
}

/** Mean colour of `photo` where `inside(x, y)`. */
function meanColour(photo: FloatImage, inside: (x: number, y: number) => boolean): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < photo.height; y++)
    for (let x = 0; x < photo.width; x++)
      if (inside(x, y)) {
        for (let c = 0; c < 3; c++) sum[c] += photo.data[3 * (y * photo.width + x) + c];
        n++;
      }
  return sum.map((v) => v / n);
}

/** The photo's person (colours × `alpha`) over a smooth backdrop: her face's mean colour down to the shoulders, her
 * blouse's below, a gentle gradient and a fixed grain of ±1 grey level. */
function ownColours(photo: FloatImage, alpha: FloatImage): { scene: FloatImage; plate: FloatImage } {
  const { width: W, height: H } = photo;
  const skin = meanColour(photo, (x, y) => ((x - 826) / 80) ** 2 + ((y - 540) / 100) ** 2 < 1);
  const blouse = meanColour(photo, (x, y) => x > 780 && x < 900 && y > 950);
  const plate = createImage(W, H, 3);
  const scene = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const k = Math.min(1, Math.max(0, (y - 700) / 150));
      const shade = 1 + 0.12 * (y / H - 0.5) - 0.05 * (x / W - 0.5);
      const grain = (((p * 2654435761) >>> 0) / 2 ** 32 - 0.5) / 255;
      const a = alpha.data[p];
      for (let c = 0; c < 3; c++) {
        const b = Math.min(1, Math.max(0, (skin[c] * (1 - k) + blouse[c] * k) * shade + grain));
        plate.data[3 * p + c] = b;
        scene.data[3 * p + c] = a * photo.data[3 * p + c] + (1 - a) * b;
      }
    }
  return { scene, plate };
}

writeFileSync(
  join(root, "bench-results", "person-see-through.json"),
  JSON.stringify(
    {
      model: values.model ?? "default",
      guard: values.guard ?? "default",
      modes: results,
      ownColours: ownColoursResults,
    },
    null,
    2,
  ) + "\n",
);
