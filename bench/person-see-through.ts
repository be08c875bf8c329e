/**
 * See-through area on the real hand-held person photo (../shared/data/person), in every mode: the share of the
 * hand-annotated face, neck and torso interior (test/fixtures/person-interior.json) where α < 0.9. Writes
 * bench-results/person-see-through.json and, per mode, 1:1 crops of the face and of the hair (α beside the
 * composite on green) for viewing; they derive from ../shared/data, so they stay out of the repository.
 *
 *   node --import tsx bench/person-see-through.ts [--model bm-lite|path.onnx] [--guard on|off]
 *   (--guard: the people guard in every mode, or in none; default: each mode's own default)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { composite } from "../src/composite/composite.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { rasteriseInterior, type InteriorAnnotation } from "../src/eval/interior-annotation.js";
import { seeThrough } from "../src/eval/metrics.js";
import { writePng } from "../src/image/codec-node.js";
import { crop } from "../src/image/geometry.js";
import { stackChannels } from "../src/image/types.js";
import { MODE_NAMES } from "../src/vocabulary.js";
import { createMatter } from "../src/node/matter.js";

const { values } = parseArgs({
  options: { model: { type: "string" }, guard: { type: "string" } },
});
if (values.guard !== undefined && values.guard !== "on" && values.guard !== "off") {
  console.error(`--guard takes on or off, not "${values.guard}"`);
  process.exit(2);
}
const root = join(import.meta.dirname, "..");
const person = join(root, "..", "shared", "data", "person");
if (!existsSync(person)) {
  console.error(`needs ${person}`);
  process.exit(3);
}
mkdirSync(join(root, "bench-results"), { recursive: true });
const note = JSON.parse(
  readFileSync(join(root, "test", "fixtures", "person-interior.json"), "utf8"),
) as InteriorAnnotation;
const cv = await loadOpenCV();
const interior = rasteriseInterior(cv, note);
const inputs = { image: join(person, "0001_img.png"), plate: join(person, "back.png") };
const crops = {
  face: { x: 680, y: 380, width: 300, height: 320 },
  hair: { x: 600, y: 130, width: 480, height: 350 },
};

const results: Record<string, { seeThroughPercent: number; ms: number }> = {};
for (const mode of MODE_NAMES) {
  const matter = await createMatter({
    mode,
    model: values.model,
    guardPeople: values.guard === undefined ? undefined : values.guard === "on",
  });
  const t0 = performance.now();
  const r = await matter.matte(inputs);
  const ms = performance.now() - t0;
  await matter.dispose();
  const share = seeThrough(r.alpha, interior) ?? 0;
  results[mode] = { seeThroughPercent: +(share * 100).toFixed(3), ms: Math.round(ms) };
  console.log(
    `${mode}: see-through ${(share * 100).toFixed(3)} % of the annotated interior (${ms.toFixed(0)} ms)`,
  );
  const onGreen = composite(r, [0, 0.69, 0.25]);
  const grey3 = stackChannels([r.alpha, r.alpha, r.alpha]);
  for (const [name, box] of Object.entries(crops)) {
    await writePng(join(root, "bench-results", `person-${mode}-${name}-alpha.png`), crop(grey3, box));
    await writePng(join(root, "bench-results", `person-${mode}-${name}-composite.png`), crop(onGreen, box));
  }
}
writeFileSync(
  join(root, "bench-results", "person-see-through.json"),
  JSON.stringify(
    { model: values.model ?? "default", guard: values.guard ?? "default", modes: results },
    null,
    2,
  ) + "\n",
);
