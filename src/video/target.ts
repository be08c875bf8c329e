/** What a clip is composited on: a colour, an image (scaled to cover) or another clip (looped), frame by frame. */
import { cover, parseColour, type Rgb } from "../composite/composite.js";
import { BgmatteError } from "../errors.js";
import { decodeImage } from "../image/codec-node.js";
import { fromUint8, type FloatImage } from "../image/types.js";
import { decodeFrames, probe } from "./ffmpeg.js";

export interface VideoTarget {
  /** The target for the next frame. */
  next(): Promise<Rgb | FloatImage>;
  /** Stops a target clip's decoder (a suspended ffmpeg would keep the process alive). */
  close(): Promise<void>;
}

/** The default target: a studio green. */
export const GREEN: Rgb = [0, 0xb1 / 255, 0x40 / 255];
/** File names that are video clips. */
export const VIDEO_FILE = /\.(mp4|mov|webm|avi|mkv|m4v)$/i;

/** A colour ("#rrggbb", "#rgb", a CSS name) or an image: what a photo's subject is composited onto. */
export async function readStillTarget(spec: string): Promise<Rgb | FloatImage> {
  const colour = parseColour(spec);
  if (colour) return colour;
  try {
    return await decodeImage(spec, "target background");
  } catch (e) {
    // "gren" or "#00b14" was meant as a colour: say what a colour looks like.
    if (e instanceof BgmatteError && e.code === "INPUT_NOT_FOUND" && !/[./\\]/.test(spec))
      throw new BgmatteError(
        "INPUT_NOT_FOUND",
        `the target "${spec}" is neither a colour nor an image file`,
        'give a colour as #rrggbb (e.g. #00b140) or a CSS name (e.g. "green"), or the path of an image',
      );
    throw e;
  }
}

/**
 * `spec`: a colour, an image path or a clip path; undefined = the default green. `startFrame`: where the clip
 * target starts (a queued chunk's first frame; the target loops, so frame n shows its frame n mod length).
 */
export async function openTarget(
  spec: string | undefined,
  size: { width: number; height: number },
  startFrame = 0,
): Promise<VideoTarget> {
  const still = (t: Rgb | FloatImage): VideoTarget => ({ next: async () => t, close: async () => {} });
  if (spec === undefined) return still(GREEN);
  if (!VIDEO_FILE.test(spec)) {
    const target = await readStillTarget(spec);
    return still(Array.isArray(target) ? target : cover(target, size.width, size.height));
  }
  const info = probe(spec);
  let frames = decodeFrames(spec, info);
  const loopedNext = async () => {
    let r = await frames.next();
    if (r.done) {
      frames = decodeFrames(spec, info);
      r = await frames.next();
    }
    return r.value!;
  };
  if (startFrame > 0) {
    let length = 0;
    for await (const frame of decodeFrames(spec, info)) length += frame.length > 0 ? 1 : 0;
    for (let skip = startFrame % Math.max(1, length); skip > 0; skip--) await loopedNext();
  }
  return {
    next: async () =>
      cover(fromUint8(await loopedNext(), info.width, info.height, 3), size.width, size.height),
    close: async () => void (await frames.return(undefined)),
  };
}
