/**
 * Clear differences stay subject. A small network trained on textured photos reads a flat, plainly coloured subject
 * over a smooth wall (a green shirt on beige, a face a few grey levels off the sky) as a tinted copy of the plate and
 * can drop it whole; and it drops a white bottle on white fabric, whose colour is within a camera's noise of the
 * plate's. So where the photo is flat and either differs from the plate by more than the noise the shrink to the
 * network's size leaves, in a way no shadow explains (a shadow is a darker copy with the plate's hue), or hides the
 * plate's texture (a shadow dims a texture, glass bends it; only something solid wipes it out), over a solid blob
 * lying mostly inside the prior S, the network may not call the pixels background. Everything else stays the
 * network's call: where the photo matches the plate in colour and texture (the camouflage it must judge), textured
 * differences (hair, a weave seen through glass), thin structures and specks (the blob must survive an opening), and
 * a blob it mostly gives a partial α (translucency is its to judge).
 *
 * Runs on the network's own output at its resolution, before upsampling: the restoring stages then treat the
 * corrected matte as the network's (its edges are still solved against the plate at full resolution).
 */
import { openByDisc } from "../cv/mask-ops.js";
import { differsUnlikeShadow, SHADOW_SPREAD } from "../cv/plate-difference.js";
import { type CV, withMats } from "../cv/opencv.js";
import { plateTexture } from "../cv/plate-texture.js";
import { createImage, toGrey, type FloatImage } from "../image/types.js";
import type { NetworkInputs, NetworkOutputs } from "../network/contract.js";

export interface ClearDifferenceOptions {
  /** Colour distance (max over channels, at the network's input size) that counts as clear: twice the median
   * difference left where the network sees background (0.011–0.019 on real captures and composites alike: the shrink
   * to that size has averaged most of the noise away). Skin a few grey levels off a sky is that far. */
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
  /** The plate's grey spread (same window) above which it is textured (fabric, gravel, foliage; not a wall or sky)… */
  plateTexture: number;
  /** …and the share of its relative spread (spread over mean: a shadow dims spread and mean alike) under which the
   * photo's hides that texture. 0 turns the hidden-texture evidence off. */
  hiddenShare: number;
}

/** α under which the network calls a pixel background. */
const BACKGROUND = 0.25;
/** α from which the network's call is settled (opaque). */
const SETTLED = 0.98;
/** Share of a blob's unsettled part the network must call background for that part to count as dropped. */
const DROPPED = 0.5;

export const DEFAULT_CLEAR_DIFFERENCES: ClearDifferenceOptions = {
  distance: 0.03,
  shadowSpread: SHADOW_SPREAD,
  opening: 0.008,
  flatness: 0.015,
  insidePrior: 0.3,
  plateTexture: 0.02,
  hiddenShare: 0.3,
};

/** 1 where the photo differs clearly, and not as a shadow, from the plate; `image` and `plate` RGB, same size. */
function clearDifference(
  image: FloatImage,
  plate: FloatImage,
  { distance, shadowSpread }: ClearDifferenceOptions,
): FloatImage {
  const out = createImage(image.width, image.height, 1);
  for (let p = 0; p < out.data.length; p++)
    if (differsUnlikeShadow(image.data, plate.data, 3 * p, distance, shadowSpread)) out.data[p] = 1;
  return out;
}

/**
 * Raises the network's α to 1 (sets its F to the photo's colour and its predicted error to 0) in place wherever it
 * calls background what the clear difference shows as a flat, solid blob lying mostly inside the prior S. Returns
 * the share of the input's pixels it changed.
 */
export function keepClearDifferences(
  cv: CV,
  inputs: NetworkInputs,
  coarse: NetworkOutputs,
  opts: ClearDifferenceOptions = DEFAULT_CLEAR_DIFFERENCES,
): number {
  const { image, prior } = inputs;
  const clear = subjectEvidence(cv, image, inputs.plate, opts);
  const radius = Math.max(1, Math.round(opts.opening * Math.max(image.width, image.height)));
  const blobs = solidBlobsInside(cv, clear, radius, prior, opts.insidePrior);
  const A = coarse.alpha.data;
  // Pixels the network calls background are raised. Where it calls most of a blob's unsettled part background, it
  // dropped that part, and the partial α it kept here and there is raised too (else a grey hole is left in the
  // middle). Where it mostly gives a partial α, that is its call: a translucent bottle's shoulder at 0.4 is left,
  // and an arm at 0.3–0.7 keeps all but its dropped pixels.
  const unsettled = new Uint32Array(blobs.count);
  const dropped = new Uint32Array(blobs.count);
  for (let p = 0; p < A.length; p++) {
    if (A[p] >= SETTLED) continue;
    unsettled[blobs.label[p]]++;
    if (A[p] < BACKGROUND) dropped[blobs.label[p]]++;
  }
  const F = coarse.fg.data;
  const error = coarse.refinement?.error.data;
  let changed = 0;
  for (let p = 0; p < A.length; p++) {
    const k = blobs.label[p];
    if (k === 0 || A[p] >= SETTLED) continue;
    if (A[p] >= BACKGROUND && dropped[k] < DROPPED * unsettled[k]) continue;
    A[p] = 1;
    for (let c = 0; c < 3; c++) F[3 * p + c] = image.data[3 * p + c];
    // Settled: the refiner, re-predicting from the network's own features, would drop it again patch by patch.
    if (error) error[p] = 0;
    changed++;
  }
  return changed / A.length;
}

