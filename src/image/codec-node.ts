/**
 * Decoding and encoding with sharp (Node only). Every decoded image is normalised to 8-bit sRGB RGB, upright:
 * EXIF orientation applied, greyscale / CMYK / palette / 16-bit converted, an alpha channel flattened onto black.
 */
import { extname } from "node:path";
import { access, constants, stat } from "node:fs/promises";
import sharp, { type Metadata } from "sharp";
import { BgmatteError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { DEFAULT_MAX_PIXELS } from "../options.js";
import { fromUint8, toUint8, type FloatImage } from "./types.js";

/** A file path, an encoded image in memory, raw pixels, or an image decoded before (reused as it is). */
export type ImageSource =
  | string
  | Buffer
  | Uint8Array
  | {
      data: Uint8Array | Uint8ClampedArray | Float32Array;
      width: number;
      height: number;
      channels: 1 | 3 | 4;
    }
  | FloatImage;

function describe(source: ImageSource, label: string): string {
  return typeof source === "string" ? `${label} "${source}"` : `${label} (in memory)`;
}

function unreadable(source: ImageSource, label: string, detail: string): BgmatteError {
  return new BgmatteError(
    "INPUT_UNREADABLE",
    `cannot read the ${describe(source, label)}: ${detail}`,
    "give a complete PNG, JPEG, WebP or TIFF image (re-export it if it was cut short)",
  );
}

/** Refuse an image (or a clip's frames) that is empty or larger than `maxPixels`, naming it. */
export function checkSize(
  width: number,
  height: number,
  maxPixels: number,
  source: ImageSource,
  label: string,
): void {
  if (!(width > 0 && height > 0)) {
    throw new BgmatteError(
      "INPUT_EMPTY",
      `the ${describe(source, label)} is empty (${width}×${height})`,
      "give an image with pixels in it",
    );
  }
  if (width * height > maxPixels) {
    throw new BgmatteError(
      "INPUT_TOO_LARGE",
      `the ${describe(source, label)} is ${width}×${height} = ${((width * height) / 1e6).toFixed(1)} MP, over the limit of ${(maxPixels / 1e6).toFixed(1)} MP`,
      "downscale it first, or raise the limit with --max-pixels (memory grows with it)",
    );
  }
}

function fromRaw(
  source: Exclude<ImageSource, string | Buffer | Uint8Array>,
  label: string,
  maxPixels: number,
): FloatImage {
  const { width, height, channels, data } = source;
  checkSize(width, height, maxPixels, source, label);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new BgmatteError(
      "INPUT_UNREADABLE",
      `the ${label} has ${channels} channels`,
      "pass grey (1), RGB (3) or RGBA (4) pixels",
    );
  }
  if (data.length !== width * height * channels) {
    throw new BgmatteError(
      "INPUT_UNREADABLE",
      `the ${label} has ${data.length} values but ${width}×${height}×${channels} = ${width * height * channels} were expected`,
      "pass width, height and channels that match the pixel array",
    );
  }
  const float =
    data instanceof Float32Array
      ? { width, height, channels, data }
      : fromUint8(data, width, height, channels);
  if (channels === 3) return float;
  const out = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) out[3 * p + c] = float.data[p * channels + (channels === 1 ? 0 : c)];
  }
  return { width, height, channels: 3, data: out };
}

export async function decodeImage(
  source: ImageSource,
  label = "image",
  maxPixels = DEFAULT_MAX_PIXELS,
): Promise<FloatImage> {
  if (typeof source === "object" && !(source instanceof Uint8Array) && "width" in source) {
    return fromRaw(source, label, maxPixels);
  }
  if (typeof source === "string") {
    try {
      await access(source, constants.R_OK);
    } catch {
      throw new BgmatteError(
        "INPUT_NOT_FOUND",
        `the ${label} "${source}" does not exist or cannot be read`,
        "check the path and its permissions",
      );
    }
    if ((await stat(source)).isDirectory()) {
      throw new BgmatteError(
        "INPUT_UNREADABLE",
        `the ${label} "${source}" is a directory`,
        "give an image file",
      );
    }
  }
  let meta: Metadata;
  try {
    meta = await sharp(source, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw unreadable(source, label, (e as Error).message);
  }
  checkSize(meta.width ?? 0, meta.height ?? 0, maxPixels, source, label);
  try {
    const { data, info } = await sharp(source, { limitInputPixels: false, failOn: "truncated" })
      .rotate() // apply EXIF orientation
      .flatten({ background: "#000000" })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    return fromRaw(
      { data, width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4 },
      label,
      maxPixels,
    );
  } catch (e) {
    throw unreadable(source, label, (e as Error).message);
  }
}

/**
 * Encode in the format a file name's extension names: .jpg/.jpeg (quality 92, no alpha channel), .webp (lossless),
 * anything else PNG. 1 channel → greyscale, 3 → RGB, 4 → RGBA.
 */
export async function encodeImage(image: FloatImage, name = ".png"): Promise<Buffer> {
  const encoder = sharp(toUint8(image), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 },
  });
  // sharp would widen a 1-channel buffer to RGB unless told it is greyscale.
  if (image.channels === 1) encoder.toColourspace("b-w");
  const ext = extname(name).toLowerCase() || name.toLowerCase();
  if (ext === ".jpg" || ext === ".jpeg") return encoder.jpeg({ quality: 92 }).toBuffer();
  if (ext === ".webp") return encoder.webp({ lossless: true }).toBuffer();
  return encoder.png({ compressionLevel: 6 }).toBuffer();
}

export async function encodePng(image: FloatImage): Promise<Buffer> {
  return encodeImage(image, ".png");
}

/** Write atomically, in the format of the path's extension (`encodeImage`). */
export async function writeImage(path: string, image: FloatImage): Promise<void> {
  await writeFileAtomic(path, await encodeImage(image, path));
}

export async function writePng(path: string, image: FloatImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(image));
}
