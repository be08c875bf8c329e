/**
 * Photo and plate focused differently: the composite test set as it is, with each photo's background softer than
 * its plate (the camera focused on the subject: image + (1 − α)·(blur(plate) − plate)), with each plate softer
 * than its photo, Gaussian σ 1.5 px by default, and with each photo shaken (photo and α smeared along a horizontal
 * line of 9 px; the plate sharp). Mean SAD and gap fill per mode, as `bgmatte eval`
 * scores them; the pipeline brings the plate to the photo's focus (src/align/focus-match.ts). Writes
 * bench-results/focus.json.
 *
 *   (cd training && python -m bgmatte_train.testset --out /tmp/bgmatte-testset)
 *   node --import tsx bench/focus.ts [--set /tmp/bgmatte-testset] [--sigma 1.5] [--modes balanced,fast]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadOpenCV, withMats } from "../src/cv/opencv.js";
import { gaussianBlur } from "../src/cv/mask-ops.js";
import type { EvalItem, EvalItemSource } from "../src/eval/dataset.js";
import type { FloatImage } from "../src/image/types.js";
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

/** Camera shake: the mean along a horizontal line of `length` pixels. */
function shaken(image: FloatImage, length = 9): FloatImage {
  return withMats((t) => {
    const m = t(new cv.Mat(image.height, image.width, image.channels === 1 ? cv.CV_32FC1 : cv.CV_32FC3));
    (m.data32F as Float32Array).set(image.data);
    const kernel = t(new cv.Mat(1, length, cv.CV_32FC1, new cv.Scalar(1 / length)));
    cv.filter2D(m, m, -1, kernel, new cv.Point(-1, -1), 0, cv.BORDER_REPLICATE);
    return { ...image, data: new Float32Array(m.data32F) };
  });
}

const variants: Record<string, (item: EvalItem) => EvalItem> = {
  "as it is": (item) => item,
  [`photo's background σ ${sigma} softer`]: softerBackground,
  [`plate σ ${sigma} softer`]: softerPlate,
  "photo shaken (9 px)": (item) => ({ ...item, image: shaken(item.image), alpha: shaken(item.alpha!) }),
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
