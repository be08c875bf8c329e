/**
 * The image–plate difference mask is defined once per language (src/cv/plate-difference.ts here,
 * training/bgmatte_train/data/plate_difference.py for training): both suites check their side against the same
 * fixture (test/fixtures/plate-difference: a synthetic scene with a subject, a faint shadow and a speck; the mask
 * was made by this code).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { differenceMask } from "../src/cv/plate-difference.js";
import { decodeImage } from "../src/image/codec-node.js";

const dir = join(import.meta.dirname, "fixtures", "plate-difference");

test("the difference mask matches the fixture both languages share, pixel for pixel", async () => {
  const cv = await loadOpenCV();
  const [image, plate, mask] = await Promise.all(
    ["image", "plate", "mask"].map((n) => decodeImage(join(dir, `${n}.png`))),
  );
  const m = differenceMask(cv, image, plate);
  let differ = 0;
  for (let p = 0; p < m.mask.data.length; p++) if (m.mask.data[p] !== mask.data[3 * p]) differ++;
  assert.equal(differ, 0, `${differ} pixels differ from the shared fixture`);
  assert.ok(m.mask.data.reduce((a, b) => a + b, 0) > 2000, "the subject is found");
  assert.equal(m.mask.data[11 * image.width + 11], 0, "the speck is dropped");
});
