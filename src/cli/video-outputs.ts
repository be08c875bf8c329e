/**
 * Where `bgmatte video` writes. `-o` naming a clip (.mp4, .mov, .mkv, .webm) writes that one video: the composite,
 * or the output `--only` picks (a transparent foreground needs .webm); any other `-o` is a folder that gets the
 * composite, the alpha and the transparent foreground (less what --no-alpha / --no-fg / --only leave out). An
 * estimated plate and a PNG sequence go beside the video(s). No output may be an input, the target included.
 */
import { basename, dirname, extname, join, resolve } from "node:path";
import { BgmatteError } from "../errors.js";
import { VIDEO_FILE } from "../video/target.js";
import { parseOnly, singleKind } from "./only-flag.js";

export const VIDEO_KINDS = ["composite", "alpha", "fg"] as const;
export type VideoKind = (typeof VIDEO_KINDS)[number];

export interface VideoPaths {
  composite?: string;
  alpha?: string;
  fg?: string;
  /** Where `--plate auto` writes its estimate. */
  plate: string;
  /** The folder of RGBA PNGs (`--png-sequence`). */
  frames: string;
  /** The folder everything goes into (created if needed). */
  folder: string;
}

export interface VideoOutputChoice {
  only?: string;
  noAlpha: boolean;
  noFg: boolean;
}

export function planVideoOutputs(clip: string, out: string, choice: VideoOutputChoice): VideoPaths {
  const stem = basename(clip, extname(clip));
  const only = parseOnly(choice.only, VIDEO_KINDS);
  if (VIDEO_FILE.test(out)) {
    const webm = /\.webm$/i.test(out);
    const kind = singleKind(only, out, webm ? "fg" : "composite");
    if ((kind === "fg") !== webm)
      throw new BgmatteError(
        "INVALID_OPTION",
        kind === "fg"
          ? `the transparent foreground needs a .webm file (VP9 with alpha), not ${out}`
          : `the ${kind} is written as H.264: name an .mp4, .mov or .mkv file, not ${out}`,
        kind === "fg" ? "e.g. -o subject.webm" : "e.g. -o result.mp4",
      );
    const folder = dirname(out);
    return {
      [kind]: out,
      plate: join(folder, `${stem}.plate.png`),
      frames: join(folder, `${stem}-frames`),
      folder,
    };
  }
  const wanted = (kind: VideoKind, off: boolean) => (only ? only.includes(kind) : !off);
  return {
    composite: wanted("composite", false) ? join(out, `${stem}.composite.mp4`) : undefined,
    alpha: wanted("alpha", choice.noAlpha) ? join(out, `${stem}.alpha.mp4`) : undefined,
    fg: wanted("fg", choice.noFg) ? join(out, `${stem}.fg.webm`) : undefined,
    plate: join(out, `${stem}.plate.png`),
    frames: join(out, `${stem}-frames`),
    folder: out,
  };
}

/** Every output against every input, the target included (an earlier run's composite, a plate from --plate auto). */
export function checkVideoOutputs(
  paths: VideoPaths,
  inputs: string[],
  also: { plate: boolean; frames: boolean },
): void {
  const written = [
    paths.composite,
    paths.alpha,
    paths.fg,
    also.plate ? paths.plate : undefined,
    also.frames ? paths.frames : undefined,
  ].filter((p): p is string => p !== undefined);
  const clash = written.find((p) => inputs.some((i) => resolve(p) === resolve(i)));
  if (clash)
    throw new BgmatteError(
      "OUTPUT_IS_INPUT",
      `the output "${clash}" would overwrite an input`,
      "choose another output file or directory with -o",
    );
}
