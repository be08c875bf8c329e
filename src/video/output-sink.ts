/**
 * Where matted frames go: the composite on the target (with the clip's audio), the alpha, the transparent
 * foreground and optional RGBA PNGs. Frames arrive as 8-bit RGBA (foreground colour and α): `bgmatte video` and a
 * queued chunk write through the same code, so the α a chunk keeps losslessly is byte for byte the α a one-machine
 * run encodes. Videos are written atomically: `abort` leaves nothing under their names.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { compositeRgbaBytes, type Rgb } from "../composite/composite.js";
import { BgmatteError } from "../errors.js";
import { writePng } from "../image/codec-node.js";
import { fromUint8, type FloatImage } from "../image/types.js";
import { noteKeptOnInterrupt } from "../io/atomic-write.js";
import type { VideoInfo } from "./ffmpeg.js";
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

export interface SinkOptions {
  /** The clip whose audio the composite keeps (none for a queued chunk's piece). */
  audioFrom?: string;
  /** α as lossless grey FFV1 (a queued chunk's, for the join to encode whole) instead of grey H.264. */
  losslessAlpha?: boolean;
}

export class VideoOutputSink {
  private readonly writers: Partial<Record<"composite" | "alpha" | "fg", VideoWriter>>;

  private constructor(
    private readonly outputs: VideoOutputs,
    private readonly info: VideoInfo,
    { audioFrom, losslessAlpha = false }: SinkOptions,
  ) {
    const base = { width: info.width, height: info.height, fps: info.fps };
    this.writers = {
      composite: outputs.composite
        ? new VideoWriter(outputs.composite, { ...base, format: "mp4", audioFrom })
        : undefined,
      alpha: outputs.alpha
        ? new VideoWriter(outputs.alpha, {
            ...base,
            format: losslessAlpha ? "mkv-lossless-grey" : "mp4-grey",
          })
        : undefined,
      fg: outputs.fg ? new VideoWriter(outputs.fg, { ...base, format: "webm-alpha" }) : undefined,
    };
  }

  static async open(
    outputs: VideoOutputs,
    info: VideoInfo,
    options: SinkOptions = {},
  ): Promise<VideoOutputSink> {
    if (!outputs.composite && !outputs.alpha && !outputs.fg && !outputs.frames)
      throw new BgmatteError(
        "INVALID_OPTION",
        "no output to write",
        "give at least one of composite, alpha, fg, frames",
      );
    if (outputs.frames) {
      await mkdir(outputs.frames, { recursive: true });
      noteKeptOnInterrupt(`${outputs.frames}/ (the frames written so far)`);
    }
    return new VideoOutputSink(outputs, info, options);
  }

  /** Frame `index` (from 0) as RGBA bytes, over `target` (a colour, or an image of the frame's size). */
  async write(rgba: Uint8Array, index: number, target: Rgb | FloatImage): Promise<void> {
    const { width, height } = this.info;
    const { composite, alpha, fg } = this.writers;
    await composite?.write(compositeRgbaBytes(rgba, target));
    if (alpha) {
      const a = new Uint8Array(width * height);
      for (let p = 0; p < a.length; p++) a[p] = rgba[4 * p + 3];
      await alpha.write(a);
    }
    await fg?.write(rgba);
    if (this.outputs.frames)
      await writePng(
        join(this.outputs.frames, `frame_${String(index + 1).padStart(6, "0")}.png`),
        fromUint8(rgba, width, height, 4),
      );
  }

  async finish(): Promise<void> {
    for (const w of Object.values(this.writers)) await w?.finish();
  }

  async abort(): Promise<void> {
    for (const w of Object.values(this.writers)) await w?.abort();
  }
}
