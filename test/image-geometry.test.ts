import assert from "node:assert/strict";
import { test } from "node:test";
import {
  boxOfMask,
  crop,
  fitSize,
  paste,
  resize,
  upsampleBilinear,
  upsampledBox,
} from "../src/image/geometry.js";
import { createImage, stackChannels, toGrey } from "../src/image/types.js";

test("resize keeps a constant image constant, up and down", () => {
  const im = createImage(37, 23, 3, 0.4);
  for (const [w, h] of [
    [10, 7],
    [80, 50],
    [37, 5],
  ]) {
    const out = resize(im, w, h);
    assert.equal(out.width, w);
    assert.equal(out.height, h);
    for (const v of out.data) assert.ok(Math.abs(v - 0.4) < 1e-5);
  }
});

test("downscaling averages (no aliasing): a 1-px checkerboard becomes flat grey", () => {
  const im = createImage(64, 64, 1);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) im.data[y * 64 + x] = (x + y) % 2;
  const out = resize(im, 16, 16);
  for (const v of out.data) assert.ok(Math.abs(v - 0.5) < 0.05, `got ${v}`);
});

test("fitSize keeps the aspect and rounds to the multiple", () => {
  assert.deepEqual(fitSize(1920, 1080, 512, 4), { width: 512, height: 288 });
  const s = fitSize(692, 720, 512, 4);
  assert.equal(s.height, 512);
  assert.equal(s.width % 4, 0);
});

test("crop then paste restores the image", () => {
  const im = createImage(20, 10, 3);
  im.data.forEach((_, i) => (im.data[i] = (i % 97) / 97));
  const box = { x: 3, y: 2, width: 9, height: 5 };
  const patch = crop(im, box);
  const target = createImage(20, 10, 3);
  paste(target, patch, box);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 20; x++) {
      const inside = x >= 3 && x < 12 && y >= 2 && y < 7;
      const i = (y * 20 + x) * 3;
      assert.equal(target.data[i], inside ? im.data[i] : 0);
    }
  }
});

test("grey uses BT.601 weights and stacking concatenates channels", () => {
  const im = createImage(1, 1, 3);
  im.data.set([1, 0, 0]);
  assert.ok(Math.abs(toGrey(im).data[0] - 0.299) < 1e-6);
  const st = stackChannels([toGrey(im), im]);
  assert.equal(st.channels, 4);
  assert.deepEqual(
    [...st.data].map((v) => +v.toFixed(3)),
    [0.299, 1, 0, 0],
  );
});

test("enlarging, resize is bilinear with half-pixel centres; a region of the enlargement is that crop of it", () => {
  const small = createImage(7, 5, 2);
  for (let i = 0; i < small.data.length; i++) small.data[i] = (i * 37) % 11;
  const [W, H] = [23, 12];
  const whole = upsampleBilinear(small, W, H);
  // The triangle filter's own weights, computed here for the middle of the picture: taps at (x + 0.5)·7/23 − 0.5.
  const sx = (11 + 0.5) * (7 / W) - 0.5;
  const sy = (6 + 0.5) * (5 / H) - 0.5;
  const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
  const at = (x: number, y: number) => small.data[(y * 7 + x) * 2];
  const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * (sx - x0);
  const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * (sx - x0);
  assert.ok(Math.abs(whole.data[(6 * W + 11) * 2] - (top + (bottom - top) * (sy - y0))) < 1e-5);
  const resized = resize(small, W, H);
  for (let i = 0; i < whole.data.length; i++) assert.ok(Math.abs(resized.data[i] - whole.data[i]) < 1e-5);
  const box = { x: 5, y: 3, width: 9, height: 7 };
  assert.deepEqual(upsampleBilinear(small, W, H, box).data, crop(whole, box).data);
});

test("upsampledBox is the box where a mask's bilinear enlargement is above 0", () => {
  for (const [x, y, w, h] of [
    [0, 0, 1, 1],
    [3, 2, 2, 1],
    [6, 4, 1, 1],
    [2, 1, 4, 3],
  ]) {
    const mask = createImage(7, 5, 1);
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) mask.data[yy * 7 + xx] = 1;
    for (const [W, H] of [
      [23, 12],
      [7, 5],
      [64, 36],
    ])
      assert.deepEqual(
        upsampledBox(mask, W, H),
        boxOfMask(upsampleBilinear(mask, W, H), 0),
        `${[x, y, w, h]} → ${W}×${H}`,
      );
  }
  assert.equal(upsampledBox(createImage(7, 5, 1), 23, 12), null);
});
