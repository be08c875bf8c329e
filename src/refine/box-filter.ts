import { createImage, type FloatImage } from "../image/types.js";

/** Mean over a (2r+1)² window, per channel, normalised by the pixels inside the image at the borders. */
export function boxFilter(image: FloatImage, r: number): FloatImage {
  const { width: w, height: h, channels: c } = image;
  const tmp = createImage(w, h, c);
  // Horizontal running sums.
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let ch = 0; ch < c; ch++) {
      let acc = 0;
      for (let x = 0; x <= Math.min(r, w - 1); x++) acc += image.data[row + x * c + ch];
      for (let x = 0; x < w; x++) {
        const lo = Math.max(0, x - r);
        const hi = Math.min(w - 1, x + r);
        tmp.data[row + x * c + ch] = acc / (hi - lo + 1);
        if (x + r + 1 < w) acc += image.data[row + (x + r + 1) * c + ch];
        if (x - r >= 0) acc -= image.data[row + (x - r) * c + ch];
      }
    }
  }
  // Vertical running sums, whole rows at a time.
  const out = createImage(w, h, c);
  const rowLen = w * c;
  const acc = new Float64Array(rowLen);
  for (let y = 0; y <= Math.min(r, h - 1); y++)
    for (let i = 0; i < rowLen; i++) acc[i] += tmp.data[y * rowLen + i];
  for (let y = 0; y < h; y++) {
    const n = Math.min(h - 1, y + r) - Math.max(0, y - r) + 1;
    for (let i = 0; i < rowLen; i++) out.data[y * rowLen + i] = acc[i] / n;
    if (y + r + 1 < h) for (let i = 0; i < rowLen; i++) acc[i] += tmp.data[(y + r + 1) * rowLen + i];
    if (y - r >= 0) for (let i = 0; i < rowLen; i++) acc[i] -= tmp.data[(y - r) * rowLen + i];
  }
  return out;
}
