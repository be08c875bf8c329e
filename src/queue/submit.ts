/**
 * `queue add`: a batch of clips and photos becomes BullMQ jobs. A clip is a flow: its chunks are children, matted
 * by any worker, and their parent joins them into the clip's outputs once the last one is done. A photo is one job.
 * Everything a worker needs travels in the job (absolute paths, the chosen options); a `--plate auto` estimate is
 * made here, once, so that every chunk of a clip uses the same plate.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { FlowProducer, Queue, type JobsOptions } from "bullmq";
import { parseColour } from "../composite/composite.js";
import { BgmatteError } from "../errors.js";
import { writePng } from "../image/codec-node.js";
import type { MatterOptions } from "../options.js";
import { checkNoOverwrite, planOutputs, type OutputKind } from "../cli/image-outputs.js";
import { expandPhotos } from "../cli/inputs.js";
import { ensureWritableDir } from "../cli/output-dir.js";
import { checkVideoOutputs, planVideoOutputs, type VideoOutputChoice } from "../cli/video-outputs.js";
import { estimateCleanPlate } from "../video/clean-plate.js";
import { probe } from "../video/ffmpeg.js";
import { VIDEO_FILE } from "../video/target.js";
import { DEFAULT_TEMPORAL } from "../video/temporal.js";
import { DEFAULT_CHUNK_FRAMES, planChunks, warmupFrames } from "./chunk-plan.js";
import {
  batchesKey,
  batchKey,
  bullConnection,
  DEFAULT_QUEUE,
  openRedis,
  redisUrl,
  type QueueConnection,
} from "./connection.js";
import type { BatchManifest, ChunkJobData, ClipMatting, JoinJobData, PhotoJobData } from "./job-data.js";

export interface SubmitOptions extends QueueConnection {
  /** Clips (by extension: .mp4, .mov, .webm, .avi, .mkv, .m4v) and photos. */
  inputs: string[];
  /** The clean plate: an image, or "auto" (clips only) to estimate it from each clip. */
  plate: string;
  /** A colour or an image (or a clip, for clips) to composite on; default studio green. */
  target?: string;
  /** The folder every output goes to (shared by the machines); chunks wait in `<out>/.bgmatte-chunks`. */
  out: string;
  matter?: MatterOptions;
  motionSeconds?: number;
  handHeld?: boolean;
  /** Flicker reduction in video (default on). */
  temporal?: boolean;
  /** Match the plate's exposure to every frame (default on). */
  exposure?: boolean;
  chunkFrames?: number;
  acceptShort?: boolean;
  /** Tries per job before it fails for good (default 3), with exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
  videoOutputs?: VideoOutputChoice;
  photoOutputs?: OutputKind[];
  /** Progress lines (plate estimates). */
  onLog?: (line: string) => void;
}

export interface SubmitResult {
  batch: string;
  queue: string;
  manifest: BatchManifest;
}

