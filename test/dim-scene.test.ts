import assert from "node:assert/strict";
import { test } from "node:test";
import { brighten, dimSceneGain, restoreForeground } from "../src/align/dim-scene.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { stillMotionCues } from "../src/prior/motion.js";
import { makeScene, meanAbsDiff } from "./fixtures.js";

/** An RGB image whose grey levels spread evenly from 0 to `top`. */
function ramp(top: number, width = 200, height = 100): FloatImage {
  const image = createImage(width, height, 3);
  for (let p = 0; p < width * height; p++)
    image.data.fill((top * p) / (width * height - 1), 3 * p, 3 * p + 3);
  return image;
}

test("a scene lit as photos usually are is left as it is; a dim one is raised to the target in quarter steps", () => {
  assert.equal(dimSceneGain(ramp(1), ramp(1)), 1);
  // Dark only a little (its brightest at 0.45): matted as it is.
  assert.equal(dimSceneGain(ramp(0.45), ramp(0.45)), 1);
  // At a fifth of the light its 99th percentile is 0.198: 0.6 / 0.198 = 3.03, in quarter steps 3; at a tenth 6.06,
  // held at 5 (the noise is raised with it).
  assert.equal(dimSceneGain(ramp(0.2), ramp(0.2)), 3);
  assert.equal(dimSceneGain(ramp(0.1), ramp(0.1)), 5);
  // A bright subject before a black backdrop is not a dim scene, nor a dim subject before a bright plate.
  assert.equal(dimSceneGain(ramp(1), ramp(0.1)), 1);
  assert.equal(dimSceneGain(ramp(0.1), ramp(1)), 1);
});

test("the foreground comes back at the photo's brightness, and as the photo's own colour where brightening clipped", () => {
  const photo = createImage(2, 1, 3);
  photo.data.set([0.1, 0.2, 0.05, 0.3, 0.1, 0.1]);
  const lit = brighten(photo, 4);
  assert.deepEqual(
    Array.from(lit.data, (v) => +v.toFixed(4)),
    [0.4, 0.8, 0.2, 1, 0.4, 0.4],
  );
  // The pipeline's F of the brightened scene: the first pixel's, and a guess where the red channel clipped.
  const foreground = { ...lit, data: Float32Array.from([0.4, 0.8, 0.2, 1, 0.5, 0.5]) };
  restoreForeground(foreground, photo, 4);
  assert.deepEqual(
    Array.from(foreground.data, (v) => +v.toFixed(4)),
    [0.1, 0.2, 0.05, 0.3, 0.1, 0.1],
  );
});

test("a dim frame with its motion cues is matted as the lit one: photo, plate and cues are brightened alike", async () => {
  const scene = makeScene(160, 120);
  const dim = (im: FloatImage) => ({ ...im, data: im.data.map((v) => 0.2 * v) });
  // A clip's cues are its neighbouring frames' grey levels: here the frame itself, still.
  const matter = await createMatter({ mode: "fast", threads: 2 });
  const lit = await matter.matteImages({
    image: scene.photo,
    plate: scene.plate,
    motion: stillMotionCues(scene.photo),
  });
  const dark = await matter.matteImages({
    image: dim(scene.photo),
    plate: dim(scene.plate),
    motion: stillMotionCues(dim(scene.photo)),
  });
  await matter.dispose();
  assert.ok(dark.meta.brightened! >= 4, `brightened ${dark.meta.brightened}`);
  const diff = meanAbsDiff(dark.alpha, lit.alpha);
  assert.ok(diff < 0.005, `mean |α − α lit| = ${diff}`);
  // Its foreground at the dim photo's brightness.
  const p = 3 * (60 * 160 + 80);
  assert.ok(Math.abs(dark.foreground.data[p] - 0.2 * lit.foreground.data[p]) < 0.02);
});
