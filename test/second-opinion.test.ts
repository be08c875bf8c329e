import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { createImage, type FloatImage } from "../src/image/types.js";
import { opinionOverRegion, takeSecondOpinion, withoutEvidence } from "../src/postprocess/second-opinion.js";

const cv = await loadOpenCV();
/** The frame, and the region of it the matte covers (a crop around the subject, as in `balanced`). */
const [FW, FH] = [400, 300];
const BOX = { x: 100, y: 60, width: 200, height: 160 };
const SKIN = [0.85, 0.7, 0.6];

/** In the crop's coordinates: the subject's body, and the parts of it the matte dropped. */
const inBody = (x: number, y: number) => x >= 40 && x < 160 && y >= 20 && y < 150;
/** A torso of 60×50 px: 1 % of the frame. */
const inTorso = (x: number, y: number) => x >= 70 && x < 130 && y >= 40 && y < 90;
/** A patch of 6×6 px: a gap between leaves is this small. */
const inSpeck = (x: number, y: number) => x >= 50 && x < 56 && y >= 120 && y < 126;
/** A part the matte holds as translucent (glass): its call. */
const inGlass = (x: number, y: number) => x >= 70 && x < 130 && y >= 100 && y < 140;

function crop(alphaAt: (x: number, y: number) => number) {
  const image = createImage(BOX.width, BOX.height, 3);
  const alpha = createImage(BOX.width, BOX.height, 1);
  for (let y = 0; y < BOX.height; y++)
    for (let x = 0; x < BOX.width; x++) {
      const p = y * BOX.width + x;
      image.data.set(
        SKIN.map((v) => v * (1 - 0.001 * x)),
        3 * p,
      );
      alpha.data[p] = alphaAt(x, y);
    }
  return { image, alpha, foreground: createImage(BOX.width, BOX.height, 3) };
}

/** The second network's opinion over the whole frame. */
const WHOLE = { x: 0, y: 0, width: FW, height: FH };
const WHOLE_SEEN = { box: WHOLE, cropped: false };

/** The second network's α over the whole frame at half its size (`sure` over the body, 0 elsewhere), over the crop. */
function wholeFrame(sure: number): FloatImage {
  const other = createImage(FW / 2, FH / 2, 1);
  for (let y = 0; y < FH / 2; y++)
    for (let x = 0; x < FW / 2; x++)
      other.data[y * (FW / 2) + x] = inBody(2 * x - BOX.x, 2 * y - BOX.y) ? sure : 0;
  return opinionOverRegion({ alpha: other, ...WHOLE_SEEN }, BOX, BOX.width, BOX.height);
}

const matte = (x: number, y: number) =>
  !inBody(x, y) ? 0 : inTorso(x, y) || inSpeck(x, y) ? 0 : inGlass(x, y) ? 0.3 : 1;
const at = (a: FloatImage, x: number, y: number) => a.data[y * a.width + x];

test("a large part the matte dropped is subject where the whole-frame network is sure of it, in the photo's colour", () => {
  const s = crop(matte);
  const raised = takeSecondOpinion(cv, s.image, s.alpha, s.foreground, wholeFrame(0.95), WHOLE_SEEN);
  assert.ok(raised > 0.08, `raised ${raised}`);
  for (const [x, y] of [
    [72, 42],
    [100, 65],
    [127, 87],
  ])
    assert.ok(Math.abs(at(s.alpha, x, y) - 0.95) < 0.01, `α ${at(s.alpha, x, y)} at ${x}, ${y}`);
  const p = 65 * BOX.width + 100;
  assert.deepEqual(
    [...s.foreground.data.subarray(3 * p, 3 * p + 3)],
    [...s.image.data.subarray(3 * p, 3 * p + 3)],
  );
  // A small dropped patch stays the matte's call, and so does a translucent part and the background.
  assert.equal(at(s.alpha, 52, 122), 0);
  assert.equal(at(s.alpha, 100, 120), Math.fround(0.3));
  assert.equal(at(s.alpha, 10, 10), 0);
});

