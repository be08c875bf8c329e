import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { createImage } from "../src/image/types.js";
import { DEFAULT_CLEANUP, keepMainComponents } from "../src/postprocess/cleanup.js";

test("clean-up keeps a solid detached leaf and drops a faint speck of the same size", async () => {
  const cv = await loadOpenCV();
  const W = 200,
    H = 200;
  const make = () => {
    const a = createImage(W, H, 1);
    for (let y = 40; y < 160; y++) for (let x = 40; x < 160; x++) a.data[y * W + x] = 1; // the plant
    for (let y = 10; y < 16; y++) for (let x = 170; x < 178; x++) a.data[y * W + x] = 1; // a leaf: 48 px, solid
    for (let y = 180; y < 186; y++) for (let x = 10; x < 18; x++) a.data[y * W + x] = 0.3; // a faint speck
    return a;
  };
  const a = make();
  keepMainComponents(cv, a);
  assert.equal(a.data[12 * W + 172], 1, "the leaf stays");
  assert.equal(a.data[182 * W + 12], 0, "the speck goes");
  assert.equal(a.data[100 * W + 100], 1);
  const old = make();
  keepMainComponents(cv, old, { ...DEFAULT_CLEANUP, solidShare: 0 });
  assert.equal(old.data[12 * W + 172], 0, "without the rule the leaf went too");
});
