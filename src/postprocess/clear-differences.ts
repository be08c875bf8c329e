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
 * A face a few grey levels off a flat wall differs from the plate by less than that, pixel by pixel, and S does not
 * hold it; over a window it still differs surely (cv/plate-difference `faintDifference`). A large flat blob of such
 * faint difference, a fifth or more of which the clear difference misses, is kept too where it touches what the
 * network holds opaque: the network kept the shirt and dropped the face above it.
 *
 * `fast` runs the faint half alone (`keepFaintDifferences`): its whole-frame network keeps what differs clearly, and
 * drops a face a few grey levels off the wall beside the shirt it keeps, as `bm-lite` does.
 *
 * Runs on the network's own output at its resolution, before upsampling: the restoring stages then treat the
 * corrected matte as the network's (its edges are still solved against the plate at full resolution).
 */
import { closeMask, dilateMask, labelComponents, openByDisc } from "../cv/mask-ops.js";
import {
  DEFAULT_FAINT_DIFFERENCE,
  differsUnlikeShadow,
  faintDifference,
  SHADOW_SPREAD,
  type FaintDifferenceOptions,
} from "../cv/plate-difference.js";
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
  /** Faint differences (cv/plate-difference), which S never holds: a blob of them is kept when it is at least
   * `faintArea` of the input, the clear difference misses at least `faintUnseen` of it, and it touches what the
   * network itself holds opaque (a face above the shirt it kept). */
  faint: FaintDifferenceOptions;
  faintArea: number;
  faintUnseen: number;
}

/** α under which the network calls a pixel background. */
const BACKGROUND = 0.25;
/** α from which the network's call is settled (opaque). */
const SETTLED = 0.98;
/** α under which the network is unsure of a pixel: a seam enclosed by the subject at this is raised. */
const UNSURE = 0.9;
/** Largest share of a seam's outline open beyond the closing for it to count as enclosed by the subject (a line
 * across the subject opens only at its ends: the bundled example's hairline, 0.05–0.1; a notch of hair at its
 * mouth: at 0.25, a doll's hair fringe was filled). */
const ENCLOSED = 0.15;
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
  faint: DEFAULT_FAINT_DIFFERENCE,
  // A face at the network's 512 px covers ~1.4 % of it; the tufts of hair faint evidence picks up, under 0.1 %.
  faintArea: 0.005,
  // The clear difference misses 22–46 % of a figure's faint torso, and 0–4 % of its camouflaged legs, whose holes
  // are filled later (postprocess/holes-hiding-the-plate) better than a raise here lets them be.
  faintUnseen: 0.2,
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
 * calls background a flat, solid blob that the clear difference shows lying mostly inside the prior S, or that the
 * faint difference shows beside what it holds opaque. Returns the share of the input's pixels it changed.
 */
export function keepClearDifferences(
  cv: CV,
  inputs: NetworkInputs,
  coarse: NetworkOutputs,
  opts: ClearDifferenceOptions = DEFAULT_CLEAR_DIFFERENCES,
): number {
  const { image, plate, prior } = inputs;
  const { differs, clear, flat } = subjectEvidence(cv, image, plate, opts);
  const radius = openingRadius(image, opts);
  const clearBlobs = solidBlobs(cv, clear, radius);
  const inside = countPerBlob(clearBlobs, (p) => prior.data[p] >= 0.5);
  const keptClear = (k: number) => inside[k] >= opts.insidePrior * clearBlobs.size[k];

  const faint = faintDifference(image, plate, opts.faint);
  const { blobs: faintBlobs, kept: keptFaint } = faintBlobsBesideOpaque(
    cv,
    faint,
    clear,
    flat,
    coarse,
    radius,
    opts,
  );

  // One numbering for both: the faint blobs follow the clear ones, and a pixel in a kept clear blob is its.
  const label = new Int32Array(faint.length);
  for (let p = 0; p < label.length; p++) {
    const [c, f] = [clearBlobs.label[p], faintBlobs.label[p]];
    label[p] = c && keptClear(c) ? c : f && keptFaint(f) ? clearBlobs.count + f : 0;
  }
  const changed = raiseDroppedBlobs(
    image,
    coarse,
    label,
    clearBlobs.count + faintBlobs.count,
    clearBlobs.count + 1,
  );
  const keptFaintBlob = createImage(image.width, image.height, 1);
  for (let p = 0; p < label.length; p++) keptFaintBlob.data[p] = label[p] > clearBlobs.count ? 1 : 0;
  const nearFaint = keptFaintBlob.data.includes(1)
    ? dilateMask(cv, keptFaintBlob, radius + 2).data
    : undefined;
  const faintSeam = (p: number) => nearFaint !== undefined && nearFaint[p] > 0 && faint[p] > 0;
  return changed + closeSeams(cv, image, coarse, (p) => differs.data[p] > 0, faintSeam, radius);
}

