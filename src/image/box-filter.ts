import { createImage, type FloatImage } from "./types.js";

/** Mean over a (2r+1)² window, per channel, normalised by the pixels inside the image at the borders. */
export function boxFilter(image: FloatImage, r: number): FloatImage {
  const { width: w, height: h, channels: c, data: src } = image;
  const rowLen = w * c;
  // Vertical running sums first, whole rows at a time: contiguous loops (this runs on every live frame).
  const vertical = new Float32Array(w * h * c);
  const acc = new Float64Array(rowLen);
  for (let y = 0; y <= Math.min(r, h - 1); y++) {
    const s = y * rowLen;
    for (let i = 0; i < rowLen; i++) acc[i] += src[s + i];
  }
  for (let y = 0; y < h; y++) {
    const inv = 1 / (Math.min(h - 1, y + r) - Math.max(0, y - r) + 1);
    const d = y * rowLen;
    for (let i = 0; i < rowLen; i++) vertical[d + i] = acc[i] * inv;
    if (y + r + 1 < h) {
      const s = (y + r + 1) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += src[s + i];
    }
    if (y - r >= 0) {
      const s = (y - r) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] -= src[s + i];
    }
  }
  // Then horizontally, from each row's prefix sums (all channels of a pixel together).
  const out = createImage(w, h, c);
  const dst = out.data;
  const prefix = new Float64Array(rowLen + c);
  for (let y = 0; y < h; y++) {
    const row = y * rowLen;
    for (let i = 0; i < rowLen; i++) prefix[i + c] = prefix[i] + vertical[row + i];
    for (let x = 0; x < w; x++) {
      const lo = Math.max(0, x - r) * c;
      const hi = (Math.min(w - 1, x + r) + 1) * c;
      const inv = c / (hi - lo);
      const o = row + x * c;
      for (let ch = 0; ch < c; ch++) dst[o + ch] = (prefix[hi + ch] - prefix[lo + ch]) * inv;
    }
  }
  return out;
}

/**
 * Per pixel, the mean colour of the RGB `image` over the pixels within `r` (box) where `mask` is set (0–1 weights),
 * and their share of the window (`weight`, 0 where none is; then the mean is 0).
 */
export function maskedMean(
  image: FloatImage,
  mask: ArrayLike<number>,
  r: number,
): { mean: Float32Array; weight: Float32Array } {
  const n = image.width * image.height;
  const weighted = createImage(image.width, image.height, 4);
  for (let p = 0; p < n; p++) {
    const m = mask[p];
    if (!m) continue;
    for (let c = 0; c < 3; c++) weighted.data[4 * p + c] = image.data[3 * p + c] * m;
    weighted.data[4 * p + 3] = m;
  }
  const local = boxFilter(weighted, r).data;
  const mean = new Float32Array(3 * n);
  const weight = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const w = local[4 * p + 3];
    weight[p] = w;
    if (w > 0) for (let c = 0; c < 3; c++) mean[3 * p + c] = local[4 * p + c] / w;
  }
  return { mean, weight };
}
