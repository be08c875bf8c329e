/** Pre-processing of the plate before matting: alignment to the photo, then exposure matching. */
import type { CV } from "../cv/opencv.js";
import { BgmatteError } from "../errors.js";
import type { FloatImage } from "../image/types.js";
import { differenceMask } from "../prior/plate-difference.js";
import { applyExposure, measureExposure, type ExposureReport } from "./exposure.js";
import { DEFAULT_ALIGN, estimateHomography, warpPlate, type AlignmentReport } from "./homography.js";

export interface PrepareOptions {
  align: "auto" | "on" | "off";
  exposure: boolean;
}

export interface PreparedPlate {
  plate: FloatImage;
  alignment: AlignmentReport | null;
  exposure: ExposureReport | null;
  warnings: string[];
  timings: Record<string, number>;
}

/**
 * `small` downsizes a full-resolution image to the analysis size (where statistics are measured);
 * `subjectSmall` is the user's mask at that size, if any (else the plate difference finds the subject).
 */
export function preparePlate(
  cv: CV,
  image: FloatImage,
  plate: FloatImage,
  small: (im: FloatImage) => FloatImage,
  options: PrepareOptions,
  subjectSmall?: FloatImage,
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
      alignment.applied = true;
      alignment.reason = `misaligned by ${alignment.residualBefore.toFixed(1)} px`;
    } else {
      alignment.reason = `already aligned (${alignment.residualBefore.toFixed(2)} px)`;
    }
    timings.align = performance.now() - t;
    t = performance.now();
  }
  let exposure: ExposureReport | null = null;
  if (options.exposure) {
    const imageSmall = small(image);
    const plateSmall = small(plate);
    const subject = subjectSmall ?? differenceMask(cv, imageSmall, plateSmall).mask;
    exposure = measureExposure(cv, imageSmall, plateSmall, subject);
    plate = applyExposure(plate, exposure);
    timings.exposure = performance.now() - t;
  }
  return { plate, alignment, exposure, warnings, timings };
}
