/**
 * A clip's last step, once its chunks are done: the composite and the transparent foreground are the chunks' pieces
 * put end to end (no re-encoding; the composite gets the clip's audio), and the α is encoded whole from the
 * chunks' lossless pieces, through the same encoder settings as `bgmatte video`: frame for frame the same α. The
 * chunks are removed once the outputs are in place; joining again (a retry) rewrites the same files.
 */
import { BgmatteError } from "../errors.js";
import { concatVideos } from "../video/concat.js";
import { decodeFrames } from "../video/ffmpeg.js";
import { isTruncated, truncatedError } from "../video/matte-video-file.js";
import { VideoWriter } from "../video/writer.js";
import { PIECES } from "./chunk-job.js";
import type { ChunkRecord, JoinJobData } from "./job-data.js";
import type { ChunkStore } from "./store.js";

export interface JoinReport {
  frames: number;
  truncated: boolean;
  outputs: string[];
}

export async function runJoin(
  data: JoinJobData,
  store: ChunkStore,
  onProgress: (p: { done: number; total?: number }) => void,
): Promise<JoinReport> {
  const { info, chunkKeys, outputs } = data;
  const records: ChunkRecord[] = [];
  for (const key of chunkKeys) {
    const record = await store.getRecord<ChunkRecord>(PIECES.record(key));
    if (!record)
      throw new BgmatteError(
        "INPUT_NOT_FOUND",
        `the chunk ${key} is missing from ${store.location}`,
        "every worker must write to the same shared folder (the batch's output folder)",
      );
    records.push(record);
  }
  const total = records.reduce((n, r) => n + r.frames, 0);
  const expected = Number.isFinite(info.duration) ? Math.round(info.duration * info.fps) : Infinity;
  const truncated = isTruncated(total, expected);
  if (truncated && !data.acceptShort) throw truncatedError(total, expected);
  const filled = chunkKeys.filter((_, k) => records[k].frames > 0);
  const pieces = (kind: "composite" | "fg") =>
    Promise.all(filled.map((key) => store.readPath(PIECES[kind](key))));

  if (outputs.alpha) {
    const writer = new VideoWriter(outputs.alpha, { ...info, format: "mp4-grey" });
    let done = 0;
    try {
      for (const key of filled)
        for await (const alpha of decodeFrames(await store.readPath(PIECES.alpha(key)), info, {
          grey: true,
          asStored: true,
        })) {
          await writer.write(alpha);
          onProgress({ done: ++done, total });
        }
      if (done !== total)
        throw new BgmatteError(
          "INPUT_UNREADABLE",
          `the chunks gave ${done} frames where their records say ${total}`,
          "a chunk is damaged: remove the batch's folder in .bgmatte-chunks and submit the clip again",
        );
      await writer.finish();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  }
  if (outputs.composite)
    await concatVideos(await pieces("composite"), outputs.composite, {
      audioFrom: info.hasAudio ? data.clip : undefined,
    });
  if (outputs.fg) await concatVideos(await pieces("fg"), outputs.fg);
  onProgress({ done: total, total });
  await store.removeAll(data.chunkPrefix);
  return {
    frames: total,
    truncated,
    outputs: [outputs.composite, outputs.alpha, outputs.fg].filter((p): p is string => p !== undefined),
  };
}
