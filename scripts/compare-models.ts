/**
 * Side-by-side mattes of two or more models on frames of a real clip: frame | α per model | composite per model.
 * For looking at what adaptation to a clip changed (teacher against student) or what a new model changed.
 *
 *   node --import tsx scripts/compare-models.ts --clip ../shared/data/video/vtest.avi \
 *     --models models/bm-lite.onnx,/tmp/student.onnx --frames 100,400,700 -o compare.png
 *
 * The plate is the clip's temporal median (as `bgmatte video --plate auto`).
 */
import { parseArgs } from "node:util";
import { composite, sideBySide, stackRows } from "../src/composite/composite.js";
import { writePng } from "../src/image/codec-node.js";
import { fromUint8, type FloatImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { estimateCleanPlate } from "../src/video/clean-plate.js";
import { decodeFrames, probe } from "../src/video/ffmpeg.js";

const { values } = parseArgs({
  options: {
    clip: { type: "string" },
    models: { type: "string" },
    frames: { type: "string", default: "100,400,700" },
    out: { type: "string", short: "o", default: "compare.png" },
    height: { type: "string", default: "240" },
  },
});
if (!values.clip || !values.models) {
  process.stderr.write(
    "usage: compare-models.ts --clip <video> --models <a.onnx,b.onnx> [--frames 1,2] [-o out.png]\n",
  );
  process.exit(2);
}
const wanted = values.frames!.split(",").map(Number);
const info = probe(values.clip);
const { plate } = await estimateCleanPlate(values.clip, info);
const frames: FloatImage[] = [];
let n = 0;
for await (const f of decodeFrames(values.clip, info)) {
  if (wanted.includes(n)) frames.push(fromUint8(f, info.width, info.height, 3));
  if (++n > Math.max(...wanted)) break;
}
const rows: FloatImage[][] = frames.map((f) => [f]);
const models = values.models.split(",");
for (const model of models) {
  const matter = await createMatter({ model, align: "off", threads: 2 });
  for (const [i, image] of frames.entries()) {
    const r = await matter.matteImages({ image, plate });
    rows[i].push(r.alpha, composite(r, [0, 0.69, 0.25]));
  }
  await matter.dispose();
}
const h = Number(values.height);
const sheet = stackRows(rows.map((r) => sideBySide(r, h)));
await writePng(values.out!, sheet);
process.stdout.write(
  `wrote ${values.out} (rows: frames ${wanted.join(", ")}; columns: frame, then α and composite for ${models.join(", ")})\n`,
);
