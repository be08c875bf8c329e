/**
 * Regenerates test/golden/scene.alpha.png: the shipped model's matte of the synthetic test scene. Run it when the
 * shipped model changes on purpose (`npm run golden:update`), look at the PNG, and commit it with the model.
 */
import { writePng } from "../src/image/codec-node.js";
import { createMatter } from "../src/node/matter.js";
import { makeScene } from "../test/fixtures.js";

const scene = makeScene(160, 120);
const raw = (im: typeof scene.photo) => ({
  data: im.data,
  width: im.width,
  height: im.height,
  channels: 3 as const,
});
const matter = await createMatter({ threads: 1 });
const r = await matter.matte({ image: raw(scene.photo), plate: raw(scene.plate) });
await matter.dispose();
await writePng("test/golden/scene.alpha.png", r.alpha);
console.log("wrote test/golden/scene.alpha.png");
