/**
 * The real person (../shared/data/person) in front of every background photo (../shared/data/backgrounds), at her
 * size in the photo and smaller: her `best` matte as α and the photo as her colours, composited over each background
 * covering a 960×540 frame, scaled about the frame's bottom centre (1: head and shoulders, as shot; 0.6; 0.35: a face
 * some 45 px across, as a person seen whole; 0.15 and 0.07: a face 19 and 9 px across, a passer-by in a fixed-camera
 * video). Both shots get a little sensor noise (σ 2 grey levels); the plate is
 * the background itself. Per mode and size: the see-through area of her annotated face, neck and torso
 * (test/fixtures/person-interior.json, α < 0.9), mean and worst over the backgrounds, and the pixels matted as her
 * outside her outline (test/fixtures/person-outline.json, grown by 6 px: her soft hair reaches it once shrunk).
 * Writes bench-results/person-backdrops.json and, per mode and size, the scene and α of the background where she is
 * most see-through (-worst-) and of the one with most of it matted as her (-most-room-).
 *
 * `--hand-held`: the plate as a hand-held camera takes it, turned by up to 0.8°, zoomed by up to 1 %, moved by up to
 * 6 px and with a white balance a few per cent warmer (both shots drawn from the background at twice the size, so
 * they are equally sharp), and aligned by the pipeline; writes person-backdrops-hand-held.json and its pictures.
 *
 * `--only`: the backgrounds whose names start with these (comma-separated), to look at them again.
 *
 *   node --import tsx bench/person-backdrops.ts [--modes fast,balanced,best] [--scales 1,0.6,0.35,0.15,0.07]
 *     [--hand-held] [--only cockpit,canyon]
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { composite, cover } from "../src/composite/composite.js";
import { warpPlate } from "../src/align/homography.js";
import { dilateMask } from "../src/cv/mask-ops.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { shrinkImage } from "../src/cv/shrink.js";
import { rasteriseInterior } from "../src/eval/interior-annotation.js";
import { mattedOutside, seeThrough } from "../src/eval/metrics.js";
import { decodeImage, writePng } from "../src/image/codec-node.js";
import { crop, resize } from "../src/image/geometry.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { MODE_NAMES, type ModeName } from "../src/vocabulary.js";
import { annotation, noisy, perChannel, PERSON, ROOT, turnAndZoom } from "./person-photo.js";

const { values } = parseArgs({
  options: {
    modes: { type: "string" },
    scales: { type: "string" },
    "hand-held": { type: "boolean" },
    only: { type: "string" },
  },
});
const handHeld = values["hand-held"] ?? false;
const suffix = handHeld ? "-hand-held" : "";
const backgrounds = join(ROOT, "..", "shared", "data", "backgrounds");
if (!existsSync(PERSON) || !existsSync(backgrounds)) {
  console.error(`needs ${PERSON} and ${backgrounds}`);
  process.exit(3);
}
const modes = (values.modes?.split(",") ?? MODE_NAMES) as ModeName[];
const scales = (values.scales ?? "1,0.6,0.35,0.15,0.07").split(",").map(Number);
if (scales.some((s) => !(s > 0 && s <= 1))) {
  console.error(`--scales takes sizes in (0, 1], such as 1,0.6,0.35, not "${values.scales}"`);
  process.exit(2);
}
const [W, H] = [960, 540];
const cv = await loadOpenCV();
const photoPath = join(PERSON, "0001_img.png");
const best = await createMatter({ mode: "best" });
const herAlpha = resize(
  (await best.matte({ image: photoPath, plate: join(PERSON, "back.png") })).alpha,
  W,
  H,
);
await best.dispose();
const her = resize(await decodeImage(photoPath, "photo"), W, H);
const interior = rasteriseInterior(cv, annotation("person-interior.json"), W, H);
const outline = rasteriseInterior(cv, annotation("person-outline.json"), W, H);
const files = readdirSync(backgrounds)
  .filter((f) => /\.(jpe?g|png)$/i.test(f))
  .sort();
// Each background keeps its place in the whole list: its noise and its hand-held plate's move go with it.
const chosen = (file: string) => !values.only || values.only.split(",").some((p) => file.startsWith(p));
if (!files.some(chosen)) {
  console.error(`no background in ${backgrounds} starts with ${values.only}`);
  process.exit(2);
}

interface Shown {
  row: Row;
  scene: FloatImage;
  alpha: FloatImage;
}
interface Row {
  background: string;
  seeThroughPercent: number;
  roomPixels: number;
}
mkdirSync(join(ROOT, "bench-results"), { recursive: true });
const results: Record<
  string,
  Record<string, { mean: number; worst: number; meanRoomPixels: number; rows: Row[] }>
> = {};
for (const mode of modes) {
  const matter = await createMatter({ mode });
  results[mode] = {};
  for (const scale of scales) {
    const placed = place(scale);
    const rows: Row[] = [];
    // The background where her face and torso are most see-through, and the one where most of it is matted as her.
    let worst: Shown | undefined;
    let roomiest: Shown | undefined;
    for (const [i, file] of files.entries()) {
      if (!chosen(file)) continue;
      const photo = await decodeImage(join(backgrounds, file), "background");
      const { background, plate } = handHeld
        ? takenByHand(photo, i)
        : { background: cover(photo, W, H), plate: null };
      const scene = composite({ alpha: placed.alpha, foreground: placed.colours }, background);
      const shots = {
        image: noisy(scene, 2 / 255, 2 * i + 1),
        plate: noisy(plate ?? background, 2 / 255, 2 * i + 2),
      };
      const { alpha } = await matter.matteImages(shots, { align: handHeld ? "auto" : "off" });
      const row = {
        background: file,
        seeThroughPercent: +(100 * (seeThrough(alpha, placed.interior) ?? 0)).toFixed(3),
        roomPixels: mattedOutside(alpha, placed.outline),
      };
      rows.push(row);
      if (!worst || row.seeThroughPercent > worst.row.seeThroughPercent)
        worst = { row, scene: shots.image, alpha };
      if (!roomiest || row.roomPixels > roomiest.row.roomPixels)
        roomiest = { row, scene: shots.image, alpha };
    }
    const mean = rows.reduce((s, r) => s + r.seeThroughPercent, 0) / rows.length;
    const meanRoomPixels = rows.reduce((s, r) => s + r.roomPixels, 0) / rows.length;
    results[mode][scale] = {
      mean: +mean.toFixed(3),
      worst: worst!.row.seeThroughPercent,
      meanRoomPixels,
      rows,
    };
    console.log(
      `${mode.padEnd(8)} size ${String(scale).padEnd(5)} see-through mean ${mean.toFixed(3)} %, worst ` +
        `${worst!.row.seeThroughPercent} % (${worst!.row.background}); room pixels mean ${meanRoomPixels.toFixed(1)}, ` +
        `most ${Math.max(...rows.map((r) => r.roomPixels))}`,
    );
    for (const [kind, shown] of [
      ["worst", worst!],
      ["most-room", roomiest!],
    ] as const) {
      const name = `person-backdrops${suffix}-${mode}-${scale}-${kind}`;
      await writePng(join(ROOT, "bench-results", `${name}-scene.png`), shown.scene);
      await writePng(join(ROOT, "bench-results", `${name}-alpha.png`), shown.alpha);
    }
  }
  await matter.dispose();
}
writeFileSync(
  join(ROOT, "bench-results", `person-backdrops${suffix}.json`),
  JSON.stringify(results, null, 2) + "\n",
);

/**
 * Background photo number `i` as the scene behind her and as a hand-held plate of it: a turn of up to 0.8°, a zoom of
 * up to 1 % and a move of up to 6 px, varied with `i`, and a white balance 6 % warmer in red, 5 % cooler in blue.
 * Both are drawn from the background at twice their size and shrunk by area, so the plate is as sharp as the scene.
 */
