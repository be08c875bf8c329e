/**
 * What plate alignment and exposure matching bring on the realpairs captures whose plates were shifted and re-exposed
 * (scenes 02 and 06, pair b): SAD of the default pipeline with neither, alignment only, exposure only and both,
 * against the reference α triangulated three ways — backgrounds as shot, aligned, aligned and exposure-matched (the
 * one `bgmatte eval` uses; see src/eval/triangulation.ts). Writes bench-results/pair-b.json.
 *
 *   node --import tsx bench/pair-b.ts [--model <name|file>]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadOpenCV } from "../src/cv/opencv.js";
import { sad } from "../src/eval/metrics.js";
import { triangulateScene } from "../src/eval/triangulation.js";
import { decodeImage } from "../src/image/codec-node.js";
import { resize } from "../src/image/geometry.js";
import type { FloatImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";

const root = join(import.meta.dirname, "..", "..", "shared", "data", "realpairs");
if (!existsSync(root)) {
  console.error(`needs ${root}`);
  process.exit(3);
}
const modelFlag = process.argv.indexOf("--model");
const model = modelFlag > 0 ? process.argv[modelFlag + 1] : undefined;
const cv = await loadOpenCV();
const configs = {
  neither: { align: "off", exposure: false },
  align: { align: "auto", exposure: false },
  exposure: { align: "off", exposure: true },
  both: { align: "auto", exposure: true },
} as const;
const matters = Object.fromEntries(
  await Promise.all(
    Object.entries(configs).map(async ([k, o]) => [k, await createMatter({ ...o, model })] as const),
  ),
);
const raw = (im: FloatImage) => ({ data: im.data, width: im.width, height: im.height, channels: 3 as const });
const results: Record<string, Record<string, Record<string, number>>> = {};
for (const scene of ["02", "06"]) {
  const load = (n: string) => decodeImage(join(root, `scene${scene}`, `${scene}${n}.jpg`), n);
  const [compA, backA, compB, backB] = await Promise.all(["compa", "backa", "compb", "backb"].map(load));
  const references = {
    asShot: triangulateScene(cv, compA, compB, backA, backB, { align: false, exposure: false }),
    aligned: triangulateScene(cv, compA, compB, backA, backB, { align: true, exposure: false }),
    alignedExposureMatched: triangulateScene(cv, compA, compB, backA, backB),
  };
  // The size `bgmatte eval` scores at (longer side 1024).
  const k = Math.min(1, 1024 / Math.max(compB.width, compB.height));
  const [w, h] = [Math.round(compB.width * k), Math.round(compB.height * k)];
  const [image, plate] = [resize(compB, w, h), resize(backB, w, h)];
  const alphas: Record<string, FloatImage> = {};
  for (const [k2, m] of Object.entries(matters))
    alphas[k2] = (await m.matte({ image: raw(image), plate: raw(plate) })).alpha;
  for (const [ref, alpha] of Object.entries(references)) {
    const truth = resize(alpha, w, h);
    const row = Object.fromEntries(Object.entries(alphas).map(([k2, a]) => [k2, sad(a, truth)]));
    (results[`scene${scene}b`] ??= {})[ref] = row;
    const cells = Object.entries(row).map(([k2, v]) => `${k2} ${v.toFixed(2)}`);
    console.log(`scene${scene}b  ${ref.padEnd(22)} ${cells.join("  ")}`);
  }
}
for (const m of Object.values(matters)) await m.dispose();
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/pair-b.json",
  JSON.stringify({ model: model ?? "default", sad: results }, null, 2),
);
