/**
 * Clear differences stay subject. A small network trained on textured photos reads a flat, plainly coloured subject
 * over a smooth wall (a green shirt on beige) as a tinted copy of the plate and can drop it whole. So where the
 * photo is flat and differs from the plate by far more than a camera's noise, in a way no shadow explains (a shadow
 * is a darker copy with the plate's hue), over a solid blob lying mostly inside the prior S, the network may not call
 * the pixels background. Everything else stays the network's call: where the photo matches the plate (the
 * camouflage it must judge), textured differences (hair, a weave seen through glass), thin structures and specks
 * (the blob must survive an opening), and any α it already gives partly.
 *
 * Runs on the network's own output at its resolution, before upsampling: the restoring stages then treat the
 * corrected matte as the network's (its edges are still solved against the plate at full resolution).
 */
import { type CV, withMats } from "../cv/opencv.js";
import { createImage, toGrey, type FloatImage } from "../image/types.js";
import { boxFilter } from "../refine/box-filter.js";
import type { NetworkInputs, NetworkOutputs } from "../network/contract.js";

export interface ClearDifferenceOptions {
  /** Colour distance (max over channels, at the network's input size) that counts as clear: several times a camera's
   * noise (the shrink to that size has averaged most of it away). */
  distance: number;
  /** A darker pixel whose per-channel ratios to the plate spread less than this keeps the plate's hue: a shadow. */
  shadowSpread: number;
  /** Radius of the opening, as a share of the input's longer side: blobs thinner than twice this are left alone. */
  opening: number;
  /** Standard deviation of the photo's grey level over a 5×5 window under which a pixel is flat (hair, glass and
   * textured surfaces are not: there a clear difference with a partial α is the network's call). */
  flatness: number;
  /** Share of a blob that must lie inside the prior S (the rest may be a limb that S, eroded, lost). */
  insidePrior: number;
}

/** How much brighter than the plate a channel may be in a shadow (noise). */
const BRIGHTER = 0.02;
/** α under which the network calls a pixel background. */
const BACKGROUND = 0.25;

export const DEFAULT_CLEAR_DIFFERENCES: ClearDifferenceOptions = {
  distance: 0.15,
  shadowSpread: 0.12,
  opening: 0.008,
  flatness: 0.015,
  insidePrior: 0.3,
};

/** 1 where the photo differs clearly, and not as a shadow, from the plate; `image` and `plate` RGB, same size. */
export function clearDifference(
  image: FloatImage,
  plate: FloatImage,
  { distance, shadowSpread }: ClearDifferenceOptions,
): FloatImage {
  const out = createImage(image.width, image.height, 1);
  const I = image.data;
  const B = plate.data;
  for (let p = 0, i = 0; p < out.data.length; p++, i += 3) {
    const [r, g, b] = [I[i] - B[i], I[i + 1] - B[i + 1], I[i + 2] - B[i + 2]];
    if (Math.max(Math.abs(r), Math.abs(g), Math.abs(b)) <= distance) continue;
    if (r > BRIGHTER || g > BRIGHTER || b > BRIGHTER) {
      out.data[p] = 1; // brighter than the plate: no shadow
      continue;
    }
    const [kr, kg, kb] = [
      I[i] / Math.max(B[i], 0.02),
      I[i + 1] / Math.max(B[i + 1], 0.02),
      I[i + 2] / Math.max(B[i + 2], 0.02),
    ];
    if (Math.max(kr, kg, kb) - Math.min(kr, kg, kb) > shadowSpread) out.data[p] = 1;
  }
  return out;
}

/**
 * Raises the network's α to 1 (and sets its F to the photo's colour) in place wherever the network calls background
 * what the clear difference shows as a flat, solid blob lying mostly inside the prior S. Returns the share of the
 * input's pixels it changed.
 */
export function keepClearDifferences(
  cv: CV,
  inputs: NetworkInputs,
  coarse: NetworkOutputs,
  opts: ClearDifferenceOptions = DEFAULT_CLEAR_DIFFERENCES,
): number {
  const { image, prior } = inputs;
  const clear = clearDifference(image, inputs.plate, opts);
  const spread = localSpread(toGrey(image), 2);
  for (let p = 0; p < clear.data.length; p++) if (spread[p] >= opts.flatness) clear.data[p] = 0;
  const radius = Math.max(1, Math.round(opts.opening * Math.max(image.width, image.height)));
  const solid = solidBlobsInside(cv, clear, radius, prior, opts.insidePrior);
  const A = coarse.alpha.data;
  const F = coarse.fg.data;
  let changed = 0;
  for (let p = 0; p < A.length; p++) {
    // Only what the network calls background. Raising a partial α (a translucent bottle's shoulder, at 0.4) would
    // leave an opaque patch with a hard edge inside it.
    if (!solid[p] || A[p] >= BACKGROUND) continue;
    A[p] = 1;
    for (let c = 0; c < 3; c++) F[3 * p + c] = image.data[3 * p + c];
    changed++;
  }
  return changed / A.length;
}

/** Standard deviation of a one-channel image over each pixel's (2r+1)² window. */
function localSpread(grey: FloatImage, r: number): Float32Array {
  const mean = boxFilter(grey, r).data;
  const squares = boxFilter({ ...grey, data: grey.data.map((v) => v * v) }, r).data;
  return mean.map((m, p) => Math.sqrt(Math.max(0, squares[p] - m * m)));
}

/**
 * The blobs that survive an opening of `mask` by a disc of `radius`, less one pixel of their edge (where the network's
 * partial α is its call on the outline), of which at least `share` lies where `prior` ≥ 0.5. Whole blobs, not
 * pixels: S is eroded and blurred, so a leg or an arm is subject to the network while S has faded over it.
 */
function solidBlobsInside(
  cv: CV,
  mask: FloatImage,
  radius: number,
  prior: FloatImage,
  share: number,
): Uint8Array {
  return withMats((t) => {
    const m = t(new cv.Mat(mask.height, mask.width, cv.CV_8UC1));
    const d = m.data as Uint8Array;
    for (let i = 0; i < d.length; i++) d[i] = mask.data[i] > 0.5 ? 255 : 0;
    const disc = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * radius + 1, 2 * radius + 1)));
    cv.morphologyEx(m, m, cv.MORPH_OPEN, disc);
    cv.erode(m, m, t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(3, 3))));
    const labels = t(new cv.Mat());
    const n: number = cv.connectedComponents(m, labels, 8, cv.CV_32S);
    const lab = labels.data32S as Int32Array;
    const size = new Uint32Array(n);
    const inside = new Uint32Array(n);
    for (let i = 0; i < lab.length; i++) {
      size[lab[i]]++;
      if (prior.data[i] >= 0.5) inside[lab[i]]++;
    }
    const keep = new Uint8Array(n);
    for (let k = 1; k < n; k++) keep[k] = inside[k] >= share * size[k] ? 1 : 0;
    const out = new Uint8Array(lab.length);
    for (let i = 0; i < lab.length; i++) out[i] = keep[lab[i]];
    return out;
  });
}
