/**
 * Near-ground-truth α from two captures of a subject on two backgrounds (Smith & Blinn 1996):
 * 1 − α = ((C_a − C_b)·(B_a − B_b)) / ‖B_a − B_b‖². The captures are noisy (background α ≈ 0.01–0.03, light
 * drift between shots), so the result is cleaned: α below `floor` is zeroed, and so is everything outside the
 * main object (largest component, grown by `reach` pixels). Each background capture is first brought onto its
 * composite (`triangulateScene`): the formula compares pixels, so a plate that moved or was re-exposed between the
 * two shots reads as α.
 */
import { applyExposure } from "../align/exposure.js";
import { DEFAULT_ALIGN, estimateHomography, warpPlate } from "../align/homography.js";
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

/**
 * The background capture warped onto its composite when the camera moved between them (realpairs' "b" pairs of
 * scenes 01, 02 and 06 are off by 1–3.5 px). Triangulation compares pixels, so on a textured background a shift
 * reads as α; worse, a truth triangulated with the shifted plate shares the error of a matte made with it, and
 * would favour not aligning. Same rule as the pipeline: warp only when the median residual is over half a pixel.
 */
export function alignBackground(cv: CV, comp: FloatImage, back: FloatImage): FloatImage {
  const found = estimateHomography(cv, comp, back);
  if (!found.homography || !(found.residualBefore > DEFAULT_ALIGN.skipBelowPx)) return back;
  return warpPlate(cv, back, comp, found.homography);
}

/**
 * Per-channel gain that brings the background capture to the composite's exposure: the ratio of their mean
 * brightness over `away` (pixels far from the object, where the composite shows the background alone). Exposure is
 * multiplicative, and a ratio of means stays put on the low-texture walls where a fitted slope would follow noise.
 * Realpairs scene06's "b" plate is 5 % brighter than its composite: uncorrected, that reads as α ≈ 0.06 over the whole jug.
 */
export function backgroundGain(
  comp: FloatImage,
  back: FloatImage,
  away: Uint8Array,
): [number, number, number] {
  const sums = [0, 0, 0, 0, 0, 0];
  for (let p = 0; p < away.length; p++) {
    if (!away[p]) continue;
    for (let c = 0; c < 3; c++) {
      sums[c] += comp.data[3 * p + c];
      sums[3 + c] += back.data[3 * p + c];
    }
  }
  const ratio = (c: number) => (sums[3 + c] > 1e-3 ? sums[c] / sums[3 + c] : 1);
  return [ratio(0), ratio(1), ratio(2)];
}

/** Which of the corrections `triangulateScene` makes (both by default; bench/pair-b.ts compares them). */
export interface TriangulationSteps {
  align: boolean;
  exposure: boolean;
}

/**
 * The cleaned near-ground-truth α of a two-background scene: both backgrounds aligned to their composites, a first
 * triangulation to find the object, both backgrounds' exposure matched away from it, then the final triangulation.
 */
export function triangulateScene(
  cv: CV,
  compA: FloatImage,
  compB: FloatImage,
  backA: FloatImage,
  backB: FloatImage,
  steps: TriangulationSteps = { align: true, exposure: true },
): FloatImage {
  const [alignedA, alignedB] = steps.align
    ? [alignBackground(cv, compA, backA), alignBackground(cv, compB, backB)]
    : [backA, backB];
  const first = cleanTriangulated(cv, triangulateAlpha(compA, compB, alignedA, alignedB));
  if (!steps.exposure) return first;
  const object = { ...first, data: first.data.map((a) => (a > 0 ? 1 : 0)) };
  const near = dilateMask(cv, object, Math.round(0.03 * Math.max(first.width, first.height))).data;
  const away = Uint8Array.from(near, (v) => (v ? 0 : 1));
  const matched = (comp: FloatImage, back: FloatImage) =>
    applyExposure(back, { gain: backgroundGain(comp, back, away), bias: [0, 0, 0], ringPixels: 0 });
  return cleanTriangulated(
    cv,
    triangulateAlpha(compA, compB, matched(compA, alignedA), matched(compB, alignedB)),
  );
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
