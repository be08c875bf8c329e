/** The paper's clean-up: keep the main subject, and trust the photo's colour where α is opaque. */
import { largestComponents } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import type { FloatImage } from "../image/types.js";

/**
 * Zero α outside the main connected components of α > `threshold` (in place). The paper keeps only the largest;
 * we also keep any component at least `keepRatio` of its area, so that several people in one frame survive
 * while specks go.
 */
export function keepMainComponents(cv: CV, alpha: FloatImage, threshold = 0.05, keepRatio = 0.05): void {
  const { mask } = largestComponents(cv, alpha, threshold, keepRatio);
  for (let i = 0; i < alpha.data.length; i++) if (mask.data[i] === 0) alpha.data[i] = 0;
}

/** F = I where α > `threshold` (in place): the network's colours are only needed where the subject is see-through. */
export function opaqueForegroundFromImage(
  fg: FloatImage,
  image: FloatImage,
  alpha: FloatImage,
  threshold = 0.95,
): void {
  for (let p = 0; p < alpha.data.length; p++) {
    if (alpha.data[p] > threshold) {
      fg.data[3 * p] = image.data[3 * p];
      fg.data[3 * p + 1] = image.data[3 * p + 1];
      fg.data[3 * p + 2] = image.data[3 * p + 2];
    }
  }
}
