import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { BgmatteError } from "../src/errors.js";
import { decodeImage } from "../src/image/codec-node.js";
import { tempDir } from "./fixtures.js";

const dir = tempDir();
const gradient = Buffer.alloc(16 * 8 * 3);
for (let i = 0; i < gradient.length; i++) gradient[i] = (i * 7) % 256;
const rgbPng = await sharp(gradient, { raw: { width: 16, height: 8, channels: 3 } })
  .png()
  .toBuffer();

async function rejects(
  source: Parameters<typeof decodeImage>[0],
  code: string,
  pattern: RegExp,
  maxPixels?: number,
) {
  await assert.rejects(decodeImage(source, "photo", maxPixels), (e: unknown) => {
    assert.ok(e instanceof BgmatteError, `not a BgmatteError: ${e}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    assert.ok(e.hint.length > 0, "every error says what to do");
    return true;
  });
}

test("a missing file is named, with what to do", () =>
  rejects(join(dir, "nope.png"), "INPUT_NOT_FOUND", /nope\.png.*does not exist/));

test("a file that is not an image is refused", () => {
  const p = join(dir, "notes.png");
  writeFileSync(p, "this is text, not a PNG");
  return rejects(p, "INPUT_UNREADABLE", /cannot read the photo/);
});

test("a truncated image is refused", () => {
  const p = join(dir, "truncated.jpg");
  const jpeg = readFileSync(join(import.meta.dirname, "..", "examples", "studio", "photo.jpg"));
  writeFileSync(p, jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  return rejects(p, "INPUT_UNREADABLE", /truncated|premature|cannot read/i);
});

test("zero-sized raw pixels and over-limit images are refused with their sizes", async () => {
  await rejects({ data: new Uint8Array(0), width: 0, height: 10, channels: 3 }, "INPUT_EMPTY", /0×10/);
  await rejects(rgbPng, "INPUT_TOO_LARGE", /16×8.*over the limit/, 100);
});

test("raw pixels with the wrong length are refused", () =>
  rejects(
    { data: new Uint8Array(10), width: 4, height: 4, channels: 3 },
    "INPUT_UNREADABLE",
    /48 were expected/,
  ));

test("greyscale, 16-bit, palette, CMYK and alpha images all become 8-bit RGB", async () => {
  const grey = await sharp(gradient, { raw: { width: 16, height: 8, channels: 3 } })
    .greyscale()
    .png()
    .toBuffer();
  const sixteen = await sharp(gradient, { raw: { width: 16, height: 8, channels: 3 } })
    .png()
    .toColourspace("rgb16")
    .toBuffer();
  const palette = await sharp(rgbPng).png({ palette: true, colours: 8 }).toBuffer();
  const cmyk = await sharp(rgbPng).toColourspace("cmyk").jpeg().toBuffer();
  const rgba = await sharp(rgbPng).ensureAlpha(0.5).png().toBuffer();
  for (const [name, buf] of Object.entries({ grey, sixteen, palette, cmyk, rgba })) {
    const im = await decodeImage(buf, name);
    assert.equal(im.channels, 3, name);
    assert.equal(im.width, 16, name);
    assert.equal(im.height, 8, name);
    for (const v of im.data) assert.ok(v >= 0 && v <= 1, name);
  }
  const g = await decodeImage(grey);
  assert.equal(g.data[0], g.data[1]); // grey expanded to equal channels
  const s = await decodeImage(sixteen);
  const ref = await decodeImage(rgbPng);
  assert.ok(Math.abs(s.data[5] - ref.data[5]) < 2 / 255, "16-bit scaled, not clipped");
});

test("EXIF orientation is applied: a portrait-tagged landscape comes out upright", async () => {
  const tagged = await sharp(rgbPng).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const im = await decodeImage(tagged);
  assert.equal(im.width, 8);
  assert.equal(im.height, 16);
});
