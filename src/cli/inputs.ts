/** Expanding the photo arguments (files and directories) and planning output paths that never hit an input. */
import { existsSync, statSync, readdirSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { BgmatteError } from "../errors.js";
import { VIDEO_FILE } from "../video/target.js";

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".avif", ".gif"]);

/** Files as given; directories expanded to their image files (sorted), leaving out `exclude` (the plate). */
export function expandPhotos(args: string[], exclude: string[]): string[] {
  const excluded = new Set(exclude.map((p) => resolve(p)));
  const out: string[] = [];
  for (const arg of args) {
    if (existsSync(arg) && statSync(arg).isDirectory()) {
      const files = readdirSync(arg)
        .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()) && !f.startsWith("."))
        .sort()
        .map((f) => join(arg, f))
        .filter((f) => !excluded.has(resolve(f)));
      if (files.length === 0) {
        throw new BgmatteError(
          "INPUT_NOT_FOUND",
          `the directory "${arg}" has no images`,
          "put PNG/JPEG/WebP/TIFF files in it, or name the files",
        );
      }
      out.push(...files);
    } else if (VIDEO_FILE.test(arg)) {
      throw new BgmatteError(
        "INPUT_UNREADABLE",
        `"${arg}" is a video clip`,
        `matte it with \`bgmatte video ${arg} --plate <plate image>\``,
      );
    } else {
      out.push(arg);
    }
  }
  return out;
}

export const OUTPUT_KINDS = ["alpha", "fg", "composite", "preview"] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export function outputPaths(photo: string, outDir: string): Record<OutputKind, string> {
  const stem = basename(photo, extname(photo));
  return Object.fromEntries(OUTPUT_KINDS.map((k) => [k, join(outDir, `${stem}.${k}.png`)])) as Record<
    OutputKind,
    string
  >;
}

/** Refuse any plan in which an output path is one of the inputs (we never overwrite what the user gave us). */
export function checkNoOverwrite(plans: Record<OutputKind, string>[], inputs: string[]): void {
  const protectedPaths = new Set(inputs.map((p) => resolve(p)));
  for (const plan of plans) {
    for (const path of Object.values(plan)) {
      if (protectedPaths.has(resolve(path))) {
        throw new BgmatteError(
          "OUTPUT_IS_INPUT",
          `the output "${path}" would overwrite an input`,
          "choose another output directory with -o",
        );
      }
    }
  }
  const seen = new Map<string, string>();
  for (const plan of plans) {
    const p = resolve(plan.alpha);
    if (seen.has(p)) {
      throw new BgmatteError(
        "OUTPUT_IS_INPUT",
        `two photos would write the same outputs (${plan.alpha})`,
        "give the photos different file names, or matte them in separate runs with different -o",
      );
    }
    seen.set(p, p);
  }
}
