/**
 * Where `bgmatte image` writes, as rembg and ffmpeg do: `-o` naming a file (it has an image extension) writes that
 * one file, the composite unless `--only` picks another; `-o -` writes it to standard output; any other `-o` is a
 * folder that gets every output (or those `--only` lists). No plan may write over an input.
 */
import { basename, extname, join, resolve } from "node:path";
import { composite, foregroundRgba, sideBySide, type Matte, type Rgb } from "../composite/composite.js";
import { BgmatteError } from "../errors.js";
import { writeImage } from "../image/codec-node.js";
import type { FloatImage } from "../image/types.js";
import { singleKind } from "./only-flag.js";

export const OUTPUT_KINDS = ["alpha", "fg", "composite", "preview"] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** Extensions `-o` may name a single file by; the format follows the extension. */
export const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

export interface OutputPlan {
  /** Each output kind and the file it goes to. */
  files: Partial<Record<OutputKind, string>>;
  /** The one output written to standard output (`-o -`), as PNG. */
  stdout?: OutputKind;
}

export function planOutputs(photos: string[], out: string, only: OutputKind[] | undefined): OutputPlan[] {
  const single = out === "-" || IMAGE_FILE.test(out);
  if (single && photos.length > 1)
    throw new BgmatteError(
      "INVALID_OPTION",
      `-o ${out} names one file, but ${photos.length} photos were given`,
      "give a folder with -o to matte several photos",
    );
  if (out === "-") return [{ files: {}, stdout: singleKind(only, out, "composite") }];
  if (single) {
    const kind = singleKind(only, out, "composite");
    if (kind === "fg" && /\.jpe?g$/i.test(out))
      throw new BgmatteError(
        "INVALID_OPTION",
        `JPEG has no transparency, so it cannot hold the foreground (${out})`,
        "name a .png or .webp file for --only fg",
      );
    return [{ files: { [kind]: out } }];
  }
  return photos.map((photo) => {
    const stem = photo === "-" ? "stdin" : basename(photo, extname(photo));
    const kinds = only ?? OUTPUT_KINDS;
    return { files: Object.fromEntries(kinds.map((k) => [k, join(out, `${stem}.${k}.png`)])) };
  });
}

/** Refuse any plan in which an output path is one of the inputs (we never overwrite what the user gave us). */
export function checkNoOverwrite(plans: OutputPlan[], inputs: string[]): void {
  const protectedPaths = new Set(inputs.map((p) => resolve(p)));
  const written = new Set<string>();
  for (const plan of plans) {
    for (const path of Object.values(plan.files)) {
      const p = resolve(path);
      if (protectedPaths.has(p))
        throw new BgmatteError(
          "OUTPUT_IS_INPUT",
          `the output "${path}" would overwrite an input`,
          "choose another output file or directory with -o",
        );
      if (written.has(p))
        throw new BgmatteError(
          "OUTPUT_IS_INPUT",
          `two photos would write the same outputs (${path})`,
          "give the photos different file names, or matte them in separate runs with different -o",
        );
      written.add(p);
    }
  }
}

/** Each output of a matted photo, made when asked for (the composite once, shared with the preview). */
export function photoOutputs(
  image: FloatImage,
  result: Matte,
  target: Rgb | FloatImage,
): Record<OutputKind, () => FloatImage> {
  let comp: FloatImage | undefined;
  const compositeOnce = () => (comp ??= composite(result, target));
  return {
    alpha: () => result.alpha,
    fg: () => foregroundRgba(result),
    composite: compositeOnce,
    preview: () => sideBySide([image, result.alpha, compositeOnce()], Math.min(360, image.height)),
  };
}

/** Write the planned files (atomically, each under its final name only when complete). */
export async function writePhotoOutputs(
  made: Record<OutputKind, () => FloatImage>,
  files: Partial<Record<OutputKind, string>>,
): Promise<void> {
  for (const kind of OUTPUT_KINDS) {
    const path = files[kind];
    if (path) await writeImage(path, made[kind]());
  }
}
