/**
 * Encoding frames through an ffmpeg pipe into a temporary file that is renamed into place only when the whole
 * clip is done (an interrupted job leaves nothing under the final name).
 */
import { type ChildProcess } from "node:child_process";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";
import { BgmatteError } from "../errors.js";
import { removeStaleTemporaries, temporaryPathFor, trackTemporary } from "../io/atomic-write.js";
import { spawnFfmpeg } from "./ffmpeg.js";

export type VideoFormat = "mp4" | "webm-alpha" | "mp4-grey" | "mkv-lossless-grey";

export interface WriterOptions {
  width: number;
  height: number;
  fps: number;
  format: VideoFormat;
  /** Copy the audio of this file into the output (when it has any). */
  audioFrom?: string;
}

/** `evenSides`: the codec needs even width and height (4:2:0 chroma). */
const CODECS: Record<VideoFormat, { pixIn: string; args: string[]; ext: string; evenSides: boolean }> = {
  mp4: {
    pixIn: "rgb24",
    args: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-preset", "veryfast"],
    ext: ".mp4",
    evenSides: true,
  },
  "mp4-grey": {
    pixIn: "gray",
    args: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12", "-preset", "veryfast"],
    ext: ".mp4",
    evenSides: true,
  },
  // Lossless α (FFV1): a queued chunk's matte, re-encoded whole by the join so that it equals a one-machine run's.
  "mkv-lossless-grey": {
    pixIn: "gray",
    args: ["-c:v", "ffv1", "-pix_fmt", "gray"],
    ext: ".mkv",
    evenSides: false,
  },
  "webm-alpha": {
    pixIn: "rgba",
    args: [
      "-c:v",
      "libvpx-vp9",
      "-pix_fmt",
      "yuva420p",
      "-b:v",
      "0",
      "-crf",
      "30",
      "-deadline",
      "realtime",
      "-cpu-used",
      "8",
    ],
    ext: ".webm",
    evenSides: true,
  },
};

/** H.264 and VP9 in 4:2:0 need even sides: an odd frame is padded by one pixel (right or bottom). */
export function encodedSize(width: number, height: number): { width: number; height: number } {
  return { width: width + (width % 2), height: height + (height % 2) };
}

export class VideoWriter {
  private readonly child: ChildProcess;
  private readonly tmp: string;
  private readonly untrack: () => void;
  private stderr = "";
  /** Settles when ffmpeg exits, with its exit code: a write must not wait for a drain that never comes. */
  private readonly exited: Promise<number | null>;

  constructor(
    private readonly path: string,
    opts: WriterOptions,
  ) {
    const codec = CODECS[opts.format];
    removeStaleTemporaries(path);
    this.tmp = temporaryPathFor(path) + codec.ext; // ffmpeg picks the container from the extension
    this.untrack = trackTemporary(this.tmp);
    const audio = opts.audioFrom
      ? [
          "-i",
          opts.audioFrom,
          "-map",
          "0:v",
          "-map",
          "1:a?",
          "-c:a",
          opts.format === "webm-alpha" ? "libopus" : "aac",
          "-shortest",
        ]
      : [];
    const even = codec.evenSides ? encodedSize(opts.width, opts.height) : opts;
    const pad =
      even.width !== opts.width || even.height !== opts.height
        ? ["-vf", `pad=${even.width}:${even.height}`]
        : [];
    const args = [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "rawvideo",
      "-pix_fmt",
      codec.pixIn,
      "-s",
      `${opts.width}x${opts.height}`,
      "-r",
      String(opts.fps),
      "-i",
      "-",
      ...audio,
      ...pad,
      ...codec.args,
      this.tmp,
    ];
    this.child = spawnFfmpeg(args, { stdio: ["pipe", "ignore", "pipe"] });
    this.child.stderr!.on("data", (d) => (this.stderr += d));
    // A closed pipe (the encoder gave up) is reported by `exited`, not as an unhandled stream error.
    this.child.stdin!.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code) => resolve(code));
      this.child.once("error", () => resolve(-1));
    });
  }

  private failure(): BgmatteError {
    return new BgmatteError(
      "OUTPUT_NOT_WRITABLE",
      `ffmpeg failed writing ${this.path}: ${this.stderr.trim() || "it exited early"}`,
      "check the disk space and that the output folder is writable (or set BGMATTE_FFMPEG to another ffmpeg)",
    );
  }

  async write(frame: Uint8Array): Promise<void> {
    if (this.child.exitCode !== null || this.child.stdin!.destroyed) throw this.failure();
    if (this.child.stdin!.write(frame)) return;
    const outcome = await Promise.race([
      once(this.child.stdin!, "drain").then(() => "drained" as const),
      this.exited.then(() => "exited" as const),
    ]);
    if (outcome === "exited") throw this.failure();
  }

  async finish(): Promise<void> {
    this.child.stdin!.end();
    const code = await this.exited;
    if (code !== 0) {
      await this.abort();
      throw this.failure();
    }
    await rename(this.tmp, this.path);
    this.untrack();
  }

  async abort(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
    await rm(this.tmp, { force: true });
    this.untrack();
  }
}
