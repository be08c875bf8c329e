import { access, constants, mkdir } from "node:fs/promises";
import { BgmatteError } from "../errors.js";

export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new BgmatteError(
      "OUTPUT_NOT_WRITABLE",
      `cannot write to the output directory "${dir}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      "choose a directory you can write to with -o",
    );
  }
}
