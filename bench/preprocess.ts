/**
 * Pre-processing measurements: per-stage timings at 1920×1080, and what alignment does on the real hand-held
 * photo (../shared/data/person): residual before/after and the mean α outside the person's bounding box, with
 * and without alignment. Writes bench-results/preprocess.json and the two mattes as PNG for viewing.
 *
 *   node --import tsx bench/preprocess.ts
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writePng } from "../src/image/codec-node.js";
import { createMatter } from "../src/node/matter.js";
import type { MatteResult } from "../src/pipeline.js";

const person = join(import.meta.dirname, "..", "..", "shared", "data", "person");
if (!existsSync(person)) {
  console.error(`needs ${person}`);
  process.exit(3);
}
mkdirSync("bench-results", { recursive: true });

/** Mean α outside a box around the person, taken from the aligned matte's α > 0.5 region plus 5 %. */
function personBox(r: MatteResult) {
  const { width: w, height: h, data } = r.alpha;
  let x0 = w,
    y0 = h,
    x1 = 0,
    y1 = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (data[y * w + x] > 0.5) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  const m = Math.round(0.05 * Math.max(x1 - x0, y1 - y0));
  return {
    x0: Math.max(0, x0 - m),
    y0: Math.max(0, y0 - m),
    x1: Math.min(w - 1, x1 + m),
    y1: Math.min(h - 1, y1 + m),
  };
}
function meanOutside(r: MatteResult, b: ReturnType<typeof personBox>) {
  const { width: w, height: h, data } = r.alpha;
  let s = 0,
    n = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1) {
        s += data[y * w + x];
        n++;
      }
  return s / n;
}

const inputs = { image: join(person, "0001_img.png"), plate: join(person, "back.png") };
const results: Record<string, unknown> = {};
const aligned = await createMatter({ align: "auto" });
await aligned.matte(inputs); // warm-up
const withAlign = await aligned.matte(inputs);
await aligned.dispose();
const plain = await createMatter({ align: "off", exposure: false });
const without = await plain.matte(inputs);
await plain.dispose();
// Without the clean-up (largest component), stray α shows: the honest view of what alignment fixes.
const alignedRaw = await createMatter({ align: "auto", cleanup: false });
const withAlignRaw = await alignedRaw.matte(inputs);
await alignedRaw.dispose();
const plainRaw = await createMatter({ align: "off", exposure: false, cleanup: false });
const withoutRaw = await plainRaw.matte(inputs);
await plainRaw.dispose();
const box = personBox(withAlign);
results.person = {
  alignment: withAlign.meta.alignment && { ...withAlign.meta.alignment, homography: undefined },
  exposure: withAlign.meta.exposure,
  personBox: box,
  meanAlphaOutsideBox: {
    aligned: meanOutside(withAlign, box),
    notAligned: meanOutside(without, box),
    alignedNoCleanup: meanOutside(withAlignRaw, box),
    notAlignedNoCleanup: meanOutside(withoutRaw, box),
  },
  stagesMs1080p: Object.fromEntries(
    Object.entries(withAlign.meta.timings).map(([k, v]) => [k, Math.round(v)]),
  ),
};
await writePng("bench-results/person-aligned.alpha.png", withAlign.alpha);
await writePng("bench-results/person-not-aligned.alpha.png", without.alpha);
await writePng("bench-results/person-not-aligned-no-cleanup.alpha.png", withoutRaw.alpha);
console.log(JSON.stringify(results, null, 2));
writeFileSync("bench-results/preprocess.json", JSON.stringify(results, null, 2));
