/**
 * The image–plate difference mask is defined once per language (src/cv/plate-difference.ts here,
 * training/bgmatte_train/data/plate_difference.py for training): both suites check their side against the same
 * fixtures (test/fixtures/plate-difference: a synthetic scene with a subject, a faint shadow and a speck; and, for
 * the prior's capped threshold, a large subject over a grainy plate; the masks were made by this code).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { differenceMask } from "../src/cv/plate-difference.js";
import { decodeImage } from "../src/image/codec-node.js";
import { createImage } from "../src/image/types.js";
import { shareWhere } from "./fixtures.js";

const dir = join(import.meta.dirname, "fixtures", "plate-difference");

/** The fixture's photo and plate (`prefix` names the scene), and the number of pixels where `differenceMask` with
 * `quietCap` differs from its mask. */
async function againstFixture(prefix: string, quietCap: boolean) {
  const cv = await loadOpenCV();
  const [image, plate, mask] = await Promise.all(
    ["image", "plate", "mask"].map((n) => decodeImage(join(dir, `${prefix}${n}.png`))),
  );
  const m = differenceMask(cv, image, plate, quietCap);
  let differ = 0;
  for (let p = 0; p < m.mask.data.length; p++) if (m.mask.data[p] !== mask.data[3 * p]) differ++;
  return { cv, image, plate, m, differ };
}

test("the difference mask matches the fixture both languages share, pixel for pixel", async () => {
  const { image, m, differ } = await againstFixture("", false);
  assert.equal(differ, 0, `${differ} pixels differ from the shared fixture`);
  assert.ok(m.mask.data.reduce((a, b) => a + b, 0) > 2000, "the subject is found");
  assert.equal(m.mask.data[11 * image.width + 11], 0, "the speck is dropped");
});

test("the subject's box reaches thin branches that the difference mask's opening drops", async () => {
  const cv = await loadOpenCV();
  const W = 256,
    H = 256;
  const plate = createImage(W, H, 3, 0.5);
  const image = createImage(W, H, 3, 0.5);
  const paint = (x: number, y: number) => image.data.set([0.9, 0.2, 0.2], 3 * (y * W + x));
  for (let y = 100; y < 160; y++) for (let x = 100; x < 160; x++) paint(x, y); // the body
  // A thin, faint branch to the right, 30 px long: after the blur only its centre line passes the threshold.
  for (let x = 160; x < 190; x++) image.data.set([0.7, 0.5, 0.5], 3 * (130 * W + x));
  const m = differenceMask(cv, image, plate);
  assert.equal(m.mask.data[130 * W + 185], 0, "the opening drops the branch from the mask");
  // Without the reach the box ended at the body (x 159); the blur fades the tip's last pixels (x 189).
  assert.ok(m.box && m.box.x + m.box.width - 1 >= 185, `box ${JSON.stringify(m.box)} reaches the branch`);
  assert.ok(m.box && m.box.x <= 100 && m.box.y <= 100);
});

test("the prior's box reaches a head a few grey levels off the wall, which the mask leaves out", async () => {
  const cv = await loadOpenCV();
  const W = 256,
    H = 256;
  const grain = (x: number, y: number, c: number) =>
    ((((x * 7919 + y * 104729 + c * 65537) ^ (x * y)) % 29) / 28 - 0.5) * 0.02;
  const plate = createImage(W, H, 3);
  const image = createImage(W, H, 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const wall = [0.8, 0.7, 0.55].map((v, c) => v + grain(x, y, c));
      const p = 3 * (y * W + x);
      plate.data.set(wall, p);
      const body = x >= 100 && x < 160 && y >= 120 && y < 200;
      // The head departs from the wall by 0.025 in red and −0.015 in blue: under the mask's threshold of 0.06.
      const head = x >= 110 && x < 150 && y >= 50 && y < 120;
      image.data.set(body ? [0.2, 0.3, 0.7] : head ? wall.map((v, c) => v + [0.025, 0, -0.015][c]) : wall, p);
    }
  const prior = differenceMask(cv, image, plate, true);
  assert.equal(prior.mask.data[80 * W + 130], 0, "the head is not in the mask");
  assert.ok(prior.box && prior.box.y <= 55, `box ${JSON.stringify(prior.box)} reaches the head`);
  const plain = differenceMask(cv, image, plate);
  assert.ok(
    plain.box && plain.box.y >= 110,
    `without the faint difference the box ${JSON.stringify(plain.box)} crops it`,
  );
});

test("a subject covering most of the frame over a grainy plate is found by the prior's capped threshold", async () => {
  // The fixture's grain differs between the two shots (noise on a rough surface), and the subject, 0.1 brighter than
  // the plate, covers 60 % of the frame (x 40–215, y ≥ 25): the plain rule's median and spread come from it.
  const { cv, image, plate, m, differ } = await againstFixture("grainy-", true);
  assert.equal(differ, 0, `${differ} pixels differ from the shared fixture`);
  const inSubject = (x: number, y: number) => x >= 40 && x < 216 && y >= 25;
  const found = shareWhere(m.mask.data, image.width, inSubject, (v) => v > 0);
  const flagged = shareWhere(
    m.mask.data,
    image.width,
    (x, y) => !inSubject(x, y),
    (v) => v > 0,
  );
  assert.ok(found > 0.95 && flagged < 0.01, `capped: ${found} of the subject found, ${flagged} of the rest`);
  const plain = differenceMask(cv, image, plate);
  const missed = shareWhere(plain.mask.data, image.width, inSubject, (v) => v === 0);
  assert.ok(missed > 0.5, `the plain rule (threshold ${plain.threshold}) misses ${missed} of it`);
});
