/**
 * Near-ground-truth α from two captures of a subject on two backgrounds (Smith & Blinn 1996):
 * 1 − α = ((C_a − C_b)·(B_a − B_b)) / ‖B_a − B_b‖². The captures are noisy (background α ≈ 0.01–0.03, light
 * drift between shots), so the result is cleaned: α below `floor` is zeroed, and so is everything outside the
 * main object (largest component, grown by `reach` pixels).
 */
import { dilateMask, largestComponents, openClose } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { createImage, type FloatImage } from "../image/types.js";

export function triangulateAlpha(
  compA: FloatImage,
  compB: FloatImage,
  backA: FloatImage,
  backB: FloatImage,
): FloatImage {
  const out = createImage(compA.width, compA.height, 1);
  for (let p = 0; p < out.data.length; p++) {
    let num = 0;
    let den = 0;
    for (let c = 0; c < 3; c++) {
      const i = 3 * p + c;
      const db = backA.data[i] - backB.data[i];
      num += (compA.data[i] - compB.data[i]) * db;
      den += db * db;
    }
    // Where the two backgrounds are alike the pixel says nothing; call it background (cleaned below).
    const a = den > 1e-4 ? 1 - num / den : 0;
    out.data[p] = a < 0 ? 0 : a > 1 ? 1 : a;
  }
  return out;
}

export function cleanTriangulated(cv: CV, alpha: FloatImage, floor = 0.08, reach = 15): FloatImage {
  const out = { ...alpha, data: alpha.data.slice() };
  for (let i = 0; i < out.data.length; i++) if (out.data[i] < floor) out.data[i] = 0;
  // Opening first: speckle on dark, noisy textures would otherwise chain into one big component.
  const floored = createImage(out.width, out.height, 1);
  for (let i = 0; i < out.data.length; i++) floored.data[i] = out.data[i] > floor ? 1 : 0;
  const { mask } = largestComponents(cv, openClose(cv, floored, 2), 0.5, 1);
  // Grow the object's mask so that fine structure near it is kept; specks further away go.
  const grown = dilateMask(cv, mask, reach);
  for (let i = 0; i < out.data.length; i++) if (!grown.data[i]) out.data[i] = 0;
  return out;
}
