/**
 * The one image type shared by Node and the browser: interleaved float32 in [0, 1], row-major.
 * RGB images have 3 channels, masks (alpha, prior) have 1, motion cues have 4.
 */
export interface FloatImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array;
}

export function createImage(width: number, height: number, channels: number, fill = 0): FloatImage {
  const data = new Float32Array(width * height * channels);
  if (fill !== 0) data.fill(fill);
  return { width, height, channels, data };
}

/** 8-bit interleaved pixels (what decoders and canvases give). */
export function fromUint8(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
): FloatImage {
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = pixels[i] / 255;
  return { width, height, channels, data };
}

/** The RGB of 8-bit RGBA pixels (a canvas's ImageData) in one pass: the live page converts every frame. */
export function rgbFromRgbaBytes(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): FloatImage {
  const out = createImage(width, height, 3);
  const O = out.data;
  for (let p = 0, i = 0, j = 0; p < width * height; p++, i += 3, j += 4) {
    O[i] = rgba[j] / 255;
    O[i + 1] = rgba[j + 1] / 255;
    O[i + 2] = rgba[j + 2] / 255;
  }
  return out;
}

export function toUint8(image: FloatImage): Uint8Array {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = image.data[i];
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return out;
}

/** RGB or RGBA in [0, 1] as canvas bytes (RGBA; opaque where the image has no α). */
export function toRgbaBytes(image: FloatImage): Uint8ClampedArray<ArrayBuffer> {
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(4 * n);
  const c = image.channels;
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < 3; k++) out[4 * p + k] = Math.round(image.data[c * p + k] * 255);
    out[4 * p + 3] = c === 4 ? Math.round(image.data[4 * p + 3] * 255) : 255;
  }
  return out;
}

/** Keep some channels (or reorder them): `selectChannels(rgba, [0, 1, 2])`. */
export function selectChannels(image: FloatImage, channels: number[]): FloatImage {
  const out = createImage(image.width, image.height, channels.length);
  const n = image.width * image.height;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < channels.length; c++)
      out.data[p * channels.length + c] = image.data[p * image.channels + channels[c]];
  }
  return out;
}

/** Stack images of the same size along the channel axis. */
export function stackChannels(images: FloatImage[]): FloatImage {
  const { width, height } = images[0];
  const total = images.reduce((s, im) => s + im.channels, 0);
  const out = createImage(width, height, total);
  const n = width * height;
  let offset = 0;
  for (const im of images) {
    if (im.width !== width || im.height !== height) throw new Error("stackChannels: sizes differ");
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < im.channels; c++) out.data[p * total + offset + c] = im.data[p * im.channels + c];
    }
    offset += im.channels;
  }
  return out;
}

/** ITU-R BT.601 luma, the grey used by the motion cues (models/contract.json "grey"). */
export function toGrey(image: FloatImage): FloatImage {
  if (image.channels === 1) return image;
  const out = createImage(image.width, image.height, 1);
  const d = image.data;
  for (let p = 0, i = 0; p < out.data.length; p++, i += image.channels) {
    out.data[p] = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  }
  return out;
}
