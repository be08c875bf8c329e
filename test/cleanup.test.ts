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

test("clean-up keeps a faint line the plate cannot explain and drops a faint speck it can", async () => {
  const cv = await loadOpenCV();
  const [W, H] = [200, 200];
  const alpha = createImage(W, H, 1);
  for (let y = 40; y < 160; y++) for (let x = 40; x < 160; x++) alpha.data[y * W + x] = 1; // the subject
  for (let y = 10; y < 30; y++) alpha.data[y * W + 175] = 0.4; // a faint line of a grid, apart from it
  for (let y = 180; y < 184; y++) for (let x = 10; x < 15; x++) alpha.data[y * W + x] = 0.4; // a speck as large
  // Only the line's pixels show what the plate cannot (in the pipeline, refine/least-alpha).
  const shown = (p: number) => p % W === 175 && p < 30 * W;
  keepMainComponents(cv, alpha, DEFAULT_CLEANUP, shown);
  assert.ok(alpha.data[20 * W + 175] > 0.3, "the line stays");
  assert.equal(alpha.data[182 * W + 12], 0, "the speck goes");
  const without = createImage(W, H, 1);
  without.data.set(alpha.data);
  for (let y = 10; y < 30; y++) without.data[y * W + 175] = 0.4;
  keepMainComponents(cv, without, DEFAULT_CLEANUP);
  assert.equal(without.data[20 * W + 175], 0, "without the test the line went too");
});
