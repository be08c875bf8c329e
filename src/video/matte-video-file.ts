/**
 * A clip in, videos out: every frame matted (with motion cues and temporal smoothing, src/video/matte-video.ts),
 * composited on the target and encoded as the composite (with the clip's audio), the alpha and the transparent
 * foreground, plus optional RGBA PNGs. Outputs are written atomically: on an error none is left under its name.
 */
import { foregroundRgba } from "../composite/composite.js";
import { BgmatteError, throwIfAborted } from "../errors.js";
import { toUint8 } from "../image/types.js";
import type { Matter } from "../node/matter.js";
import type { VideoInfo } from "./ffmpeg.js";
import { matteVideo, type VideoMatteOptions } from "./matte-video.js";
import { VideoOutputSink, type VideoOutputs } from "./output-sink.js";
import type { VideoTarget } from "./target.js";

export type { VideoOutputs } from "./output-sink.js";

export interface VideoFileJob extends VideoMatteOptions {
  clip: string;
  info: VideoInfo;
  target: VideoTarget;
  outputs: VideoOutputs;
  /** Stop after this many frames (previews). */
  maxFrames?: number;
  /** Called after each frame: frames done, and the frames expected (from the clip's header) when it says. */
  onProgress?: (progress: { done: number; total?: number }) => void;
  /** Stops the job at the next frame: the outputs are removed and the promise rejects with an ABORTED error. */
  signal?: AbortSignal;
  /** Keep the outputs of a clip that ends well before its header says (truncated); by default that is an error. */
  acceptShort?: boolean;
}

export interface VideoFileReport {
  frames: number;
  /** Frames the clip's header announces (duration × frame rate), when it says. */
  expected?: number;
  /** The clip ended well before its header says (kept because `acceptShort` was given). */
  truncated: boolean;
  fps: number;
  /** Resident memory at 10 % and 90 % of the clip (a long clip must not grow). */
  memory: Record<string, string>;
}

export async function matteVideoFile(matter: Matter, job: VideoFileJob): Promise<VideoFileReport> {
  const { info } = job;
  const sink = await VideoOutputSink.open(job.outputs, info, {
    audioFrom: info.hasAudio ? job.clip : undefined,
  });
  const maxFrames = job.maxFrames ?? Infinity;
  const total = Math.min(
    maxFrames,
    Number.isFinite(info.duration) ? Math.round(info.duration * info.fps) : Infinity,
  );
  const memory: Record<string, string> = {};
  const started = Date.now();
  let done = 0;
  let truncated = false;
  try {
    for await (const frame of matteVideo(matter, job.clip, info, job)) {
      await sink.write(toUint8(foregroundRgba(frame.result)), frame.index, await job.target.next());
      done++;
      if (done === Math.round(total * 0.1)) memory["10%"] = memoryNow();
      if (done === Math.round(total * 0.9)) memory["90%"] = memoryNow();
      job.onProgress?.({ done, total: Number.isFinite(total) ? total : undefined });
      throwIfAborted(job.signal, `matting ${job.clip}`);
      if (done >= maxFrames) break;
    }
    truncated = isTruncated(done, total, maxFrames);
    if (truncated && !job.acceptShort) throw truncatedError(done, total);
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  const expected = Number.isFinite(total) ? total : undefined;
  return { frames: done, expected, truncated, fps: done / ((Date.now() - started) / 1000), memory };
}

/** A clip that gave clearly fewer frames than its header announces (a few frames of rounding are normal). */
export function isTruncated(done: number, total: number, maxFrames = Infinity): boolean {
  return done < maxFrames && done < total - Math.max(2, 0.03 * total);
}

export function truncatedError(done: number, total: number): BgmatteError {
  return new BgmatteError(
    "INPUT_UNREADABLE",
    `the clip ended after ${done} of the ${total} frames its header announces: it looks truncated`,
    "copy the file again, or pass --accept-short to keep what could be read",
  );
}

function memoryNow(): string {
  const m = process.memoryUsage();
  const mb = (v: number) => Math.round(v / 2 ** 20);
  return `${mb(m.rss)} MB (JS heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)})`;
}
