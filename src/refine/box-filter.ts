import { createImage, type FloatImage } from "../image/types.js";

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
