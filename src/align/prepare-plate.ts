/** Pre-processing of the plate before matting: alignment to the photo, exposure matching, then focus matching. */
import type { CV } from "../cv/opencv.js";
import { BgmatteError } from "../errors.js";
import { sizeMismatch } from "./conform-plate.js";
import type { FloatImage } from "../image/types.js";
import { differenceMask, type DifferenceMask } from "../cv/plate-difference.js";
import { applyExposure, fitExposure, measureExposure, type ExposureReport } from "./exposure.js";
import {
  DEFAULT_ALIGN,
  estimateHomography,
  warpPlateWithCoverage,
  type AlignmentReport,
} from "./homography.js";
import { matchExposure, type Plate } from "./plate.js";
import { measureFocus, refocusPlate, type FocusReport } from "./focus-match.js";

export interface PrepareOptions {
  align: "auto" | "on" | "off";
  exposure: boolean;
}

export interface PreparedPlate {
  /** Full resolution, aligned to the photo, with its exposure matching (applied to whatever part is used). */
  plate: Plate;
  /** At the analysis size: aligned and exposure-matched. */
  small: FloatImage;
  alignment: AlignmentReport | null;
  exposure: ExposureReport | null;
  /** How much the plate was blurred or sharpened to the photo's focus (align/focus-match). */
  focus: FocusReport;
  /** The plate before that, where it was blurred or sharpened: aligned, with its exposure matching. */
  asShot?: Plate;
  /** The plate-difference subject mask measured for the exposure ring (before its matching; against a rough
   * whole-frame matching where the plain difference covered most of the frame), if any. */
  difference?: DifferenceMask;
  /** Per full-resolution pixel, how much of it the warped plate covers; where less than 1 the plate holds the photo
   * (absent when the plate was not warped). */
  coverage?: Float32Array;
  warnings: string[];
  timings: Record<string, number>;
}

/**
 * `small` downsizes a full-resolution image to the analysis size (where statistics are measured);
 * `subjectSmall` is the user's mask at that size, if any (else the plate difference finds the subject);
 * `known` passes analysis-size images the caller already has (a video's plate is the same every frame), and the
 * coverage of a plate the caller warped onto the photo itself (a hand-held video's, tracked frame to frame).
 */
export function preparePlate(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  small: (im: FloatImage) => FloatImage,
  options: PrepareOptions,
  subjectSmall?: FloatImage,
  known: { imageSmall?: FloatImage; plateSmall?: FloatImage; coverage?: Float32Array } = {},
): PreparedPlate {
  const warnings: string[] = [];
  const timings: Record<string, number> = {};
  let t = performance.now();
  let alignment: AlignmentReport | null = null;
  // What the warp left empty, filled from the photo (1 − coverage per pixel), if the plate was warped.
  let coverage = known.coverage;
  if (coverage && coverage.length !== image.width * image.height)
    throw new BgmatteError(
      "SIZE_MISMATCH",
      `the plate's coverage has ${coverage.length} values for a ${image.width}×${image.height} photo`,
      "pass one value per pixel of the photo (the coverage warpPlateWithCoverage returns), or none",
    );
  // A plate of another size (another aspect: align/conform-plate) exists on the photo only through alignment.
  const otherSize = plate.width !== image.width || plate.height !== image.height;
  const { sizes } = sizeMismatch(plate, image);
  if (otherSize && options.align === "off")
    throw new BgmatteError(
      "SIZE_MISMATCH",
      `${sizes}, and alignment is off`,
      "leave alignment on to bring the plate onto the photo by its features, or give a plate of the photo's size",
    );
  if (options.align !== "off") {
    alignment = estimateHomography(cv, image, plate);
    if (!alignment.homography) {
      if (otherSize)
        throw new BgmatteError(
          "SIZE_MISMATCH",
          `${sizes}, and the plate cannot be aligned to the photo (${alignment.reason})`,
          "shoot the plate with the same camera and framing as the photo (same resolution, no crop)",
        );
      if (options.align === "on") {
        throw new BgmatteError(
          "ALIGNMENT_FAILED",
          `cannot align the plate to the photo: ${alignment.reason}`,
          "shoot the plate with more of the (textured) scene visible, or turn alignment off (--no-align)",
        );
      }
      warnings.push(`plate not aligned: ${alignment.reason}`);
    } else if (options.align === "on" || otherSize || alignment.residualBefore > DEFAULT_ALIGN.skipBelowPx) {
      ({ plate, coverage } = warpPlateWithCoverage(cv, plate, image, alignment.homography));
      known = { ...known, plateSmall: undefined };
      alignment.applied = true;
      alignment.reason = otherSize
        ? `a plate of another size, brought onto the photo`
        : `misaligned by ${alignment.residualBefore.toFixed(1)} px`;
      const covered = coverage.reduce((sum, c) => sum + c, 0) / coverage.length;
      if (covered < UNCOVERED_WARNING)
        warnings.push(
          `the aligned plate covers ${(100 * covered).toFixed(0)} % of the photo; beyond it the photo is taken as background`,
        );
    } else {
      alignment.reason = `already aligned (${alignment.residualBefore.toFixed(2)} px)`;
    }
    timings.align = performance.now() - t;
    t = performance.now();
  }
  let exposure: ExposureReport | null = null;
  let difference: DifferenceMask | undefined;
  const imageSmall = known.imageSmall ?? small(image);
  let plateSmall = known.plateSmall ?? small(plate);
  if (options.exposure) {
    if (!subjectSmall) difference = subjectBeforeExposure(cv, imageSmall, plateSmall);
    exposure = measureExposure(cv, imageSmall, plateSmall, subjectSmall ?? difference!.mask);
    timings.exposure = performance.now() - t;
  }
  const reExposed = coverage && exposure && reExposeUncovered(plate, image, coverage, exposure);
  if (reExposed) [plate, plateSmall] = [reExposed, small(reExposed)];
  let prepared: Plate = { image: plate, exposure };
  plateSmall = matchExposure(prepared, plateSmall);
  t = performance.now();
  const focus = measureFocus(cv, image, prepared, imageSmall, plateSmall);
  const refocused = refocusPlate(cv, plate, focus);
  let asShot: Plate | undefined;
  if (refocused !== plate) {
    asShot = prepared;
    prepared = { image: refocused, exposure };
    plateSmall = matchExposure(prepared, small(refocused));
  }
  timings.focus = performance.now() - t;
  return {
    plate: prepared,
    small: plateSmall,
    alignment,
    exposure,
    focus,
    asShot,
    difference,
    coverage,
    warnings,
    timings,
  };
}

