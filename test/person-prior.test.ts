import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeImage } from "../src/image/codec-node.js";
import { resize } from "../src/image/geometry.js";
import { loadOpenCV } from "../src/cv/opencv.js";
import { contractPath, resolveModel, segmenterPath } from "../src/network/models-node.js";
import type { SegmenterNetwork } from "../src/network/network.js";
import { createNodeNetwork, createNodeSegmenter } from "../src/network/session-node.js";
import { matterOptionsSchema, parseOptions } from "../src/options.js";
import { PlateCache, runPipeline, type MatteResult } from "../src/pipeline.js";
import { createMatter } from "../src/node/matter.js";
import { choosePrior } from "../src/prior/choose-prior.js";
import { personArea, personProbability, segmenterSide } from "../src/prior/person.js";
import { fromNCHW, toNCHW } from "../src/network/contract.js";
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

test(
  "the segmenter sees a live frame at 160 px, not stretched to 256, and finds the same person",
  { skip: !havePerson },
  async () => {
    const segmenter = await createNodeSegmenter(segmenterPath(), 2);
    const frame = resize(await decodeImage(join(PERSON, "0001_img.png"), "photo"), 128, 72); // a live frame's analysis size
    assert.equal(segmenterSide(segmenter, frame), 160);
    assert.equal(segmenterSide(segmenter, resize(frame, 512, 288)), 256);
    const atSide = async (side: number) => {
      const out = await segmenter.run(toNCHW(resize(frame, side, side)));
      assert.deepEqual(out.dims, [1, 1, side, side]);
      return resize(fromNCHW(out), frame.width, frame.height).data;
    };
    const [small, full] = [await atSide(160), await atSide(256)];
    const iou = (t: number) => {
      let [both, either] = [0, 0];
      for (let p = 0; p < small.length; p++) {
        both += +(small[p] > t && full[p] > t);
        either += +(small[p] > t || full[p] > t);
      }
      return both / either;
    };
    assert.ok(iou(0.5) > 0.9 && iou(0.9) > 0.9, `IoU ${iou(0.5)}, sure interior ${iou(0.9)}`);
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

test("subject any keeps the plate difference as S; the segmenter runs only for the people guard", async () => {
  const scene = makeScene(160, 120);
  const any = await createMatter({ subject: "any", threads: 2, guardPeople: false });
  const r = await any.matteImages({ image: scene.photo, plate: scene.plate });
  assert.equal(r.meta.prior, "plate-difference");
  assert.equal(r.meta.personArea, undefined);
  await any.dispose();
  const guarded = await createMatter({ subject: "any", threads: 2 }); // balanced: the guard is on
  const g = await guarded.matteImages({ image: scene.photo, plate: scene.plate });
  assert.equal(g.meta.prior, "plate-difference");
  assert.ok(g.meta.personArea !== undefined && g.meta.personArea < 0.005, "no person in an empty room");
  assert.deepEqual(g.alpha.data, r.alpha.data); // and so nothing forced
  await guarded.dispose();
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

test("guardPeople runs the segmenter with subject any and only ever adds opacity inside the person", async () => {
  // A subject whose middle has exactly the wall's colour: the plate difference cannot see it there.
  const W = 240,
    H = 180;
  const scene = makeScene(W, H, 2);
  const [cx, cy] = [W * 0.5, H * 0.55];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (Math.hypot((x - cx) / 22, (y - cy) / 30) < 1)
        for (let c = 0; c < 3; c++)
          scene.photo.data[3 * (y * W + x) + c] = scene.plate.data[3 * (y * W + x) + c];
  // A stand-in segmenter that sees a person exactly where the subject is (the scene's true α).
  const segmenter: SegmenterNetwork = {
    size: 256,
    run: async (input) => {
      const truth = resize(scene.alpha, 256, 256);
      assert.deepEqual(input.dims, [1, 3, 256, 256]);
      return { data: truth.data, dims: [1, 1, 256, 256] };
    },
    dispose: async () => {},
  };
  const cv = await loadOpenCV();
  const model = resolveModel(undefined);
  const network = await createNodeNetwork(model.path, contractPath(), {
    threads: 2,
    device: "cpu",
    name: "m",
  });
  const options = parseOptions(matterOptionsSchema(2), {});
  const centre = (r: MatteResult) => r.alpha.data[Math.round(cy) * W + Math.round(cx)];
  const run = (guardPeople: boolean) =>
    runPipeline(
      { cv, network, segmenter, plateCache: new PlateCache() },
      { image: scene.photo, plate: scene.plate },
      { ...options, guardPeople },
    );
  const plain = await run(false);
  const guarded = await run(true);
  assert.ok(guarded.meta.personArea! > 0.03 && plain.meta.personArea === undefined);
  // The guard only adds opacity, and only inside the person; the room stays background.
  for (let p = 0; p < W * H; p++) assert.ok(guarded.alpha.data[p] >= plain.alpha.data[p]);
  assert.equal(guarded.alpha.data[5 * W + 5], plain.alpha.data[5 * W + 5]);
  assert.ok(centre(guarded) >= centre(plain));
  await network.dispose();
  // Turned off, the guard stays off when the segmenter runs for the prior itself (subject person or auto).
  const images = { image: scene.photo, plate: scene.plate };
  for (const subject of ["person", "auto"] as const) {
    assert.ok((await choosePrior(cv, images, subject, segmenter, true)).solid, subject);
    assert.equal((await choosePrior(cv, images, subject, segmenter, false)).solid, undefined, subject);
  }
});
