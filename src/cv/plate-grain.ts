/**
 * A plate's fine grain: what is left of its grey level after a 5×5 mean (a wall's paint, a backdrop's weave, printed
 * paper), too faint for the texture test (cv/plate-texture), whose spread must stand well above a camera's noise.
 * Where the background shows, the photo repeats that grain under its own noise; where something solid hides it, nothing
 * in the photo follows it. Over a region, the correlation of the two grains is well above 0 where the plate is seen
 * and near 0 where it is hidden; how far above 0 depends on how strong the grain is beside the noise, so a region's
 * correlation means something only beside the correlation nearby over a grain as strong (not over the plate's edges,
 * a tower against the sky, which a photo repeats through any noise), and only over enough pixels to stand out of
 * chance. How much of the grain the photo repeats (the slope of its grain against the plate's) is the same test
 * unmoved by what else the photo adds: strands crossing a gap lower the correlation, not the slope. The plate read is
 * the one as shot, not one blurred to the photo's focus, which keeps little of its grain.
 */
import { boxFilter } from "../image/box-filter.js";
import { toGrey, type FloatImage } from "../image/types.js";

/** Both grey levels and their fine grain (the grey level less its 5×5 mean), per pixel. */
export interface GrainBands {
  photoGrey: Float32Array;
  plateGrey: Float32Array;
  photoGrain: Float32Array;
  plateGrain: Float32Array;
}

/** What the photo does with the plate's grain over a set of pixels. */
export interface GrainOver {
  pixels: number;
  /** Correlation of the photo's grain with the plate's there (0 where it follows none of it). */
  correlation: number;
  /** The plate's grain there: its root mean square. */
  amplitude: number;
  /** The photo's mean grey level over the plate's. */
  brightness: number;
  /** How much of the plate's grain the photo repeats (the slope of its grain against the plate's: 1 where the plate
   * shows as it is, 0 where it is hidden), whatever else the photo adds… */
  slope: number;
  /** …and that slope's standard error, from what the grain does not explain (4 px counted as one). */
  slopeError: number;
}

/** The grain bands of `image` and `plate` (exposure-matched, the same size). */
export function grainBands(image: FloatImage, plate: FloatImage): GrainBands {
  const photo = toGrey(image);
  const back = toGrey(plate);
  const highPass = (grey: FloatImage) => {
    const mean = boxFilter(grey, 2).data;
    return grey.data.map((v, p) => v - mean[p]);
  };
  return {
    photoGrey: photo.data,
    plateGrey: back.data,
    photoGrain: highPass(photo),
    plateGrain: highPass(back),
  };
}

/** The grain over the pixels `at` lists (indices into the bands). */
export function grainOver(bands: GrainBands, at: ArrayLike<number>): GrainOver {
  const { photoGrey, plateGrey, photoGrain, plateGrain } = bands;
  let [both, photo2, plate2, photoSum, plateSum] = [0, 0, 0, 0, 0];
  for (let i = 0; i < at.length; i++) {
    const p = at[i];
    both += photoGrain[p] * plateGrain[p];
    photo2 += photoGrain[p] * photoGrain[p];
    plate2 += plateGrain[p] * plateGrain[p];
    photoSum += photoGrey[p];
    plateSum += plateGrey[p];
  }
  const n = at.length;
  const slope = plate2 > 0 ? both / plate2 : 0;
  // The photo's grain the plate's leaves unexplained (its squares' sum).
  const left = Math.max(0, photo2 - slope * both);
  return {
    pixels: n,
    correlation: photo2 > 0 && plate2 > 0 ? both / Math.sqrt(photo2 * plate2) : 0,
    amplitude: n ? Math.sqrt(plate2 / n) : 0,
    brightness: plateSum > 0 ? photoSum / plateSum : 0,
    slope,
    slopeError: plate2 > 0 && n > CORRELATED ? Math.sqrt((left / plate2) * (CORRELATED / n)) : Infinity,
  };
}

/** How many standard errors a correlation `r` over `pixels` stands from chance. Neighbouring grains are not
 * independent (the 5×5 mean couples them), so every `CORRELATED` pixels count as one. */
export function grainEvidence(r: number, pixels: number): number {
  return r * Math.sqrt(pixels / CORRELATED);
}

const CORRELATED = 4;
