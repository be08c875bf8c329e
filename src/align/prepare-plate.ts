/** Pre-processing of the plate before matting: alignment to the photo, then exposure matching. */
import type { CV } from "../cv/opencv.js";
import { BgmatteError } from "../errors.js";
import type { FloatImage } from "../image/types.js";
import { differenceMask, type DifferenceMask } from "../cv/plate-difference.js";
import { measureExposure, type ExposureReport } from "./exposure.js";
import { DEFAULT_ALIGN, estimateHomography, warpPlate, type AlignmentReport } from "./homography.js";
import { matchExposure, type Plate } from "./plate.js";

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
  /** The plate-difference subject mask measured for the exposure ring (before exposure matching), if any. */
  difference?: DifferenceMask;
  warnings: string[];
  timings: Record<string, number>;
}

/**
 * `small` downsizes a full-resolution image to the analysis size (where statistics are measured);
 * `subjectSmall` is the user's mask at that size, if any (else the plate difference finds the subject);
 * `known` passes analysis-size images the caller already has (a video's plate is the same every frame).
 */
export function preparePlate(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  small: (im: FloatImage) => FloatImage,
  options: PrepareOptions,
  subjectSmall?: FloatImage,
  known: { imageSmall?: FloatImage; plateSmall?: FloatImage } = {},
): PreparedPlate {
  const warnings: string[] = [];
  const timings: Record<string, number> = {};
  let t = performance.now();
  let alignment: AlignmentReport | null = null;
  if (options.align !== "off") {
    alignment = estimateHomography(cv, image, plate);
    if (!alignment.homography) {
      if (options.align === "on") {
        throw new BgmatteError(
          "ALIGNMENT_FAILED",
          `cannot align the plate to the photo: ${alignment.reason}`,
          "shoot the plate with more of the (textured) scene visible, or turn alignment off (--no-align)",
        );
      }
      warnings.push(`plate not aligned: ${alignment.reason}`);
    } else if (options.align === "on" || alignment.residualBefore > DEFAULT_ALIGN.skipBelowPx) {
      plate = warpPlate(cv, plate, image, alignment.homography);
      known = { ...known, plateSmall: undefined };
      alignment.applied = true;
      alignment.reason = `misaligned by ${alignment.residualBefore.toFixed(1)} px`;
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
    if (!subjectSmall) difference = differenceMask(cv, imageSmall, plateSmall);
    exposure = measureExposure(cv, imageSmall, plateSmall, subjectSmall ?? difference!.mask);
    timings.exposure = performance.now() - t;
  }
  const prepared: Plate = { image: plate, exposure };
  plateSmall = matchExposure(prepared, plateSmall);
  return { plate: prepared, small: plateSmall, alignment, exposure, difference, warnings, timings };
}
