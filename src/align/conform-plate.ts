/** A plate given at another size than the photo, brought to it or kept for the alignment (align/prepare-plate). */
import { BgmatteError } from "../errors.js";
import { resize } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";

/** "the plate is W×H but the photo is W×H", and whether their aspect ratios differ (by more than 1 %). */
export function sizeMismatch(plate: Size, image: Size): { sizes: string; otherAspect: boolean } {
  const ratio = plate.width / plate.height / (image.width / image.height);
  const sizes = `the plate is ${plate.width}×${plate.height} but the photo is ${image.width}×${image.height}`;
  const otherAspect = Math.abs(ratio - 1) > 0.01;
  return { sizes: otherAspect ? `${sizes}: their aspect ratios differ` : sizes, otherAspect };
}

type Size = { width: number; height: number };

/**
 * Plate and image must show the same scene. A plate of the photo's aspect (within 1 %) is resized to its size. One of
 * another aspect (a frame of a 16:9 clip for a 4:3 photo, a cropped photo) is kept as it is when `alignable`, for the
 * alignment to bring onto the photo by its features (align/prepare-plate); else it is refused (video: its frames are
 * matted against one plate of their size).
 */
export function conformPlate(
  plate: FloatImage,
  image: Size,
  warnings: string[],
  alignable = false,
): FloatImage {
  if (plate.width === image.width && plate.height === image.height) return plate;
  const { sizes, otherAspect } = sizeMismatch(plate, image);
  if (!otherAspect) {
    warnings.push(`plate resized from ${plate.width}×${plate.height} to ${image.width}×${image.height}`);
    return resize(plate, image.width, image.height);
  }
  if (!alignable)
    throw new BgmatteError(
      "SIZE_MISMATCH",
      sizes,
      "shoot the plate with the same camera and framing as the photo (same resolution, no crop)",
    );
  warnings.push(`${sizes}, so the plate is aligned to the photo by its features`);
  return plate;
}
