/**
 * Photo and plate focused differently: the composite test set as it is, with each photo's background softer than
 * its plate (the camera focused on the subject: image + (1 − α)·(blur(plate) − plate)), and with each plate softer
 * than its photo (a shaken plate), Gaussian σ 1.5 px by default. Mean SAD and gap fill per mode, as `bgmatte eval`
 * scores them; the pipeline brings the plate to the photo's focus (src/align/focus-match.ts). Writes
 * bench-results/focus.json.
 *
 *   (cd training && python -m bgmatte_train.testset --out /tmp/bgmatte-testset)
 *   node --import tsx bench/focus.ts [--set /tmp/bgmatte-testset] [--sigma 1.5] [--modes balanced,fast]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadOpenCV } from "../src/cv/opencv.js";
import { gaussianBlur } from "../src/cv/mask-ops.js";
import type { EvalItem, EvalItemSource } from "../src/eval/dataset.js";
import { listDataset } from "../src/eval/dataset.js";
import { evaluate, summarise } from "../src/eval/run-eval.js";
import { createMatter } from "../src/node/matter.js";
import { MODE_NAMES, type ModeName } from "../src/vocabulary.js";

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "/tmp/bgmatte-testset" },
    sigma: { type: "string", default: "1.5" },
    modes: { type: "string", default: "balanced,fast" },
  },
});
const sigma = Number(values.sigma);
const modes = values.modes.split(",") as ModeName[];
if (!(sigma > 0) || modes.some((m) => !MODE_NAMES.includes(m))) {
  console.error(`--sigma takes a positive number, --modes some of ${MODE_NAMES.join(", ")}`);
  process.exit(2);
}
if (!existsSync(values.set)) {
  console.error(
    `needs the composite test set at ${values.set}: (cd training && python -m bgmatte_train.testset --out ${values.set})`,
  );
  process.exit(3);
}
const cv = await loadOpenCV();

/** The photo's background softer than the plate: what a blurred plate would show, blended in by 1 − α. */
function softerBackground(item: EvalItem): EvalItem {
  const soft = gaussianBlur(cv, item.plate, sigma);
  const image = { ...item.image, data: Float32Array.from(item.image.data) };
  for (let p = 0; p < item.alpha!.data.length; p++)
    for (let c = 0; c < 3; c++)
      image.data[3 * p + c] +=
        (1 - item.alpha!.data[p]) * (soft.data[3 * p + c] - item.plate.data[3 * p + c]);
  return { ...item, image };
}
const softerPlate = (item: EvalItem): EvalItem => ({ ...item, plate: gaussianBlur(cv, item.plate, sigma) });

const variants: Record<string, (item: EvalItem) => EvalItem> = {
  "as it is": (item) => item,
  [`photo's background σ ${sigma} softer`]: softerBackground,
  [`plate σ ${sigma} softer`]: softerPlate,
};
const sources = listDataset(cv, values.set, { pair: "a" });
const results: Record<string, Record<string, { sad: number; gapFill?: number }>> = {};
for (const mode of modes) {
  const matter = await createMatter({ mode });
  for (const [name, vary] of Object.entries(variants)) {
    const varied: EvalItemSource[] = sources.map((s) => ({
      name: s.name,
      load: async () => vary(await s.load()),
    }));
    const { scores } = await evaluate(cv, matter, varied, {
      methods: ["model"],
      slowMetrics: false,
      maxSide: 1024,
    });
    const [summary] = summarise(scores);
    (results[mode] ??= {})[name] = { sad: summary.sad, gapFill: summary.gapFill };
    const gap = summary.gapFill === undefined ? "" : `  gap fill ${(100 * summary.gapFill).toFixed(2)} %`;
    console.log(`${mode.padEnd(9)} ${name.padEnd(32)} SAD ${summary.sad.toFixed(2)}${gap}`);
  }
}
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  join("bench-results", "focus.json"),
  JSON.stringify({ set: values.set, sigma, results }, null, 2),
);