test("where the whole-frame network is unsure, the matte stays as it is", () => {
  const s = crop(matte);
  const before = s.alpha.data.slice();
  assert.equal(takeSecondOpinion(cv, s.image, s.alpha, s.foreground, wholeFrame(0.7), WHOLE_SEEN), 0);
  assert.deepEqual(s.alpha.data, before);
});

test("over a small subject's own crop, a large part the matte holds only partly is raised where it is sure", () => {
  // The torso held at 0.5 (a dark top before a dark doorway, seen by the crop network at a few pixels): over the
  // whole frame that is the matte's call; over the subject's own crop, the second network is sure of it.
  const partly = (x: number, y: number) => (inTorso(x, y) ? 0.5 : matte(x, y));
  const whole = crop(partly);
  assert.equal(
    takeSecondOpinion(cv, whole.image, whole.alpha, whole.foreground, wholeFrame(0.95), WHOLE_SEEN),
    0,
  );
  const small = crop(partly);
  const raised = takeSecondOpinion(cv, small.image, small.alpha, small.foreground, wholeFrame(0.95), {
    box: BOX,
    cropped: true,
  });
  assert.ok(raised > 0.08, `raised ${raised}`);
  assert.ok(Math.abs(at(small.alpha, 100, 65) - 0.95) < 0.01, `α ${at(small.alpha, 100, 65)}`);
  // A small dropped patch stays the matte's call (the least area is a share of what the second network saw), and so
  // does the background.
  assert.equal(at(small.alpha, 52, 122), 0);
  assert.equal(at(small.alpha, 10, 10), 0);
});

test("a large part held only partly where the photo gives the solve nothing to read is raised where it is sure", () => {
  // The torso held at 0.5 over the whole frame: skin before a plain wall a shade off its colour, where the solve's α
  // is a guess. Over a textured plate, or one the photo clearly differs from (glass before a dark wall), the matte's
  // partial α is evidence and stays.
  const partly = (x: number, y: number) => (inTorso(x, y) ? 0.5 : matte(x, y));
  const plateOf = (colourAt: (x: number, y: number) => number[]) => {
    const plate = createImage(BOX.width, BOX.height, 3);
    for (let y = 0; y < BOX.height; y++)
      for (let x = 0; x < BOX.width; x++) plate.data.set(colourAt(x, y), 3 * (y * BOX.width + x));
    return plate;
  };
  const wall = plateOf(() => SKIN.map((v) => v - 0.04));
  const textured = plateOf((x, y) => SKIN.map((v) => v - 0.04 + ((x + y) % 2 ? 0.08 : -0.08)));
  const dark = plateOf(() => [0.2, 0.2, 0.2]);
  const raisedOver = (plate: FloatImage, sure = 0.95) => {
    const s = crop(partly);
    const plain = withoutEvidence(cv, s.image, { image: plate, exposure: null });
    const raised = takeSecondOpinion(cv, s.image, s.alpha, s.foreground, wholeFrame(sure), WHOLE_SEEN, plain);
    return {
      raised,
      torso: at(s.alpha, 100, 65),
      speck: at(s.alpha, 52, 122),
      background: at(s.alpha, 10, 10),
    };
  };
  const plainWall = raisedOver(wall);
  assert.ok(plainWall.raised > 0.08, `raised ${plainWall.raised}`);
  assert.ok(Math.abs(plainWall.torso - 0.95) < 0.01, `α ${plainWall.torso}`);
  assert.equal(plainWall.speck, 0);
  assert.equal(plainWall.background, 0);
  for (const plate of [textured, dark]) assert.equal(raisedOver(plate).torso, 0.5);
  // There the second network is heeded from a lower α than elsewhere.
  assert.ok(Math.abs(raisedOver(wall, 0.7).torso - 0.7) < 0.01, `α ${raisedOver(wall, 0.7).torso}`);
  assert.equal(raisedOver(wall, 0.5).torso, 0.5);
});