/**
 * Where the warp left the plate empty it holds the photo, at the photo's exposure; the matching would move it off the
 * photo by its gain and bias, and the frame's edge would read as subject (a strip of partial α along it when the plate
 * was shot 30 % darker). There a copy of the plate takes the photo through the matching's inverse, so that matched it
 * is the photo again. Undefined when the warp covered every pixel.
 */
function reExposeUncovered(
  plate: FloatImage,
  image: FloatImage,
  coverage: Float32Array,
  { gain, bias }: ExposureReport,
): FloatImage | undefined {
  if (!coverage.some((cover) => cover < 1)) return undefined;
  const out = { ...plate, data: plate.data.slice() };
  for (let p = 0; p < coverage.length; p++) {
    const empty = 1 - coverage[p];
    if (empty <= 0) continue;
    for (let c = 0; c < 3; c++) {
      const i = 3 * p + c;
      const unexposed = Math.min(1, Math.max(0, (image.data[i] - bias[c]) / gain[c]));
      out.data[i] += empty * (unexposed - image.data[i]);
    }
  }
  return out;
}

/** Share of the photo below which the aligned plate's coverage is reported: a subject beyond it is lost. */
const UNCOVERED_WARNING = 0.9;

/** Share of the frame above which the plain difference is taken for an exposure change, not a subject. */
const MOSTLY_DIFFERENT = 0.5;

/**
 * The subject for the exposure ring: where the photo differs from the plate. A plate shot a stop darker or brighter
 * differs everywhere, and the ring around a mask that covers the frame fits nothing (the person photo's plate at 0.6 of
 * its exposure came out matted whole). Where the difference covers most of the frame, the exposure is first fitted
 * over all of it (the fit's trimming drops a subject that is a minority), and the difference against that plate is
 * taken if it is less than half the first: else the subject does fill the frame, and the first stands.
 */
function subjectBeforeExposure(cv: CV, image: FloatImage, plate: FloatImage): DifferenceMask {
  const plain = differenceMask(cv, image, plate);
  const covered = (m: DifferenceMask) => m.mask.data.reduce((n, v) => n + v, 0) / m.mask.data.length;
  const share = covered(plain);
  if (share <= MOSTLY_DIFFERENT) return plain;
  const everywhere = Array.from({ length: image.width * image.height }, (_, p) => p);
  const matched = differenceMask(cv, image, applyExposure(plate, fitExposure(cv, image, plate, everywhere)));
  return covered(matched) < share / 2 ? matched : plain;
}
