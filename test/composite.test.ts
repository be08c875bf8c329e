import assert from "node:assert/strict";
import { test } from "node:test";
import { composite, cover, foregroundRgba, parseColour, sideBySide } from "../src/composite/composite.js";
import { createImage } from "../src/image/types.js";

test("parseColour reads #rrggbb and #rgb and rejects anything else", () => {
  assert.deepEqual(parseColour("#ff0000"), [1, 0, 0]);
  assert.deepEqual(parseColour("#0f0"), [0, 1, 0]);
  assert.equal(parseColour("green.png"), null);
  assert.equal(parseColour("#12345"), null);
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

test("an image target is scaled to cover the frame", () => {
  const target = createImage(10, 40, 3, 0.5);
  const c = cover(target, 30, 20);
  assert.equal(c.width, 30);
  assert.equal(c.height, 20);
  const alpha = createImage(30, 20, 1);
  const out = composite({ alpha, foreground: createImage(30, 20, 3) }, target);
  for (const v of out.data) assert.ok(Math.abs(v - 0.5) < 1e-5);
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