/**
 * The faint half of `keepClearDifferences` alone, for the whole frame at a low working size (`fast`): blobs of faint
 * difference beside what the network holds opaque, raised where it dropped them. Blobs of clear difference and
 * seams are left out: with them, `fast` lost on the composites (a potted plant's gaps closed as seams) and on
 * realpairs. Returns the share of the input's pixels it changed.
 */
export function keepFaintDifferences(
  cv: CV,
  inputs: NetworkInputs,
  coarse: NetworkOutputs,
  opts: ClearDifferenceOptions = DEFAULT_CLEAR_DIFFERENCES,
): number {
  const { image, plate } = inputs;
  // Without the hidden-texture evidence: the same mattes on every evaluation set, for ~1.7 ms less per frame.
  const { clear, flat } = subjectEvidence(cv, image, plate, { ...opts, hiddenShare: 0 });
  const faint = faintDifference(image, plate, opts.faint);
  const radius = openingRadius(image, opts);
  const { blobs, kept } = faintBlobsBesideOpaque(cv, faint, clear, flat, coarse, radius, opts);
  if (!blobs.size.some((_, k) => k > 0 && kept(k))) return 0;
  const label = blobs.label.map((k) => (k && kept(k) ? k : 0));
  return raiseDroppedBlobs(image, coarse, label, blobs.count, 1);
}

/** The opening's radius in pixels of the network's input. */
function openingRadius(image: FloatImage, opts: ClearDifferenceOptions): number {
  return Math.max(1, Math.round(opts.opening * Math.max(image.width, image.height)));
}

/**
 * The blobs of faint difference over flat photo, and which are kept: at least `faintArea` of the input, a share of
 * at least `faintUnseen` of them missed by `clear`, touching what the network holds opaque.
 */
function faintBlobsBesideOpaque(
  cv: CV,
  faint: Uint8Array,
  clear: FloatImage,
  flat: Uint8Array,
  coarse: NetworkOutputs,
  radius: number,
  opts: ClearDifferenceOptions,
): { blobs: Blobs; kept: (k: number) => boolean } {
  const faintFlat = createImage(clear.width, clear.height, 1);
  for (let p = 0; p < faint.length; p++) faintFlat.data[p] = faint[p] && flat[p] ? 1 : 0;
  const minArea = opts.faintArea * faint.length;
  // A candidate holds at least faintUnseen × faintArea pixels the clear difference misses. Where the whole frame has
  // fewer within a pixel of faintFlat (as far as the blobs' pinhole closing reaches), as on most video frames, there
  // is no candidate, and the opening and the labelling are not made.
  if (unseenNear(faintFlat, clear) < opts.faintUnseen * minArea) {
    const none = { label: new Int32Array(faint.length), count: 1, size: new Uint32Array(1) };
    return { blobs: none, kept: () => false };
  }
  const blobs = solidBlobs(cv, faintFlat, radius);
  const unseen = countPerBlob(blobs, (p) => !clear.data[p]);
  const candidate = (k: number) => blobs.size[k] >= minArea && unseen[k] >= opts.faintUnseen * blobs.size[k];
  // Most frames have no candidate: the dilation is made only for those that do.
  if (!blobs.size.some((_, k) => k > 0 && candidate(k))) return { blobs, kept: () => false };
  const besideOpaque = dilateMask(cv, opaqueMask(coarse.alpha), radius + 2).data;
  const touching = countPerBlob(blobs, (p) => besideOpaque[p] > 0.5);
  return { blobs, kept: (k) => candidate(k) && touching[k] > 0 };
}

/** Pixels outside `clear` with a pixel of `mask` in their 3 × 3 neighbourhood. */
function unseenNear(mask: FloatImage, clear: FloatImage): number {
  const { width, height } = mask;
  let count = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (clear.data[y * width + x]) continue;
      search: for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++)
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++)
          if (mask.data[ny * width + nx]) {
            count++;
            break search;
          }
    }
  return count;
}

