/**
 * Matting a clip frame by frame with motion cues, as an async iterator: memory stays bounded by the look-ahead
 * (2T frames), whatever the clip's length.
 */
import { estimateHomography, warpPlateWithCoverage } from "../align/homography.js";
import { HomographyTrack, TRACK_RADIUS } from "../align/homography-track.js";
import { loadOpenCV } from "../cv/opencv.js";
import { fitSize, resize } from "../image/geometry.js";
import { fromUint8, stackChannels, toGrey, type FloatImage } from "../image/types.js";
import type { Matter } from "../node/matter.js";
import type { MatteResult } from "../pipeline.js";
import { decodeFrames, type VideoInfo } from "./ffmpeg.js";
import { TemporalSmoother, type TemporalOptions } from "./temporal.js";

export interface VideoMatteOptions {
  plate: FloatImage;
  /** Motion-cue spacing T in seconds (the original: 20 frames at 30 fps ≈ 2/3 s). */
  motionSeconds: number;
  /** Hand-held clips: align the plate to every frame (homographies filtered without lag). */
  handHeld: boolean;
  temporal: TemporalOptions;
  /** Only frames [from, to) of the clip (a queue's chunk); the whole clip when undefined. */
  range?: FrameRange;
}

/**
 * A chunk of a clip that gives the same mattes as matting the whole clip: `warmup` frames before `from` are matted
 * (not yielded) so that the flicker filter's state has converged by `from`, and motion cues come from frames up to
 * 2T either side, decoded beyond the chunk.
 */
export interface FrameRange {
  from: number;
  /** Exclusive; Infinity = to the clip's end. */
  to: number;
  warmup: number;
}

export interface VideoFrameResult {
  index: number;
  /** Presentation time in seconds. */
  time: number;
  image: FloatImage;
  result: MatteResult;
}

/** Motion cues are kept at this longer side; the pipeline crops them like the frame. */
const MOTION_SIZE = 384;

/** Indices of the 4 motion frames for frame t (clamped to the clip). */
export function motionIndices(t: number, T: number, last: number): [number, number, number, number] {
  const c = (i: number) => Math.min(last, Math.max(0, i));
  return [c(t - 2 * T), c(t - T), c(t + T), c(t + 2 * T)];
}

export async function* matteVideo(
  matter: Matter,
  clip: string,
  info: VideoInfo,
  opts: VideoMatteOptions,
): AsyncGenerator<VideoFrameResult> {
  const cv = await loadOpenCV();
  const T = Math.max(1, Math.round(opts.motionSeconds * info.fps));
  const small = fitSize(info.width, info.height, Math.min(MOTION_SIZE, Math.max(info.width, info.height)), 1);
  const frames = new Map<number, Uint8Array>();
  const greys = new Map<number, FloatImage>();
  const smoother = new TemporalSmoother(opts.temporal);
  const track = new HomographyTrack(cv, info.width, info.height);
  const frameImage = (t: number) => fromUint8(frames.get(t)!, info.width, info.height, 3);
  const { from = 0, to = Infinity, warmup = 0 } = opts.range ?? {};
  const firstMatted = Math.max(0, from - warmup);
  // Frames before this are only needed as motion cues (and as the first hand-held homographies' neighbours).
  const firstDecoded = Math.max(0, firstMatted - 2 * T);
  const firstKept = firstMatted - TRACK_RADIUS;
  // Far into a long clip of constant rate, seek rather than decode every frame before the chunk (a second early, to
  // be safe). A clip of variable rate is decoded from its start: where a seek lands there is not a known frame.
  const margin = Math.max(10, Math.round(info.fps));
  const seekTo = info.constantRate && firstDecoded > 2 * margin ? firstDecoded - margin : 0;

  /** The plate warped onto frame t by its homography, filtered with its neighbours' (the look-ahead 2T ≥ 2 has decoded
   * them), and what of the frame it covers. */
  const plateFor = (
    t: number,
    image: FloatImage,
    last: number,
  ): { plate: FloatImage; coverage?: Float32Array } => {
    for (const j of track.window(t, last))
      if (!track.has(j)) track.record(j, estimateHomography(cv, frameImage(j), opts.plate).homography);
    const h = track.filtered(t, last);
    return h ? warpPlateWithCoverage(cv, opts.plate, image, h) : { plate: opts.plate };
  };

  const process = async (t: number, last: number): Promise<VideoFrameResult> => {
    const image = frameImage(t);
    const motion = stackChannels(motionIndices(t, T, last).map((i) => greys.get(i)!));
    const { plate, coverage } = opts.handHeld ? plateFor(t, image, last) : { plate: opts.plate };
    const result = await matter.matteImages({ image, plate, motion, plateCoverage: coverage });
    result.alpha = smoother.apply(image, result.alpha);
    return { index: t, time: t / info.fps, image, result };
  };

  let next = firstMatted;
  let count = seekTo;
  for await (const rgb of decodeFrames(clip, info, { startFrame: seekTo })) {
    const i = count++;
    if (i < firstDecoded) continue;
    if (i >= firstKept) frames.set(i, rgb);
    greys.set(i, toGrey(resize(fromUint8(rgb, info.width, info.height, 3), small.width, small.height)));
    // Frame t is ready once t + 2T has been decoded.
    while (next + 2 * T <= i && next < to) {
      const frame = await process(next, Infinity);
      if (next >= from) yield frame;
      frames.delete(next);
      frames.delete(next - TRACK_RADIUS);
      greys.delete(next - 2 * T);
      next++;
    }
    if (next >= to) return;
  }
  for (; next < Math.min(count, to); next++) {
    const frame = await process(next, count - 1);
    if (next >= from) yield frame;
  }
}