function takenByHand(photo: FloatImage, i: number): { background: FloatImage; plate: FloatImage } {
  const M = 24; // a margin the camera's move stays within
  const big = cover(photo, 2 * (W + M), 2 * (H + M));
  const background = shrinkImage(cv, crop(big, { x: 2 * M, y: 2 * M, width: 2 * W, height: 2 * H }), W, H);
  const moved = turnAndZoom(big, ((i % 5) - 2) * 0.4, 1 + ((i % 3) - 1) * 0.01);
  moved[2] += 2 * (((i % 7) - 3) * 2 - M);
  moved[5] += 2 * (((i % 4) - 1.5) * 2 - M);
  const plate = shrinkImage(cv, warpPlate(cv, big, createImage(2 * W, 2 * H, 3), moved), W, H);
  return { background, plate: perChannel(plate, [1.06, 1, 0.95]) };
}

/** Her α, colours and annotations scaled by `s` about the frame's bottom centre (nearest pixel). */
function place(s: number) {
  const alpha = createImage(W, H, 1);
  const colours = createImage(W, H, 3);
  const [inside, outside] = [new Uint8Array(W * H), new Uint8Array(W * H)];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [u, v] = [Math.round((x - W / 2) / s + W / 2), Math.round((y - H) / s + H)];
      if (u < 0 || v < 0 || u >= W || v >= H) continue;
      const [p, q] = [y * W + x, v * W + u];
      alpha.data[p] = herAlpha.data[q];
      colours.data.set(her.data.subarray(3 * q, 3 * q + 3), 3 * p);
      [inside[p], outside[p]] = [interior[q], outline[q]];
    }
  const grown = dilateMask(cv, { width: W, height: H, channels: 1, data: Float32Array.from(outside) }, 6);
  return { alpha, colours, interior: inside, outline: Uint8Array.from(grown.data, (v) => (v > 0.5 ? 1 : 0)) };
}
