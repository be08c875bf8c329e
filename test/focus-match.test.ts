import assert from "node:assert/strict";
import { test } from "node:test";
import { measureFocus } from "../src/align/focus-match.js";
import { mattedOutside } from "../src/eval/metrics.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { gaussianBlur } from "../src/cv/mask-ops.js";
import { shrinkImage } from "../src/cv/shrink.js";
import type { FloatImage } from "../src/image/types.js";
import { createMatter } from "../src/node/matter.js";
import { texturedScene, withNoise } from "./fixtures.js";

const [W, H] = [480, 320];
const cv = await loadOpenCV();

/** The textured room with its subject disc, the room behind the disc seen through `background`. */
function shot(background: FloatImage, subject: FloatImage): FloatImage {
  const image = { ...background, data: Float32Array.from(background.data) };
  for (let p = 0; p < W * H; p++) if (subject.data[p] > 0) image.data.set([0.9, 0.2, 0.3], 3 * p);
  return image;
}

const focusOf = (image: FloatImage, plate: FloatImage) =>
  measureFocus(cv, image, { image: plate, exposure: null }, shrink(image), shrink(plate));
const shrink = (im: FloatImage) => shrinkImage(cv, im, 240, 160);

test("a plate sharper than the photo's background is blurred to its focus, a blurrier one sharpened; one as sharp is left", () => {
  const { plate, subject } = texturedScene(W, H, 5);
  // The camera focused on the subject: the room behind it σ 1.5 softer than in the plate.
  const soft = focusOf(shot(gaussianBlur(cv, plate, 1.5), subject), plate);
  assert.ok(soft.plateBlur >= 1.25 && soft.plateBlur <= 2, `σ ${soft.plateBlur}`);
  assert.equal(soft.plateSharpened, 0);
  // The plate blurrier than the photo (shaken): sharpened by the blur it took.
  const shaken = focusOf(shot(plate, subject), gaussianBlur(cv, plate, 1.5));
  assert.equal(shaken.plateBlur, 0);
  assert.ok(shaken.plateSharpened >= 1.25 && shaken.plateSharpened <= 2, `σ ${shaken.plateSharpened}`);
  // Neither, where the two differ only by noise.
  for (const [image, other] of [
    [withNoise(shot(plate, subject), 7.65, 1), plate],
    [shot(plate, subject), withNoise(plate, 7.65, 2)],
  ]) {
    const { plateBlur, plateSharpened } = focusOf(image, other);
    assert.deepEqual([plateBlur, plateSharpened], [0, 0]);
  }
});

test("a photo focused on its subject, or a shaken plate, is matted without specks of the room", async () => {
  const { plate, subject } = texturedScene(W, H, 9);
  const matter = await createMatter({ mode: "balanced", threads: 2, align: "off" });
  const cases = [
    { image: shot(gaussianBlur(cv, plate, 1.5), subject), plate, blur: 1.5, sharpened: undefined },
    { image: shot(plate, subject), plate: gaussianBlur(cv, plate, 1.5), blur: undefined, sharpened: 1.5 },
  ];
  // The room more than 6 px from the disc: background, however sharper or softer its edges are in the plate.
  const nearDisc = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      nearDisc[y * W + x] = Math.hypot(x - W * 0.5, y - H * 0.55) > H * 0.25 + 6 ? 0 : 1;
  for (const { image, plate, blur, sharpened } of cases) {
    const { alpha, meta } = await matter.matteImages({ image, plate });
    const specks = mattedOutside(alpha, nearDisc, 0.1);
    assert.ok(specks < 20, `${specks} pixels of the room read as subject`);
    assert.deepEqual([meta.plateBlur, meta.plateSharpened], [blur, sharpened]);
  }
});
