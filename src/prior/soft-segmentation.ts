/** The paper's post-processing that turns a hard mask into the rough, blurry hint S. */
import { softenMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import type { FloatImage } from "../image/types.js";

/** Counts are the paper's at 512 px; they scale with the working size so S looks the same at any size. */
export function softSegmentation(cv: CV, mask: FloatImage, threshold = 0.2): FloatImage {
  const scale = Math.max(mask.width, mask.height) / 512;
  return softenMask(cv, mask, {
    threshold,
    erode: Math.max(1, Math.round(10 * scale)),
    dilate: Math.max(1, Math.round(5 * scale)),
    blur: Math.max(3, Math.round(31 * scale)) | 1,
  });
}