/**
 * 1 where the photo is flat and shows something other than the plate: a clear difference (`clearDifference`), or
 * the plate's texture hidden (its relative spread, at most `hiddenShare` of the plate's, where the plate is textured).
 */
function subjectEvidence(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  opts: ClearDifferenceOptions,
): FloatImage {
  const evidence = clearDifference(image, plate, opts);
  const spread = localSpread(cv, toGrey(image), 2);
  // Over the same 5×5 window; the plate's texture is never called shown here (ratio 0), only hidden or not.
  const { hidden } = plateTexture(cv, image, plate, {
    radius: 2,
    ratio: 0,
    minSpread: opts.plateTexture,
    hiddenShare: opts.hiddenShare,
    minDimming: 1,
  });
  const e = evidence.data;
  for (let p = 0; p < e.length; p++) e[p] = spread[p] < opts.flatness && (e[p] || hidden[p]) ? 1 : 0;
  return evidence;
}

/** Standard deviation of a one-channel image over each pixel's (2r+1)² window (OpenCV's box blur: SIMD). */
function localSpread(cv: CV, grey: FloatImage, r: number): Float32Array {
  return withMats((t) => {
    const k = new cv.Size(2 * r + 1, 2 * r + 1);
    const values = t(new cv.Mat(grey.height, grey.width, cv.CV_32FC1));
    (values.data32F as Float32Array).set(grey.data);
    const squares = t(new cv.Mat());
    cv.multiply(values, values, squares);
    const mean = t(new cv.Mat());
    cv.blur(values, mean, k, new cv.Point(-1, -1), cv.BORDER_REFLECT);
    cv.blur(squares, squares, k, new cv.Point(-1, -1), cv.BORDER_REFLECT);
    const [m, q] = [mean.data32F as Float32Array, squares.data32F as Float32Array];
    return m.map((v, p) => Math.sqrt(Math.max(0, q[p] - v * v)));
  });
}

/**
 * The blobs that survive an opening of `mask` by a disc of `radius`, less one pixel of their edge (where the network's
 * partial α is its call on the outline), of which at least `share` lies where `prior` ≥ 0.5, labelled 1 to count − 1.
 * Whole blobs, not pixels: S is eroded and blurred, so a leg or an arm is subject to the network while S has faded
 * over it.
 */
function solidBlobsInside(
  cv: CV,
  mask: FloatImage,
  radius: number,
  prior: FloatImage,
  share: number,
): { label: Int32Array; count: number } {
  return withMats((t) => {
    const m = t(new cv.Mat(mask.height, mask.width, cv.CV_8UC1));
    const d = m.data as Uint8Array;
    for (let i = 0; i < d.length; i++) d[i] = mask.data[i] > 0.5 ? 255 : 0;
    // Pinholes first (a pixel of grain, a difference at the threshold): the opening would grow each into a notch.
    const small = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(3, 3)));
    cv.morphologyEx(m, m, cv.MORPH_CLOSE, small);
    openByDisc(cv, m, radius, 1); // less one pixel of the edge
    const labels = t(new cv.Mat());
    const n: number = cv.connectedComponents(m, labels, 8, cv.CV_32S);
    const lab = labels.data32S as Int32Array;
    const size = new Uint32Array(n);
    const inside = new Uint32Array(n);
    for (let i = 0; i < lab.length; i++) {
      size[lab[i]]++;
      if (prior.data[i] >= 0.5) inside[lab[i]]++;
    }
    // Kept blobs are numbered from 1; 0 is everything else.
    const renumber = new Int32Array(n);
    let count = 1;
    for (let k = 1; k < n; k++) if (inside[k] >= share * size[k]) renumber[k] = count++;
    return { label: lab.map((k) => renumber[k]), count };
  });
}
