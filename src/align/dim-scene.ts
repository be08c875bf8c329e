/**
 * A dim scene is brightened before it is matted. The compositing equation holds the same for the photo and the plate
 * times one gain (kI = α·kF + (1 − α)·kB), so α does not change with exposure, but the networks learned from scenes
 * lit as photos usually are: the person photo at a fifth of its exposure (and a camera's noise) came out with her
 * hair a solid blob and a notch in her neck. Photo and plate are raised by one gain, from the brighter of their
 * 99th percentiles, and the foreground is brought back to the photo's own brightness afterwards.
 */
import { histogramQuantile } from "../cv/histogram.js";
import type { FloatImage } from "../image/types.js";

export interface DimSceneOptions {
  /** Where the gain brings the 99th percentile of the brighter of photo and plate (grey level, 0–1). */
  target: number;
  /** Gains below this leave the scene as it is: a photo that is only a little dark is matted well already. */
  minGain: number;
  /** The most a scene is raised (its noise is raised with it). */
  maxGain: number;
}

// Measured on the person photo at 960×540 with a camera's noise (σ 3 grey levels), mean |α − α in full light| ×10⁻³,
// at a fifth of its exposure, matted dim → raised to 0.9 → raised to 0.6: `balanced` 7.3 → 3.0 → 2.8 (see-through
// 0.13 % → 0 → 0), `fast` with `bm-live-cam` 3.5 → 2.5 → 2.1, with `bm-live` 2.9 → 2.3 → 1.9; raised to 0.45, 2.6 /
// 2.2 / 2.0. On the fixed-camera clip at a fifth of its light (noise, H.264), `fast`, three frames against the lit
// clip's: 8.1 / 4.0 / 3.9 → 7.1 / 6.2 / 4.6 → 4.7 / 2.8 / 1.8 (to 0.9 the noise raised drew specks over the road).
// Realpairs' dark fabrics are scenes shot dark, not dim ones (their brightest 1 % at 0.42–0.60 grey): brightened
// from a gain of 1.5 towards 0.9, the glass jugs turned solid (realpairs 54.35 → 61.01). Only a scene whose brightest
// 1 % lies under 0.3 is brightened: no evaluation item.
export const DEFAULT_DIM_SCENE: DimSceneOptions = { target: 0.6, minGain: 2, maxGain: 5 };

/** The stride over pixels the percentile samples: every frame of a video and of the live page asks (4–8 ms for a
 * 1920×1080 frame, the plate read only when the photo is dim). */
const STRIDE = 16;

/** The gain that brings a dim scene to the target, in quarter steps (a clip's frames keep one gain); 1 if not dim. */
export function dimSceneGain(image: FloatImage, plate: FloatImage, opts = DEFAULT_DIM_SCENE): number {
  const dimmest = opts.target / opts.minGain; // brighter than this, the scene is not dim
  const own = percentile99(image);
  if (own > dimmest) return 1;
  const bright = Math.max(own, percentile99(plate));
  const gain = Math.min(opts.maxGain, opts.target / Math.max(bright, 1e-3));
  return gain < opts.minGain ? 1 : Math.floor(gain * 4) / 4;
}

function percentile99({ data, channels }: FloatImage): number {
  const step = channels * STRIDE;
  const greys = new Float32Array(Math.ceil(data.length / step));
  for (let i = 0, k = 0; i < data.length; i += step, k++)
    greys[k] = (data[i] + data[i + 1] + data[i + 2]) / 3;
  return histogramQuantile(greys, 0.99);
}

/** The image times `gain`, clipped to 1. */
export function brighten(image: FloatImage, gain: number): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, image.data[i] * gain);
  return { ...image, data };
}

/** The foreground of the brightened scene (in place) at the photo's brightness: F / gain, and the photo's own colour
 * where brightening clipped it (a highlight's colour is lost there). */
export function restoreForeground(foreground: FloatImage, image: FloatImage, gain: number): void {
  const { data: F } = foreground;
  const { data: I } = image;
  for (let i = 0; i < F.length; i += 3) {
    const clipped = I[i] * gain >= 1 || I[i + 1] * gain >= 1 || I[i + 2] * gain >= 1;
    for (let c = 0; c < 3; c++) F[i + c] = clipped ? I[i + c] : F[i + c] / gain;
  }
}
