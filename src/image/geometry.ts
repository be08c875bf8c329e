import { createImage, type FloatImage } from "./types.js";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `box` scaled by (sx, sy) to cover the same region of an image `width` × `height` (rounded outwards, clamped). */
export function scaleBox(box: Box, sx: number, sy: number, width: number, height: number): Box {
  const x0 = Math.max(0, Math.floor(box.x * sx));
  const y0 = Math.max(0, Math.floor(box.y * sy));
  const x1 = Math.min(width, Math.ceil((box.x + box.width) * sx));
  const y1 = Math.min(height, Math.ceil((box.y + box.height) * sy));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/** `box` grown by `margin` pixels on every side, clamped to an image `width` × `height`. */
export function growBox(box: Box, margin: number, width: number, height: number): Box {
  const x0 = Math.max(0, box.x - margin);
  const y0 = Math.max(0, box.y - margin);
  const x1 = Math.min(width, box.x + box.width + margin);
  const y1 = Math.min(height, box.y + box.height + margin);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The smallest box holding both `a` and `b`. */
export function spanBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** The bounding box of the pixels of a 1-channel mask above `threshold`, or null when there are none. */
export function boxOfMask(mask: FloatImage, threshold: number): Box | null {
  return boxWhere(mask.width, mask.height, (p) => mask.data[p] > threshold);
}

/** The smallest box holding every pixel `p` (of a `width` × `height` image) where `inside(p)` holds, or null. */
export function boxWhere(width: number, height: number, inside: (p: number) => boolean): Box | null {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0, p = 0; y < height; y++)
    for (let x = 0; x < width; x++, p++)
      if (inside(p)) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function crop(image: FloatImage, box: Box): FloatImage {
  const out = createImage(box.width, box.height, image.channels);
  const rowLen = box.width * image.channels;
  for (let y = 0; y < box.height; y++) {
    const src = ((box.y + y) * image.width + box.x) * image.channels;
    out.data.set(image.data.subarray(src, src + rowLen), y * rowLen);
  }
  return out;
}

/** Copy `patch` into `target` at (box.x, box.y), in place. */
export function paste(target: FloatImage, patch: FloatImage, box: Box): void {
  const rowLen = patch.width * patch.channels;
  for (let y = 0; y < patch.height; y++) {
    const dst = ((box.y + y) * target.width + box.x) * target.channels;
    target.data.set(patch.data.subarray(y * rowLen, (y + 1) * rowLen), dst);
  }
}

/** Weights of a separable triangle filter; widened when shrinking so that downscaling averages (no aliasing). */
function resampleWeights(
  inSize: number,
  outSize: number,
): { start: Int32Array; count: Int32Array; w: Float32Array; taps: number } {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float32Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.floor(center - support + 1));
    const hi = Math.min(inSize - 1, Math.ceil(center + support - 1));
    let sum = 0;
    let k = 0;
    for (let i = lo; i <= hi && k < taps; i++, k++) {
      const v = Math.max(0, 1 - Math.abs(i - center) / support);
      w[o * taps + k] = v;
      sum += v;
    }
    if (sum === 0) {
      // Degenerate (upscaling from one pixel): take the nearest source pixel.
      w[o * taps] = 1;
      start[o] = Math.min(inSize - 1, Math.max(0, Math.round(center)));
      count[o] = 1;
      continue;
    }
    for (let j = 0; j < k; j++) w[o * taps + j] /= sum;
    start[o] = lo;
    count[o] = k;
  }
  return { start, count, w, taps };
}

/** Anti-aliased bilinear resize (triangle filter), any number of channels. */
export function resize(image: FloatImage, width: number, height: number): FloatImage {
  if (width === image.width && height === image.height) return image;
  // Enlarging on both axes, the triangle filter is bilinear interpolation with half-pixel centres: the routine that
  // blends whole rows computes it faster (a live frame enlarges several masks to the camera's size).
  if (width >= image.width && height >= image.height) return upsampleBilinear(image, width, height);
  const c = image.channels;
  const src = image.data;
  const hx = resampleWeights(image.width, width);
  const { start: xs, count: xn, w: xw, taps: xTaps } = hx;
  const tmp = createImage(width, image.height, c).data;
  for (let y = 0; y < image.height; y++) {
    const row = y * image.width * c;
    for (let x = 0; x < width; x++) {
      const s = row + xs[x] * c;
      const n = xn[x];
      const wk = x * xTaps;
      const d = (y * width + x) * c;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += xw[wk + k] * src[s + k * c + ch];
        tmp[d + ch] = acc;
      }
    }
  }
  const hy = resampleWeights(image.height, height);
  const out = createImage(width, height, c);
  const dst = out.data;
  const rowLen = width * c;
  for (let y = 0; y < height; y++) {
    const s = hy.start[y];
    const n = hy.count[y];
    const d = y * rowLen;
    for (let k = 0; k < n; k++) {
      const wk = hy.w[y * hy.taps + k];
      const from = (s + k) * rowLen;
      for (let i = 0; i < rowLen; i++) dst[d + i] += wk * tmp[from + i];
    }
  }
  return out;
}

