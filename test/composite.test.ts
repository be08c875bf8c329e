import assert from "node:assert/strict";
import { test } from "node:test";
import {
  composite,
  compositeOnRgbaBytes,
  cover,
  foregroundRgba,
  parseColour,
  sideBySide,
} from "../src/composite/composite.js";
import { createImage, fromUint8, rgbFromRgbaBytes, selectChannels, toRgbaBytes } from "../src/image/types.js";

test("parseColour reads #rrggbb, #rgb and CSS colour names, and rejects anything else", () => {
  assert.deepEqual(parseColour("#ff0000"), [1, 0, 0]);
  assert.deepEqual(parseColour("#0f0"), [0, 1, 0]);
  assert.deepEqual(parseColour("Red"), [1, 0, 0]);
  assert.deepEqual(parseColour("white"), [1, 1, 1]);
  assert.equal(parseColour("green.png"), null);
  assert.equal(parseColour("#12345"), null);
  assert.equal(parseColour("constructor"), null); // not an inherited property of the name table
});

test("composite is α·F + (1−α)·T on a colour", () => {
  const alpha = createImage(2, 1, 1);
  alpha.data.set([1, 0.25]);
  const foreground = createImage(2, 1, 3, 0.8);
  const out = composite({ alpha, foreground }, [0, 0, 0.4]);
  assert.deepEqual(
    [...out.data].map((v) => +v.toFixed(4)),
    [0.8, 0.8, 0.8, 0.2, 0.2, 0.5],
  );
});

test("the one-pass RGBA conversions give the bytes of the float path, to within rounding", () => {
  const n = 257;
  const rgba = Uint8ClampedArray.from({ length: 4 * n }, (_, i) => (i * 37) % 256);
  const target = Uint8ClampedArray.from({ length: 4 * n }, (_, i) => (i * 91 + 7) % 256);
  assert.deepEqual(rgbFromRgbaBytes(rgba, n, 1), selectChannels(fromUint8(rgba, n, 1, 4), [0, 1, 2]));
  const alpha = createImage(n, 1, 1);
  alpha.data.set(Array.from({ length: n }, (_, p) => p / (n - 1)));
  const foreground = rgbFromRgbaBytes(rgba, n, 1);
  const fused = compositeOnRgbaBytes({ alpha, foreground }, target);
  const viaFloat = toRgbaBytes(composite({ alpha, foreground }, rgbFromRgbaBytes(target, n, 1)));
  assert.equal(fused.length, viaFloat.length);
  for (let i = 0; i < fused.length; i++) assert.ok(Math.abs(fused[i] - viaFloat[i]) <= 1, `byte ${i}`);
  assert.equal(fused[4 * (n - 1)], rgba[4 * (n - 1)]); // α = 1: the foreground
  assert.equal(fused[0], target[0]); // α = 0: the target
  assert.equal(fused[3], 255);
});

test("composite takes a colour as text too, and says what a colour looks like when it is not one", () => {
  const alpha = createImage(1, 1, 1);
  const foreground = createImage(1, 1, 3, 0.5);
  assert.deepEqual([...composite({ alpha, foreground }, "#0000ff").data], [0, 0, 1]);
  assert.deepEqual([...composite({ alpha, foreground }, "lime").data], [0, 1, 0]);
  assert.throws(() => composite({ alpha, foreground }, "gren"), /Expected a colour \("#rrggbb"/);
});

test("an image target is scaled to cover the frame, centred, and blended by α", () => {
  // A tall target whose brightness is its row (y / 40) and whose red channel is its column: scaled ×3 to cover
  // 30 × 20, then cropped to its middle rows (source rows about 16–23), all of its columns.
  const target = createImage(10, 40, 3);
  for (let y = 0; y < 40; y++)
    for (let x = 0; x < 10; x++) target.data.set([x / 10, y / 40, y / 40], 3 * (y * 10 + x));
  const c = cover(target, 30, 20);
  assert.equal(c.width, 30);
  assert.equal(c.height, 20);
  const at = (im: typeof c, x: number, y: number, ch: number) => im.data[3 * (y * im.width + x) + ch];
  assert.ok(at(c, 15, 0, 1) > 0.38 && at(c, 15, 0, 1) < 0.45, `top row ${at(c, 15, 0, 1)}`);
  assert.ok(at(c, 15, 19, 1) > 0.53 && at(c, 15, 19, 1) < 0.6, `bottom row ${at(c, 15, 19, 1)}`);
  assert.ok(at(c, 0, 10, 0) < 0.05 && at(c, 29, 10, 0) > 0.85, "every column kept, left to right");
  // α = 1 on the left half (F white), 0.25 on the right: the composite is α·F + (1 − α)·T per pixel.
  const alpha = createImage(30, 20, 1);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) alpha.data[y * 30 + x] = x < 15 ? 1 : 0.25;
  const out = composite({ alpha, foreground: createImage(30, 20, 3, 1) }, target);
  for (let i = 0; i < out.data.length; i++) {
    const a = alpha.data[Math.floor(i / 3)];
    assert.ok(Math.abs(out.data[i] - (a + (1 - a) * c.data[i])) < 1e-5, `value ${i}`);
  }
});

test("RGBA foreground carries α; previews put panels side by side", () => {
  const alpha = createImage(4, 4, 1, 0.5);
  const rgba = foregroundRgba({ alpha, foreground: createImage(4, 4, 3, 1) });
  assert.equal(rgba.channels, 4);
  assert.equal(rgba.data[3], 0.5);
  const prev = sideBySide([createImage(8, 4, 3), alpha], 8, 2);
  assert.equal(prev.height, 8);
  assert.equal(prev.width, 16 + 2 + 8);
});
