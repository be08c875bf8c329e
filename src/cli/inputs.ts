/** Expanding the photo arguments: files as given (`-` is standard input), directories to their image files. */
import { existsSync, statSync, readdirSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { BgmatteError } from "../errors.js";
import { VIDEO_FILE } from "../video/target.js";

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".avif", ".gif"]);

/** Files as given; directories expanded to their image files (sorted), leaving out `exclude` (the plate). */
export function expandPhotos(args: string[], exclude: string[]): string[] {
  const excluded = new Set(exclude.map((p) => resolve(p)));
  const out: string[] = [];
  if (args.filter((a) => a === "-").length > 1)
    throw new BgmatteError("INVALID_OPTION", 'the photo "-" (standard input) is given twice', "give it once");
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

/** The photo piped in for `-`. */
export async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY)
    throw new BgmatteError(
      "INPUT_NOT_FOUND",
      'the photo "-" is read from standard input, but that is a terminal',
      "pipe an image in: cat shot.jpg | bgmatte image - --plate plate.jpg -o -",
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
