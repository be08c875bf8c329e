/** What a clip is composited on: a colour, an image (scaled to cover) or another clip (looped), frame by frame. */
import { cover, parseColour, type Rgb } from "../composite/composite.js";
import { decodeImage } from "../image/codec-node.js";
import { fromUint8, type FloatImage } from "../image/types.js";
import { decodeFrames, probe } from "./ffmpeg.js";

export interface VideoTarget {
  /** The target for the next frame. */
  next(): Promise<Rgb | FloatImage>;
  /** Stops a target clip's decoder (a suspended ffmpeg would keep the process alive). */
  close(): Promise<void>;
}

const GREEN: Rgb = [0, 0xb1 / 255, 0x40 / 255];
const CLIP = /\.(mp4|mov|webm|avi|mkv|m4v)$/i;

/** `spec`: "#rrggbb", an image path or a clip path; undefined = the default green. */
export async function openTarget(
  spec: string | undefined,
  size: { width: number; height: number },
): Promise<VideoTarget> {
  const still = (t: Rgb | FloatImage): VideoTarget => ({ next: async () => t, close: async () => {} });
  if (spec === undefined) return still(GREEN);
  const colour = parseColour(spec);
  if (colour) return still(colour);
  if (!CLIP.test(spec))
    return still(cover(await decodeImage(spec, "target background"), size.width, size.height));
  const info = probe(spec);
  let frames = decodeFrames(spec, info);
  return {
    async next() {
      let r = await frames.next();
      if (r.done) {
        frames = decodeFrames(spec, info);
        r = await frames.next();
      }
      return cover(fromUint8(r.value!, info.width, info.height, 3), size.width, size.height);
    },
    close: async () => void (await frames.return(undefined)),
  };
}