/**
 * Seams inside the subject: a line the network dropped between two parts it holds opaque (a belt between shirt and
 * trousers; a collar between a kept faint face and its shirt), an edge, flat in neither part and so in no blob. Left,
 * it is a see-through line across the figure. Where a closing of the opaque region by `radius` covers it, it is
 * raised where the faint difference of a kept faint blob holds (`faintSeam`), and elsewhere where the photo differs
 * from the plate (`differs`) over a stretch the network calls mostly background, or mostly unsure if the subject
 * encloses it (a hairline across the forehead). Partial α in a notch of the outline (hair) is the network's call.
 */
function closeSeams(
  cv: CV,
  image: FloatImage,
  coarse: NetworkOutputs,
  differs: (p: number) => boolean,
  faintSeam: (p: number) => boolean,
  radius: number,
): number {
  const opaque = opaqueMask(coarse.alpha);
  const closed = closeMask(cv, opaque, radius).data;
  const inSeam = (p: number) => closed[p] > 0 && !opaque.data[p];
  const stretches = labelComponents(cv, image.width, image.height, (p) => inSeam(p) && differs(p));
  const size = countPerBlob(stretches, () => true);
  const dropped = countPerBlob(stretches, (p) => coarse.alpha.data[p] < BACKGROUND);
  const unsure = countPerBlob(stretches, (p) => coarse.alpha.data[p] < UNSURE);
  const open = openShares(stretches, closed, image.width, image.height);
  const raised = (k: number) =>
    dropped[k] >= DROPPED * size[k] || (open[k] <= ENCLOSED && unsure[k] >= DROPPED * size[k]);
  let changed = 0;
  for (let p = 0; p < closed.length; p++) {
    const k = stretches.label[p];
    if ((k && raised(k)) || (inSeam(p) && faintSeam(p))) {
      settle(image, coarse, p);
      changed++;
    }
  }
  return changed / closed.length;
}

/**
 * Per stretch, the share of its outline (its 4-neighbours outside it) that lies beyond `closed` or the frame: the
 * mouth of a notch in the subject's outline is open, a line across the subject opens only at its two ends.
 */
function openShares(
  stretches: Pick<Blobs, "label" | "count">,
  closed: Float32Array,
  width: number,
  height: number,
): Float64Array {
  const { label, count } = stretches;
  const outline = new Uint32Array(count);
  const open = new Uint32Array(count);
  const steps = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const k = label[y * width + x];
      if (!k) continue;
      for (const [dx, dy] of steps) {
        const [nx, ny] = [x + dx, y + dy];
        const inside = nx >= 0 && ny >= 0 && nx < width && ny < height;
        if (inside && label[ny * width + nx] === k) continue;
        outline[k]++;
        if (!inside || !closed[ny * width + nx]) open[k]++;
      }
    }
  return Float64Array.from(outline, (n, k) => (n ? open[k] / n : 1));
}

/** 1 where the network holds α opaque (settled). */
function opaqueMask(alpha: FloatImage): FloatImage {
  const out = createImage(alpha.width, alpha.height, 1);
  for (let p = 0; p < out.data.length; p++) out.data[p] = alpha.data[p] >= SETTLED ? 1 : 0;
  return out;
}

/**
 * Raises, in blobs labelled 1 to `count` − 1, the pixels the network calls background. Where it calls most of a
 * blob's unsettled part background, it dropped that part, and the partial α it kept here and there is raised too
 * (else a grey hole is left in the middle). Where it mostly gives a partial α, that is its call: a translucent
 * bottle's shoulder at 0.4 is left, and an arm at 0.3–0.7 keeps all but its dropped pixels.
 *
 * Blobs from `wholeFrom` on (the faint ones) are raised whole, partial α too: flat, faint and beside what the network
 * holds opaque, they are a torso or a face the colour of the wall, not glass. Measured in `fast`: a torso the wall's
 * colour above the legs the network kept 19.6 → 1.4 % see-through (its rims at α 0.5–0.9 were left), the composites
 * and realpairs unchanged; in `balanced`, every matte on all three sets identical.
 */
