/**
 * A colour the subject has nearby. The solve's gap step opens a pixel whose colour is within a camera's noise of the
 * plate while the network's F is far from it. Where F is a blur of two of the subject's colours (black letters on a
 * white label), the label's white matches the plate wherever a light fabric lies behind it, and the step punched
 * holes along the letters, following the fabric's weave. A real gap shows the plate: its colour is not one the
 * subject has a few pixels away, where that clearly differs from the plate. Where many of the pixels of its colour
 * nearby do (a plate's noise makes a few), the pixel is the subject's too. The solve itself reads such a pixel as
 * plate with that F; where the network holds it as subject, the network's α is restored once the hidden-plate holes
 * are filled (`raiseToHeld`).
 */
import { exposedAt, type ExposedPlate } from "../align/plate.js";
import type { FloatImage } from "../image/types.js";

export interface SubjectColourOptions {
  /** Window radius (full-resolution pixels) searched for the same colour. */
  radius: number;
  /** Largest channel difference at which two of the photo's pixels have the same colour. */
  same: number;
  /** Largest channel of |I − B′| above which a pixel clearly differs from the plate (is the subject's). */
  clear: number;
  /** Share of the same-coloured pixels nearby that must clearly differ from the plate (a plate's noise makes a few). */
  share: number;
  /** Where the solve lowered a pixel the network holds at this α or more, and more than `heldShare` of the pixels of
   * its colour nearby clearly differ from the plate, the network's α is restored (`raiseToHeld`). A larger share than
   * the gap step's: a potted plant's sky gaps, with leaf edges of the sky's colour nearby, kept specks at 0.4. */
  heldAlpha: number;
  heldShare: number;
}

// Measured in `balanced` (composites / realpairs / camouflage set): 7.04 → 7.05 (Grad 13.72 → 13.84, see-through 1.17
// → 1.09 %; specks at a potted plant's rim against the sky), 54.78 (the letters' surroundings on scene04's and
// scene05's labels kept), 11.78. A share of 0.3: Grad 13.90. With no share (any one such pixel), a plate's noise made
// them in the sky between a plant's leaves (7.07; radius 4, 7.07 too). A clear distance of 0.15 kept only a few of the
// label's holes: a light fabric behind a white label departs from it by 0.1. The solve's lowering undone from 0.8
// (docs/how-it-works.md has the numbers).
export const DEFAULT_SUBJECT_COLOURS: SubjectColourOptions = {
  radius: 8,
  same: 0.04,
  clear: 0.08,
  share: 0.4,
  heldAlpha: 0.8,
  heldShare: 0.7,
};

/** Whether more than `share` of the pixels within `radius` of (x, y) that have the photo's colour there clearly
 * differ from their own plate. */
export function subjectColourNearby(
  image: FloatImage,
  plate: ExposedPlate,
  x: number,
  y: number,
  { radius, same, clear, share: gapShare }: SubjectColourOptions,
  share = gapShare,
): boolean {
  const { width: w, height: h, data: I } = image;
  const i = 3 * (y * w + x);
  let [alike, clearly] = [0, 0];
  for (let row = Math.max(0, y - radius); row <= Math.min(h - 1, y + radius); row++)
    for (let col = Math.max(0, x - radius); col <= Math.min(w - 1, x + radius); col++) {
      const j = 3 * (row * w + col);
      let [toPixel, toPlate] = [0, 0];
      for (let c = 0; c < 3; c++) {
        toPixel = Math.max(toPixel, Math.abs(I[j + c] - I[i + c]));
        toPlate = Math.max(toPlate, Math.abs(I[j + c] - exposedAt(plate, j, c)));
      }
      if (toPixel >= same) continue;
      alike++;
      if (toPlate > clear) clearly++;
    }
  return clearly > share * alike;
}

/** Raises `alpha` (in place) to `held` (refine/compositing-equation `heldOut`) where that is higher. Done after the
 * hidden-plate holes are filled: raised before, its scattered pixels split a hole the solve had opened into pieces
 * too small to judge, and the label's white around them stayed a speckled grey instead of filled. */
export function raiseToHeld(alpha: FloatImage, held: Float32Array): void {
  const A = alpha.data;
  for (let p = 0; p < A.length; p++) if (held[p] > A[p]) A[p] = held[p];
}
