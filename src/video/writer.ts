/**
 * Encoding frames through an ffmpeg pipe into a temporary file that is renamed into place only when the whole
 * clip is done (an interrupted job leaves nothing under the final name).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";
import { BgmatteError } from "../errors.js";
import { temporaryPathFor, trackTemporary } from "../io/atomic-write.js";
import { ffmpegPath } from "./ffmpeg.js";

export type VideoFormat = "mp4" | "webm-alpha" | "mp4-grey";

export interface WriterOptions {
  width: number;
  height: number;
  fps: number;
  format: VideoFormat;
  /** Copy the audio of this file into the output (when it has any). */
  audioFrom?: string;
}

const CODECS: Record<VideoFormat, { pixIn: string; args: string[]; ext: string }> = {
  mp4: {
    pixIn: "rgb24",
    args: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-preset", "veryfast"],
    ext: ".mp4",
  },
  "mp4-grey": {
    pixIn: "gray",
    args: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12", "-preset", "veryfast"],
    ext: ".mp4",
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
  },
};

export class VideoWriter {
  private readonly child: ChildProcess;
  private readonly tmp: string;
  private readonly untrack: () => void;
  private stderr = "";

  constructor(
    private readonly path: string,
    opts: WriterOptions,
  ) {
    const codec = CODECS[opts.format];
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
      ...codec.args,
      this.tmp,
    ];
    this.child = spawn(ffmpegPath(), args, { stdio: ["pipe", "ignore", "pipe"] });
    this.child.stderr!.on("data", (d) => (this.stderr += d));
  }

  async write(frame: Uint8Array): Promise<void> {
    if (!this.child.stdin!.write(frame)) await once(this.child.stdin!, "drain");
  }

  async finish(): Promise<void> {
    this.child.stdin!.end();
    const [code] = (await once(this.child, "exit")) as [number | null];
    if (code !== 0) {
      await this.abort();
      throw new BgmatteError(
        "OUTPUT_NOT_WRITABLE",
        `ffmpeg failed writing ${this.path}: ${this.stderr.trim()}`,
        "check the disk space and that the output folder is writable (or set BGMATTE_FFMPEG to another ffmpeg)",
      );
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
