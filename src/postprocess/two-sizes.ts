/**
 * One region matted twice, with the network's input at two sizes, and the two mattes combined. The network's errors
 * at one scale are not those at another: against 768 px alone, the white bottle's shaded label (realpairs scene05)
 * 96.6 → 91.9 SAD and a figure before a backdrop of its skin 3.7 → 2.8 % see-through with 512 px combined. Where both
 * hold a pixel as subject (α ≥ `bothHold`), the larger α stands: a part either run leaves partly see-through is
 * solid in the other. Elsewhere (edges, gaps, translucent parts) their mean: each run's stray errors are halved.
 */
import type { FloatImage } from "../image/types.js";

export interface TwoSizeMatte {
  alpha: FloatImage;
  foreground: FloatImage;
}

/** α from which both runs hold a pixel as subject. Measured in `best` (the composites / realpairs / the camouflage
 * set, at up to 1 024 px): the mean alone 6.89 / 53.04 / 11.09 against `best`'s 7.06 / 54.61 / 10.78 (a figure's
 * interior one run holds partly came back half see-through); the larger α from 0.5: 6.96 / 54.69 / 10.71; from
 * 0.7: 6.92 / 53.88 / 10.77. */
export const BOTH_HOLD = 0.7;

/**
 * `first` and `second` (the same region, the same size) combined into `first`, in place: α as above, and F from
 * the run with the larger α where both hold the pixel, else their α-weighted mean (a run that calls the pixel
 * background has no say in its colour).
 */
export function combineTwoSizes(first: TwoSizeMatte, second: TwoSizeMatte, bothHold = BOTH_HOLD): void {
  const A = first.alpha.data;
  const B = second.alpha.data;
  const F = first.foreground.data;
  const G = second.foreground.data;
  for (let p = 0; p < A.length; p++) {
    const [a, b] = [A[p], B[p]];
    if (a >= bothHold && b >= bothHold) {
      if (b > a) {
        A[p] = b;
        for (let c = 0; c < 3; c++) F[3 * p + c] = G[3 * p + c];
      }
      continue;
    }
    A[p] = (a + b) / 2;
    const sum = a + b;
    if (sum <= 0) continue;
    for (let c = 0; c < 3; c++) F[3 * p + c] = (a * F[3 * p + c] + b * G[3 * p + c]) / sum;
  }
}
