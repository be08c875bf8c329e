/**
 * A clip in, videos out: every frame matted (with motion cues and temporal smoothing, src/video/matte-video.ts),
 * composited on the target and encoded as the composite (with the clip's audio), the alpha and the transparent
 * foreground, plus optional RGBA PNGs. Outputs are written atomically: on an error none is left under its name.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { composite, foregroundRgba } from "../composite/composite.js";
import { BgmatteError, throwIfAborted } from "../errors.js";
import { writePng } from "../image/codec-node.js";
import { noteKeptOnInterrupt } from "../io/atomic-write.js";
import { toUint8 } from "../image/types.js";
import type { Matter } from "../node/matter.js";
import type { VideoInfo } from "./ffmpeg.js";
import { matteVideo, type VideoMatteOptions } from "./matte-video.js";
import type { VideoTarget } from "./target.js";
import { VideoWriter } from "./writer.js";

/** Each output is written when it has a path; at least one must. */
export interface VideoOutputs {
  /** The subject on the target, H.264 with the clip's audio. */
  composite?: string;
  /** The matte as grey H.264. */
  alpha?: string;
  /** The transparent WebM (VP9 with alpha). */
  fg?: string;
  /** A folder for one RGBA PNG per frame; none when undefined. */
  frames?: string;
}

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
  const { info, outputs } = job;
  const base = { width: info.width, height: info.height, fps: info.fps };
  const audioFrom = info.hasAudio ? job.clip : undefined;
  if (!outputs.composite && !outputs.alpha && !outputs.fg && !outputs.frames)
    throw new BgmatteError(
      "INVALID_OPTION",
      "no output to write",
      "give at least one of composite, alpha, fg, frames",
    );
  const writers = {
    composite: outputs.composite
      ? new VideoWriter(outputs.composite, { ...base, format: "mp4", audioFrom })
      : undefined,
    alpha: outputs.alpha ? new VideoWriter(outputs.alpha, { ...base, format: "mp4-grey" }) : undefined,
    fg: outputs.fg ? new VideoWriter(outputs.fg, { ...base, format: "webm-alpha" }) : undefined,
  };
  const all = Object.values(writers).filter((w) => w !== undefined);
  if (outputs.frames) {
    await mkdir(outputs.frames, { recursive: true });
    noteKeptOnInterrupt(`${outputs.frames}/ (the frames written so far)`);
  }
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
      await writers.composite?.write(toUint8(composite(frame.result, await job.target.next())));
      await writers.alpha?.write(toUint8(frame.result.alpha));
      const rgba = writers.fg || outputs.frames ? foregroundRgba(frame.result) : undefined;
      if (rgba) await writers.fg?.write(toUint8(rgba));
      if (rgba && outputs.frames)
        await writePng(join(outputs.frames, `frame_${String(frame.index + 1).padStart(6, "0")}.png`), rgba);
      done++;
      if (done === Math.round(total * 0.1)) memory["10%"] = memoryNow();
      if (done === Math.round(total * 0.9)) memory["90%"] = memoryNow();
      job.onProgress?.({ done, total: Number.isFinite(total) ? total : undefined });
      throwIfAborted(job.signal, `matting ${job.clip}`);
      if (done >= maxFrames) break;
    }
    truncated = done < maxFrames && done < total - Math.max(2, 0.03 * total);
    if (truncated && !job.acceptShort) {
      throw new BgmatteError(
        "INPUT_UNREADABLE",
        `the clip ended after ${done} of the ${total} frames its header announces: it looks truncated`,
        "copy the file again, or pass --accept-short to keep what could be read",
      );
    }
    for (const w of all) await w.finish();
  } catch (e) {
    for (const w of all) await w.abort();
    throw e;
  }
  const expected = Number.isFinite(total) ? total : undefined;
  return { frames: done, expected, truncated, fps: done / ((Date.now() - started) / 1000), memory };
}

function memoryNow(): string {
  const m = process.memoryUsage();
  const mb = (v: number) => Math.round(v / 2 ** 20);
  return `${mb(m.rss)} MB (JS heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)})`;
}
