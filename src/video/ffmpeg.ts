/**
 * Locating and running ffmpeg. Precedence: $BGMATTE_FFMPEG, then an `ffmpeg` on PATH (the user's own, usually
 * newer), then the static build shipped by @ffmpeg-installer/ffmpeg.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createRequire } from "node:module";
import { BgmatteError } from "../errors.js";

let cached: string | undefined;

export function ffmpegPath(): string {
  if (cached) return cached;
  const fromEnv = process.env.BGMATTE_FFMPEG;
  if (fromEnv) return (cached = fromEnv);
  if (spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0) return (cached = "ffmpeg");
  try {
    const require = createRequire(import.meta.url);
    return (cached = (require("@ffmpeg-installer/ffmpeg") as { path: string }).path);
  } catch {
    throw new BgmatteError(
      "INPUT_UNREADABLE",
      "no ffmpeg found",
      "install ffmpeg, or set BGMATTE_FFMPEG to its path",
    );
  }
}

let tieAvailable: boolean | undefined;

/**
 * Run ffmpeg so that it dies with this process. A writer whose parent was killed (SIGKILL, OOM) would otherwise read
 * EOF on its pipe and go on to finish a hidden temporary. On Linux, util-linux's `setpriv --pdeathsig` asks the kernel
 * to kill it with its parent (the kernel closes the pipe first, so a small temporary can now and then be finished
 * before the signal lands); elsewhere it finishes. Either way the temporary stays hidden, never takes the final name,
 * and the next run removes it.
 */
export function spawnFfmpeg(args: string[], options: SpawnOptions): ChildProcess {
  tieAvailable ??=
    process.platform === "linux" &&
    spawnSync("setpriv", ["--pdeathsig", "KILL", "--", "true"], { stdio: "ignore" }).status === 0;
  return tieAvailable
    ? spawn("setpriv", ["--pdeathsig", "KILL", "--", ffmpegPath(), ...args], options)
    : spawn(ffmpegPath(), args, options);
}

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  /** Seconds, from the container (NaN when unknown). */
  duration: number;
  hasAudio: boolean;
  /** Degrees the stream is turned for display (phone clips); width and height above are the displayed ones. */
  rotation: number;
  /**
   * The average frame rate equals the nominal one: frames sit on a fixed grid, so a seek lands on a known frame.
   * Unset or false for a clip of variable frame rate, which is then always decoded from its start.
   */
  constantRate?: boolean;
}

/** Read stream facts from `ffmpeg -i` (the bundled build has no ffprobe). */
export function probe(path: string): VideoInfo {
  const r = spawnSync(ffmpegPath(), ["-hide_banner", "-i", path], { encoding: "utf8" });
  const text = r.stderr ?? "";
  const video = /Stream #\d+:\d+.*?: Video: .*?(\d{2,5})x(\d{2,5})[^\n]*?(?:([\d.]+) fps|([\d.]+) tbr)/.exec(
    text,
  );
  const average = /Video: [^\n]*?([\d.]+) fps/.exec(text)?.[1];
  const nominal = /Video: [^\n]*?([\d.]+) tbr/.exec(text)?.[1];
  if (!video) {
    const why = /No such file|does not exist/.test(text)
      ? "it does not exist"
      : "it has no readable video stream";
    throw new BgmatteError(
      "INPUT_UNREADABLE",
      `cannot read the clip "${path}": ${why}`,
      "give a video file ffmpeg can decode (MP4, MOV, WebM, AVI…)",
    );
  }
  const d = /Duration: (\d+):(\d+):([\d.]+)/.exec(text);
  // ffmpeg turns the frames it decodes to their display orientation, as players do: a quarter turn swaps the sides.
  const turn = /rotate\s*:\s*(-?\d+)/.exec(text) ?? /rotation of (-?[\d.]+) degrees/.exec(text);
  const rotation = turn ? ((Math.round(Number(turn[1])) % 360) + 360) % 360 : 0;
  const quarter = rotation === 90 || rotation === 270;
  return {
    rotation,
    width: Number(quarter ? video[2] : video[1]),
    height: Number(quarter ? video[1] : video[2]),
    fps: Number(video[3] ?? video[4]),
    duration: d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : NaN,
    hasAudio: /Stream #\d+:\d+.*?: Audio:/.test(text),
    constantRate:
      average !== undefined &&
      nominal !== undefined &&
      Math.abs(Number(average) / Number(nominal) - 1) < 1e-3,
  };
}

export interface DecodeOptions {
  /** A -vf chain (e.g. sampling); frames then come as the filter gives them. */
  filter?: string;
  /** Grey (a queued chunk's lossless α) instead of RGB. */
  grey?: boolean;
  /** Every stored frame once, as stored (a chunk the queue wrote), with no conversion to the clip's rate. */
  asStored?: boolean;
  /**
   * Start near this frame (at the clip's rate) instead of decoding from the first: ffmpeg seeks to a key frame and
   * decodes from there. The first frames after a seek may land a slot off on a clip of variable frame rate, so a
   * caller that needs frame K exactly starts a margin before it (see `matteVideo`).
   */
  startFrame?: number;
}

/**
 * Decode 8-bit RGB (or grey) frames one at a time (constant memory). A clip that cannot be decoded at all is an
 * error; one that stops early (truncated) just ends: the caller compares the count with what the header announced
 * and says so.
 */
export async function* decodeFrames(
  path: string,
  info: VideoInfo,
  { filter, grey = false, asStored = false, startFrame = 0 }: DecodeOptions = {},
): AsyncGenerator<Uint8Array> {
  // A hair before frame K's time, so that K itself is kept and every later frame sits squarely on its slot.
  const seek = startFrame > 0 ? ["-ss", (startFrame / info.fps - 1e-4).toFixed(6)] : [];
  const args = [
    "-hide_banner",
    "-loglevel",
    "error",
    ...seek,
    "-i",
    path,
    // Without a filter, frames come at exactly the rate the writers encode at: a clip of variable frame rate (whose
    // average rate differs from its nominal one) would otherwise come out longer or shorter than it is.
    ...(filter ? ["-vf", filter, "-vsync", "0"] : asStored ? ["-vsync", "0"] : ["-r", String(info.fps)]),
    "-f",
    "rawvideo",
    "-pix_fmt",
    grey ? "gray" : "rgb24",
    "-",
  ];
  const child = spawnFfmpeg(args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const frameBytes = info.width * info.height * (grey ? 1 : 3);
  let pending: Buffer[] = [];
  let have = 0;
  let yielded = 0;
  try {
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      pending.push(chunk);
      have += chunk.length;
      while (have >= frameBytes) {
        const all = Buffer.concat(pending, have);
        yield new Uint8Array(all.subarray(0, frameBytes));
        yielded++;
        const rest = all.subarray(frameBytes);
        pending = rest.length ? [Buffer.from(rest)] : [];
        have = rest.length;
      }
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  const code = child.exitCode ?? (await new Promise<number | null>((r) => child.once("exit", r)));
  if (code !== 0 && code !== null && yielded === 0)
    throw new BgmatteError(
      "INPUT_UNREADABLE",
      `ffmpeg could not decode "${path}": ${stderr.trim().split("\n").pop()}`,
      "check that the clip plays and is not truncated",
    );
}
