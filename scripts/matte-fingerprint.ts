/**
 * Fingerprints of the pipeline's output: a SHA-256 of every mode's α and F on the bundled example, the person
 * photo and the items of the given evaluation datasets (downscaled as `bgmatte eval` does). A change that must
 * not alter behaviour (a refactor) leaves every hash as it was:
 *
 *   node --import tsx scripts/matte-fingerprint.ts /tmp/before.json /tmp/bgmatte-testset ../shared/data/realpairs
 *   (change the code)
 *   node --import tsx scripts/matte-fingerprint.ts /tmp/after.json  /tmp/bgmatte-testset ../shared/data/realpairs
 *   diff /tmp/before.json /tmp/after.json
 *
 * `--no-guard` turns the people guard off (for a comparison with code that did not have it).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadOpenCV } from "../src/cv/opencv.js";
import { listDataset } from "../src/eval/dataset.js";
import { resize } from "../src/image/geometry.js";
import type { FloatImage } from "../src/image/types.js";
import { writeFileAtomic } from "../src/io/atomic-write.js";
import { MODE_NAMES } from "../src/vocabulary.js";
import { createMatter, type MatteInputs } from "../src/node/matter.js";

const args = process.argv.slice(2);
// --no-guard: without the people guard (to compare with code from before it existed).
const guardPeople = args.includes("--no-guard") ? false : undefined;
const [out, ...datasets] = args.filter((a) => a !== "--no-guard");
if (!out) {
  console.error("usage: matte-fingerprint.ts <out.json> [dataset...]");
  process.exit(2);
}
const root = join(import.meta.dirname, "..");
const raw = (im: FloatImage) => ({ data: im.data, width: im.width, height: im.height, channels: 3 as const });
const items: { name: string; load: () => Promise<MatteInputs> }[] = [
  {
    name: "example",
    load: async () => ({
      image: join(root, "examples/studio/photo.jpg"),
      plate: join(root, "examples/studio/plate.jpg"),
    }),
  },
];
const person = join(root, "..", "shared", "data", "person");
if (existsSync(person))
  items.push({
    name: "person",
    load: async () => ({ image: join(person, "0001_img.png"), plate: join(person, "back.png") }),
  });
const cv = await loadOpenCV();
for (const dir of datasets) {
  for (const source of listDataset(cv, dir, { pair: "a" })) {
    items.push({
      name: `${dir}/${source.name}`,
      load: async () => {
        const item = await source.load();
        const scale = Math.min(1, 1024 / Math.max(item.image.width, item.image.height));
        const w = Math.round(item.image.width * scale);
        const h = Math.round(item.image.height * scale);
        return { image: raw(resize(item.image, w, h)), plate: raw(resize(item.plate, w, h)) };
      },
    });
  }
}
const hash = (im: FloatImage) =>
  createHash("sha256")
    .update(Buffer.from(im.data.buffer, im.data.byteOffset, im.data.byteLength))
    .digest("hex");
const fingerprints: Record<string, Record<string, { alpha: string; foreground: string }>> = {};
for (const mode of MODE_NAMES) {
  const matter = await createMatter({ mode, threads: 1, guardPeople });
  fingerprints[mode] = {};
  for (const item of items) {
    const r = await matter.matte(await item.load());
    fingerprints[mode][item.name] = { alpha: hash(r.alpha), foreground: hash(r.foreground) };
    console.log(`${mode} ${item.name} ${fingerprints[mode][item.name].alpha.slice(0, 12)}`);
  }
  await matter.dispose();
}
await writeFileAtomic(out, JSON.stringify(fingerprints, null, 2) + "\n");
