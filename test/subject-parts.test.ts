import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import type { Box } from "../src/image/geometry.js";
import { createImage } from "../src/image/types.js";
import { separateParts } from "../src/prior/subject-parts.js";

const cv = await loadOpenCV();
const [W, H] = [512, 384];
/** A rough mask at analysis size with these boxes set. */
const maskOf = (...boxes: Box[]) => {
  const m = createImage(W, H, 1);
  for (const b of boxes)
    for (let y = b.y; y < b.y + b.height; y++) m.data.fill(1, y * W + b.x, y * W + b.x + b.width);
  return m;
};
// The frame is the analysis size; a crop's margin is a tenth of its longer side; its network scale is that of a
// 512-px working size that enlarges small crops to 256.
const toFrame = (b: Box) => {
  const m = Math.round(0.1 * Math.max(b.width, b.height));
  const x = Math.max(0, b.x - m);
  const y = Math.max(0, b.y - m);
  return { x, y, width: Math.min(W, b.x + b.width + m) - x, height: Math.min(H, b.y + b.height + m) - y };
};
const scaleOf = (b: Box) => Math.min(512, Math.max(256, b.width, b.height)) / Math.max(b.width, b.height);
const whole = { x: 0, y: 0, width: W, height: H };

test("walkers far apart are matted apart, the largest first; what lies close together stays one crop", () => {
  const a = { x: 40, y: 100, width: 30, height: 80 };
  const b = { x: 300, y: 150, width: 40, height: 100 };
  const parts = separateParts(cv, maskOf(a, b), toFrame, scaleOf, whole);
  assert.deepEqual(parts, [toFrame(b), toFrame(a)]);
  // A couple walking side by side (their crops' margins meet) is one part.
  const c = { x: 74, y: 100, width: 30, height: 80 };
  const pairs = separateParts(cv, maskOf(a, b, c), toFrame, scaleOf, whole);
  assert.equal(pairs.length, 2);
  assert.ok(
    pairs.some((p) => p.x <= a.x && p.x + p.width >= c.x + c.width),
    JSON.stringify(pairs),
  );
});

test("a large subject with a detached piece, or parts the crop already sees large, stay one crop", () => {
  // A plant and a leaf cut off from it: the parts would cover most of the crop.
  const plant = { x: 100, y: 50, width: 250, height: 300 };
  const leaf = { x: 420, y: 100, width: 20, height: 20 };
  assert.deepEqual(separateParts(cv, maskOf(plant, leaf), toFrame, scaleOf, whole), [whole]);
  // Two parts far apart whose own crops would be seen at the whole crop's scale (a network input as large as the
  // frame) gain nothing from being matted apart.
  const a = { x: 10, y: 10, width: 20, height: 40 };
  const b = { x: 450, y: 300, width: 20, height: 40 };
  assert.deepEqual(
    separateParts(cv, maskOf(a, b), toFrame, () => 1, whole),
    [whole],
  );
  // One part alone is the subject's crop.
  assert.deepEqual(separateParts(cv, maskOf(a), toFrame, scaleOf, whole), [whole]);
});
