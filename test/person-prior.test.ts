import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeImage } from "../src/image/codec-node.js";
import { resize } from "../src/image/geometry.js";
import { segmenterPath } from "../src/network/models-node.js";
import { createNodeSegmenter } from "../src/network/session-node.js";
import { createMatter } from "../src/node/matter.js";
import { personArea, personProbability } from "../src/prior/person.js";
import { makeScene } from "./fixtures.js";

const PERSON = join(import.meta.dirname, "..", "..", "shared", "data", "person");
const havePerson = existsSync(join(PERSON, "0001_img.png"));

test(
  "the person segmenter finds the person in the real photo, and nobody in an empty room",
  { skip: !havePerson },
  async () => {
    const segmenter = await createNodeSegmenter(segmenterPath(), 2);
    const photo = resize(await decodeImage(join(PERSON, "0001_img.png"), "photo"), 512, 288);
    const plate = resize(await decodeImage(join(PERSON, "back.png"), "plate"), 512, 288);
    const onPhoto = await personProbability(segmenter, photo);
    const onPlate = await personProbability(segmenter, plate);
    assert.ok(personArea(onPhoto) > 0.1, `person area ${personArea(onPhoto)}`);
    assert.ok(personArea(onPlate) < 0.005, `person area on the empty plate ${personArea(onPlate)}`);
    // She stands left of centre (face near x 219, y 101 at 512×288): the face region is person, the sky corner is not.
    assert.ok(onPhoto.data[101 * 512 + 219] > 0.9, "face");
    assert.ok(onPhoto.data[20 * 512 + 480] < 0.1, "sky");
    await segmenter.dispose();
  },
);

test("subject auto falls back to the plate difference when there is no person; person says so", async () => {
  const scene = makeScene(320, 240);
  const auto = await createMatter({ subject: "auto", threads: 2 });
  const a = await auto.matteImages({ image: scene.photo, plate: scene.plate });
  assert.equal(a.meta.prior, "plate-difference");
  assert.ok(a.meta.personArea !== undefined && a.meta.personArea < 0.005);
  await auto.dispose();
  const person = await createMatter({ subject: "person", threads: 2 });
  const p = await person.matteImages({ image: scene.photo, plate: scene.plate });
  assert.equal(p.meta.prior, "plate-difference");
  assert.match(p.meta.warnings.join(" "), /no person found/);
  await person.dispose();
});

test("subject any never runs the segmenter", async () => {
  const scene = makeScene(160, 120);
  const any = await createMatter({ subject: "any", threads: 2 });
  const r = await any.matteImages({ image: scene.photo, plate: scene.plate });
  assert.equal(r.meta.prior, "plate-difference");
  assert.equal(r.meta.personArea, undefined);
  await any.dispose();
});

test("subject auto takes the person prior for the real person photo", { skip: !havePerson }, async () => {
  const photo = resize(await decodeImage(join(PERSON, "0001_img.png"), "photo"), 640, 360);
  const plate = resize(await decodeImage(join(PERSON, "back.png"), "plate"), 640, 360);
  const matter = await createMatter({ subject: "auto", threads: 2, mode: "fast" });
  const r = await matter.matteImages({ image: photo, plate });
  assert.equal(r.meta.prior, "person", JSON.stringify(r.meta.warnings));
  assert.ok(r.meta.personArea! > 0.1 && r.meta.personAgreement! > 0.5);
  await matter.dispose();
});
