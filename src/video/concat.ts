/**
 * Videos end to end without re-encoding (ffmpeg's concat demuxer, stream copy): a queued clip's composite and
 * transparent foreground are its chunks' pieces joined, the composite with the clip's audio laid under it. Written
 * atomically, like every output.
 */
import { once } from "node:events";
import { rename, rm, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { BgmatteError } from "../errors.js";
import { removeStaleTemporaries, temporaryPathFor, trackTemporary } from "../io/atomic-write.js";
import { spawnFfmpeg } from "./ffmpeg.js";

export async function concatVideos(
  parts: string[],
  out: string,
  { audioFrom }: { audioFrom?: string } = {},
): Promise<void> {
  removeStaleTemporaries(out);
  const tmp = temporaryPathFor(out) + extname(out); // ffmpeg picks the container from the extension
  const list = `${tmp}.txt`;
  const untrack = [trackTemporary(tmp), trackTemporary(list)];
  // The concat demuxer's list syntax: one quoted path per line, a quote written as '\''.
  await writeFile(list, parts.map((p) => `file '${p.replaceAll("'", "'\\''")}'\n`).join(""));
  const audio = audioFrom ? ["-i", audioFrom, "-map", "0:v", "-map", "1:a?", "-c:a", "aac", "-shortest"] : [];
  const child = spawnFfmpeg(
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      list,
      ...audio,
      "-c:v",
      "copy",
      tmp,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const [code] = (await once(child, "exit")) as [number | null];
  try {
    if (code !== 0)
      throw new BgmatteError(
        "OUTPUT_NOT_WRITABLE",
        `ffmpeg failed joining ${parts.length} pieces into ${out}: ${stderr.trim() || `exit code ${code}`}`,
        "check the disk space and that the output folder is writable",
      );
    await rename(tmp, out);
  } finally {
    await rm(tmp, { force: true });
    await rm(list, { force: true });
    for (const u of untrack) u();
  }
}