function raiseDroppedBlobs(
  image: FloatImage,
  coarse: NetworkOutputs,
  label: Int32Array,
  count: number,
  wholeFrom: number,
): number {
  const A = coarse.alpha.data;
  const unsettled = new Uint32Array(count);
  const dropped = new Uint32Array(count);
  for (let p = 0; p < A.length; p++) {
    if (A[p] >= SETTLED) continue;
    unsettled[label[p]]++;
    if (A[p] < BACKGROUND) dropped[label[p]]++;
  }
  let changed = 0;
  for (let p = 0; p < A.length; p++) {
    const k = label[p];
    if (k === 0 || A[p] >= SETTLED) continue;
    if (k < wholeFrom && A[p] >= BACKGROUND && dropped[k] < DROPPED * unsettled[k]) continue;
    settle(image, coarse, p);
    changed++;
  }
  return changed / A.length;
}

/** Pixel `p` becomes opaque subject with the photo's colour, and settled: the refiner, re-predicting from the
 * network's own features, would drop it again patch by patch. */
function settle(image: FloatImage, coarse: NetworkOutputs, p: number): void {
  coarse.alpha.data[p] = 1;
  for (let c = 0; c < 3; c++) coarse.fg.data[3 * p + c] = image.data[3 * p + c];
  if (coarse.refinement) coarse.refinement.error.data[p] = 0;
}

/**
 * `differs`: 1 where the photo differs clearly from the plate (`clearDifference`). `clear`: 1 where it is also flat,
 * or flat and hiding the plate's texture (its relative spread, at most `hiddenShare` of the plate's, where the plate is
 * textured). `flat`: 1 where the photo is flat.
 */
function subjectEvidence(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  opts: ClearDifferenceOptions,
): { differs: FloatImage; clear: FloatImage; flat: Uint8Array } {
  const differs = clearDifference(image, plate, opts);
  const spread = localSpread(cv, toGrey(image), 2);
  // Over the same 5×5 window; the plate's texture is never called shown here (ratio 0), only hidden or not.
  const hidden =
    opts.hiddenShare > 0
      ? plateTexture(cv, image, plate, {
          radius: 2,
          ratio: 0,
          minSpread: opts.plateTexture,
          hiddenShare: opts.hiddenShare,
          minDimming: 1,
        }).hidden
      : undefined;
  const flat = new Uint8Array(spread.length);
  const clear = createImage(image.width, image.height, 1);
  for (let p = 0; p < flat.length; p++) {
    flat[p] = spread[p] < opts.flatness ? 1 : 0;
    clear.data[p] = flat[p] && (differs.data[p] || hidden?.[p]) ? 1 : 0;
  }
  return { differs, clear, flat };
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

interface Blobs {
  /** Per pixel, its blob (1 to count − 1), or 0. */
  label: Int32Array;
  count: number;
  size: Uint32Array;
}

/**
 * The blobs that survive an opening of `mask` by a disc of `radius`, less one pixel of their edge (where the network's
 * partial α is its call on the outline). Whole blobs, not pixels, are judged: S is eroded and blurred, so a leg or an
 * arm is subject to the network while S has faded over it.
 */
function solidBlobs(cv: CV, mask: FloatImage, radius: number): Blobs {
  return withMats((t) => {
    const m = t(new cv.Mat(mask.height, mask.width, cv.CV_8UC1));
    const d = m.data as Uint8Array;
    for (let i = 0; i < d.length; i++) d[i] = mask.data[i] > 0.5 ? 255 : 0;
    // Pinholes first (a pixel of grain, a difference at the threshold): the opening would grow each into a notch.
    const small = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(3, 3)));
    cv.morphologyEx(m, m, cv.MORPH_CLOSE, small);
    openByDisc(cv, m, radius, 1); // less one pixel of the edge
    const labels = t(new cv.Mat());
    const count: number = cv.connectedComponents(m, labels, 8, cv.CV_32S);
    const label = (labels.data32S as Int32Array).slice();
    const blobs = { label, count, size: new Uint32Array(count) };
    blobs.size.set(countPerBlob(blobs, () => true));
    return blobs;
  });
}

/** Per blob, how many of its pixels pass `test`. */
function countPerBlob(
  { label, count }: Pick<Blobs, "label" | "count">,
  test: (p: number) => boolean,
): Uint32Array {
  const counts = new Uint32Array(count);
  for (let p = 0; p < label.length; p++) if (label[p] && test(p)) counts[label[p]]++;
  return counts;
}