/** Size with the same aspect whose longer side is `longSide`, both sides rounded to a multiple of `multiple`. */
export function fitSize(
  width: number,
  height: number,
  longSide: number,
  multiple: number,
): { width: number; height: number } {
  const scale = longSide / Math.max(width, height);
  const round = (v: number) => Math.max(multiple, Math.round((v * scale) / multiple) * multiple);
  return { width: round(width), height: round(height) };
}

/** Source indices and weights of bilinear upsampling from `src` to `dst` samples (PyTorch align_corners=False). */
export function bilinearTaps(src: number, dst: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const w = new Float32Array(dst);
  const scale = src / dst;
  for (let x = 0; x < dst; x++) {
    const s = Math.max(0, (x + 0.5) * scale - 0.5);
    const f = Math.min(Math.floor(s), src - 1);
    i0[x] = f;
    i1[x] = Math.min(f + 1, src - 1);
    w[x] = f < src - 1 ? s - f : 0;
  }
  return { i0, i1, w };
}

/**
 * The box where `upsampleBilinear(mask, width, height)` is above 0, found from the mask's own (small) box: a
 * non-negative mask's enlargement is positive exactly where a tap with weight lands inside the mask.
 */
export function upsampledBox(mask: FloatImage, width: number, height: number): Box | null {
  const low = boxOfMask(mask, 0);
  if (!low) return null;
  const [x0, x1] = tapsReaching(bilinearTaps(mask.width, width), low.x, low.x + low.width - 1);
  const [y0, y1] = tapsReaching(bilinearTaps(mask.height, height), low.y, low.y + low.height - 1);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** First and last output sample with a tap on a source sample in [lo, hi] (the left tap always weighs > 0). */
function tapsReaching(
  t: { i0: Int32Array; i1: Int32Array; w: Float32Array },
  lo: number,
  hi: number,
): [number, number] {
  const reaches = (x: number) =>
    (t.i0[x] >= lo && t.i0[x] <= hi) || (t.w[x] > 0 && t.i1[x] >= lo && t.i1[x] <= hi);
  let first = 0;
  while (!reaches(first)) first++;
  let last = t.i0.length - 1;
  while (!reaches(last)) last--;
  return [first, last];
}

/**
 * Bilinear upsampling with half-pixel centres (the refiner's training used exactly this, PyTorch's default) to
 * width × height; only `region` of that result when given (a box within it).
 */
export function upsampleBilinear(
  m: FloatImage,
  width: number,
  height: number,
  region: Box = { x: 0, y: 0, width, height },
): FloatImage {
  const xt = bilinearTaps(m.width, width);
  const yt = bilinearTaps(m.height, height);
  const out = createImage(region.width, region.height, m.channels);
  const C = m.channels;
  const rowLen = m.width * C;
  const blended = new Float32Array(rowLen); // the two source rows mixed vertically, at source width
  const src = m.data;
  const dst = out.data;
  const { i0: xi0, i1: xi1, w: xw } = xt;
  const [x0, x1] = [region.x, region.x + region.width];
  for (let y = region.y; y < region.y + region.height; y++) {
    const r0 = yt.i0[y] * rowLen;
    const r1 = yt.i1[y] * rowLen;
    const wy = yt.w[y];
    for (let i = 0; i < rowLen; i++) blended[i] = src[r0 + i] + (src[r1 + i] - src[r0 + i]) * wy;
    const o = ((y - region.y) * region.width - x0) * C;
    if (C === 1) {
      // The common case (α): no channel loop.
      for (let x = x0; x < x1; x++) {
        const a = blended[xi0[x]];
        dst[o + x] = a + (blended[xi1[x]] - a) * xw[x];
      }
      continue;
    }
    for (let x = x0; x < x1; x++) {
      const a = xi0[x] * C;
      const b = xi1[x] * C;
      const wx = xw[x];
      const d = o + x * C;
      for (let ch = 0; ch < C; ch++) dst[d + ch] = blended[a + ch] + (blended[b + ch] - blended[a + ch]) * wx;
    }
  }
  return out;
}