export async function submitBatch(options: SubmitOptions): Promise<SubmitResult> {
  const url = redisUrl(options);
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const out = resolve(options.out);
  for (const p of options.inputs)
    if (!existsSync(p))
      throw new BgmatteError(
        "INPUT_NOT_FOUND",
        `"${p}" does not exist`,
        "check the path (every worker must see it too)",
      );
  const clips = options.inputs.filter((p) => VIDEO_FILE.test(p)).map((p) => resolve(p));
  const stills = options.inputs.filter((p) => !VIDEO_FILE.test(p));
  // A folder of photos counts as its images, as for `bgmatte image` (the plate left out).
  const photos = (
    stills.length ? expandPhotos(stills, options.plate === "auto" ? [] : [options.plate]) : []
  ).map((p) => resolve(p));
  if (!clips.length && !photos.length)
    throw new BgmatteError("INVALID_OPTION", "nothing to submit", "give clips and/or photos");
  const auto = options.plate === "auto";
  if (auto && photos.length)
    throw new BgmatteError(
      "INVALID_OPTION",
      "--plate auto estimates a plate from a clip; photos need a plate image",
      "submit the photos separately with --plate <image>",
    );
  const plateImage = auto ? undefined : resolve(options.plate);
  if (plateImage && !existsSync(plateImage))
    throw new BgmatteError(
      "INPUT_NOT_FOUND",
      `the plate "${options.plate}" does not exist`,
      "check the path",
    );
  const target =
    options.target === undefined || parseColour(options.target) ? options.target : resolve(options.target);
  const inputs = [
    ...clips,
    ...photos,
    ...(plateImage ? [plateImage] : []),
    ...(target && !parseColour(target) ? [target] : []),
  ];
  const photoPlans = photos.length ? planOutputs(photos, out, options.photoOutputs) : [];
  checkNoOverwrite(photoPlans, inputs);
  const choice = options.videoOutputs ?? { noAlpha: false, noFg: false };
  const clipPaths = clips.map((clip) => planVideoOutputs(clip, out, choice));
  for (const paths of clipPaths) checkVideoOutputs(paths, inputs, { plate: auto, frames: false });
  const stems = new Map<string, string>();
  for (const [i, paths] of clipPaths.entries()) {
    const other = stems.get(paths.plate);
    if (other)
      throw new BgmatteError(
        "OUTPUT_IS_INPUT",
        `"${clips[i]}" and "${other}" would write the same outputs in ${out}`,
        "rename one of the clips, or submit them with different -o folders",
      );
    stems.set(paths.plate, clips[i]);
  }

  await ensureWritableDir(out);
  const redis = await openRedis(url);
  const batch = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
  const store = join(out, ".bgmatte-chunks");
  const jobOpts: JobsOptions = {
    attempts: options.attempts ?? 3,
    backoff: { type: "exponential", delay: options.backoffMs ?? 5000 },
  };
  const temporal = options.temporal === false ? { ...DEFAULT_TEMPORAL, strength: 0 } : DEFAULT_TEMPORAL;
  const chunkFrames = options.chunkFrames ?? DEFAULT_CHUNK_FRAMES;
  const manifest: BatchManifest = { batch, created: new Date().toISOString(), store, jobs: [] };
  const connection = bullConnection(url);
  const flows = new FlowProducer({ connection });
  const queue = new Queue(queueName, { connection });
  try {
    for (const [i, clip] of clips.entries()) {
      const info = probe(clip);
      const paths = clipPaths[i];
      let plate = plateImage;
      if (!plate) {
        options.onLog?.(`${basename(clip)}: estimating the clean plate…`);
        const estimate = await estimateCleanPlate(clip, info);
        await writePng(paths.plate, estimate.plate);
        plate = resolve(paths.plate);
        if (!estimate.reliable)
          options.onLog?.(
            `warning: the estimated plate of ${basename(clip)} looks unreliable; check ${paths.plate}`,
          );
      }
      const matting: ClipMatting = {
        clip,
        info,
        plate,
        // Per-frame alignment is the video loop's own (filtered over frames) when --hand-held.
        matter: { ...options.matter, align: "off", exposure: options.exposure ?? true },
        motionSeconds: options.motionSeconds ?? 0.67,
        handHeld: options.handHeld ?? false,
        temporal,
      };
      const expected = Number.isFinite(info.duration) ? Math.round(info.duration * info.fps) : chunkFrames;
      const id = `${batch}-c${i}`;
      const chunkPrefix = `${batch}/c${i}`;
      const spans = planChunks(expected, chunkFrames);
      const chunkKeys = spans.map((s) => `${chunkPrefix}/chunk-${String(s.index).padStart(5, "0")}`);
      const join: JoinJobData = {
        kind: "join",
        batch,
        clip,
        info,
        target,
        outputs: { composite: paths.composite, alpha: paths.alpha, fg: paths.fg },
        acceptShort: options.acceptShort ?? false,
        store,
        chunkKeys,
        chunkPrefix,
      };
      const chunkIds = spans.map((s) => `${id}-k${s.index}`);
      await flows.add({
        name: "join",
        queueName,
        data: join,
        opts: { ...jobOpts, jobId: id },
        children: spans.map((span, k) => ({
          name: "chunk",
          queueName,
          data: {
            kind: "chunk",
            batch,
            matting,
            span,
            warmup: warmupFrames(temporal),
            pieces: { composite: !!paths.composite, alpha: !!paths.alpha, fg: !!paths.fg },
            target,
            store,
            key: chunkKeys[k],
          } satisfies ChunkJobData,
          // A chunk that fails for good fails its clip, with the chunk's reason.
          opts: { ...jobOpts, jobId: chunkIds[k], failParentOnFailure: true },
        })),
      });
      manifest.jobs.push({ id, kind: "clip", input: clip, chunks: chunkIds, expectedFrames: expected });
    }
    for (const [i, photo] of photos.entries()) {
      const id = `${batch}-p${i}`;
      const data: PhotoJobData = {
        kind: "photo",
        batch,
        photo,
        plate: plateImage!,
        target,
        matter: options.matter ?? {},
        files: photoPlans[i].files,
      };
      await queue.add("photo", data, { ...jobOpts, jobId: id });
      manifest.jobs.push({ id, kind: "photo", input: photo, chunks: [] });
    }
    await redis.set(batchKey(queueName, batch), JSON.stringify(manifest));
    await redis.sadd(batchesKey(queueName), batch);
  } finally {
    await flows.close();
    await queue.close();
    redis.disconnect();
  }
  return { batch, queue: queueName, manifest };
}
