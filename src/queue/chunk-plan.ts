/**
 * How a long clip is cut for the queue. Each chunk mattes frames [from, to) and gives exactly what matting the
 * whole clip gives there: it also decodes the motion cues' 2T frames on either side, and mattes `warmup` frames
 * before `from` (not kept) so that the flicker filter, whose state carries from frame to frame, has forgotten
 * where it started by the time it reaches `from`.
 */
import type { TemporalOptions } from "../video/temporal.js";

export interface ChunkSpan {
  index: number;
  from: number;
  /** Exclusive; null for the last chunk, which runs to the clip's end whatever its header says. */
  to: number | null;
}

/** Default chunk length: 20 s at 30 fps (the warm-up then adds about 8 % of matting). */
export const DEFAULT_CHUNK_FRAMES = 600;

/** The flicker filter weighs the previous α by at most `strength`; after this many frames a start's influence is below 1e-10. */
export function warmupFrames(temporal: TemporalOptions): number {
  if (temporal.strength <= 0) return 0;
  if (temporal.strength >= 0.99) return 3000;
  return Math.ceil(Math.log(1e-10) / Math.log(temporal.strength));
}

/** Chunks of `chunkFrames` frames covering a clip of (about) `totalFrames`. */
export function planChunks(totalFrames: number, chunkFrames: number): ChunkSpan[] {
  const count = Math.max(1, Math.ceil(totalFrames / chunkFrames));
  return Array.from({ length: count }, (_, index) => ({
    index,
    from: index * chunkFrames,
    to: index === count - 1 ? null : (index + 1) * chunkFrames,
  }));
}
