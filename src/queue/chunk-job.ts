/**
 * A chunk: frames [from, to) of a clip matted exactly as the whole clip would be (src/video/matte-video.ts's
 * range), written through the same code as `bgmatte video` (src/video/output-sink.ts): the composite and the
 * transparent foreground as pieces the join puts end to end, the α losslessly (the join encodes it whole, so that
 * it equals a one-machine run's). A record of its frame count marks it done: a chunk already recorded is not matted
 * again, so a job taken over from a worker that died after writing is cheap.
 */
import { foregroundRgba } from "../composite/composite.js";
import { decodeImage } from "../image/codec-node.js";
import { toUint8 } from "../image/types.js";
import { conformPlate } from "../align/conform-plate.js";
import { type Matter } from "../node/matter.js";
import { matteVideo } from "../video/matte-video.js";
import { VideoOutputSink, type VideoOutputs } from "../video/output-sink.js";
import { openTarget } from "../video/target.js";
import type { ChunkJobData, ChunkRecord } from "./job-data.js";
import type { ChunkStore } from "./store.js";

/** The store keys of a chunk's pieces. */
export const PIECES = {
  composite: (key: string) => `${key}.composite.mp4`,
  alpha: (key: string) => `${key}.alpha.mkv`,
  fg: (key: string) => `${key}.fg.webm`,
  record: (key: string) => `${key}.json`,
};

export async function runChunk(
  data: ChunkJobData,
  matter: Matter,
  store: ChunkStore,
  onProgress: (p: { done: number; total?: number }) => void,
): Promise<ChunkRecord> {
  const recorded = await store.getRecord<ChunkRecord>(PIECES.record(data.key));
  if (recorded) return recorded;
  const { matting, span, pieces } = data;
  const { info } = matting;
  const plate = conformPlate(await decodeImage(matting.plate, "plate"), info, []);
  const outputs: VideoOutputs = {};
  for (const kind of ["composite", "alpha", "fg"] as const)
    if (pieces[kind]) outputs[kind] = await store.writePath(PIECES[kind](data.key));
  const target = await openTarget(data.target, info, span.from);
  const total = span.to === null ? undefined : span.to - span.from;
  let sink: VideoOutputSink | undefined;
  let done = 0;
  try {
    for await (const frame of matteVideo(matter, matting.clip, info, {
      plate,
      motionSeconds: matting.motionSeconds,
      handHeld: matting.handHeld,
      temporal: matting.temporal,
      range: { from: span.from, to: span.to ?? Infinity, warmup: data.warmup },
    })) {
      // Opened at the first frame: a chunk past the clip's end (its header over-promised) writes nothing.
      sink ??= await VideoOutputSink.open(outputs, info, { losslessAlpha: true });
      await sink.write(toUint8(foregroundRgba(frame.result)), frame.index, await target.next());
      onProgress({ done: ++done, total });
    }
    await sink?.finish();
  } catch (e) {
    await sink?.abort();
    throw e;
  } finally {
    await target.close();
  }
  for (const kind of Object.keys(outputs) as (keyof VideoOutputs & keyof typeof PIECES)[])
    await store.commit(PIECES[kind](data.key));
  const record: ChunkRecord = { frames: done };
  await store.putRecord(PIECES.record(data.key), record);
  return record;
}
