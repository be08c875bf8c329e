/**
 * `--plate auto`: the clean plate estimated from the clip itself, as the per-pixel temporal median of frames
 * sampled across it. Works when the subject moves (every pixel shows background in most samples); where
 * many pixels keep changing across the samples, the estimate is flagged as unreliable.
 */
import { fromUint8, type FloatImage } from "../image/types.js";
import { decodeFrames, type VideoInfo } from "./ffmpeg.js";

export interface PlateEstimate {
  plate: FloatImage;
  samples: number;
  /** Share of pixels whose samples spread widely (inter-quartile range > 30 grey levels). */
  unstableFraction: number;
  reliable: boolean;
}

export async function estimateCleanPlate(
  path: string,
  info: VideoInfo,
  samples = 40,
): Promise<PlateEstimate> {
  const total = Number.isFinite(info.duration) ? Math.max(1, Math.round(info.duration * info.fps)) : samples;
  const every = Math.max(1, Math.floor(total / samples));
  const frames: Uint8Array[] = [];
  for await (const f of decodeFrames(path, info, { filter: `select='not(mod(n\\,${every}))'` })) {
    frames.push(f);
    if (frames.length >= samples) break;
  }
  const n = frames.length;
  const size = info.width * info.height * 3;
  const median = new Uint8Array(size);
  const values = new Uint8Array(n);
  let unstable = 0;
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < n; k++) values[k] = frames[k][i];
    values.sort();
    median[i] = values[n >> 1];
    if (i % 3 === 0 && values[Math.floor((3 * n) / 4)] - values[Math.floor(n / 4)] > 30) unstable++;
  }
  const unstableFraction = unstable / (size / 3);
  return {
    plate: fromUint8(median, info.width, info.height, 3),
    samples: n,
    unstableFraction,
    reliable: n >= 10 && unstableFraction < 0.05,
  };
}
