/**
 * What travels through Redis: plain JSON a worker on any machine can act on. Paths are absolute (every machine
 * sees the inputs and outputs under the same paths); options are the library's, as the submitter chose them.
 */
import type { MatterOptions } from "../options.js";
import type { OutputKind } from "../cli/image-outputs.js";
import type { VideoInfo } from "../video/ffmpeg.js";
import type { VideoOutputs } from "../video/output-sink.js";
import type { TemporalOptions } from "../video/temporal.js";
import type { ChunkSpan } from "./chunk-plan.js";

/** How every frame of a clip is matted (shared by its chunks). */
export interface ClipMatting {
  clip: string;
  info: VideoInfo;
  /** A clean-plate image (the submitter's estimate when the user asked for `auto`). */
  plate: string;
  matter: MatterOptions;
  motionSeconds: number;
  handHeld: boolean;
  temporal: TemporalOptions;
}

/** Matte one chunk of a clip into a lossless RGBA video in the chunk store. */
export interface ChunkJobData {
  kind: "chunk";
  batch: string;
  matting: ClipMatting;
  span: ChunkSpan;
  warmup: number;
  /** What the clip's outputs need of each chunk: composite and fg as pieces to join, α losslessly. */
  pieces: { composite: boolean; alpha: boolean; fg: boolean };
  /** The composite's target (a colour, an image, a clip looped). */
  target?: string;
  /** The chunk store (a shared folder). */
  store: string;
  /** Where its frames go in the store, and its record (the frame count) once done. */
  key: string;
}

/** Join a clip's chunks (the job's children) into the same outputs as `bgmatte video`. */
export interface JoinJobData {
  kind: "join";
  batch: string;
  clip: string;
  info: VideoInfo;
  target?: string;
  outputs: VideoOutputs;
  acceptShort: boolean;
  store: string;
  /** The chunks' keys in the store, in order. */
  chunkKeys: string[];
  /** Their common prefix, removed once joined. */
  chunkPrefix: string;
}

/** Matte one photo into the same files as `bgmatte image`. */
export interface PhotoJobData {
  kind: "photo";
  batch: string;
  photo: string;
  plate: string;
  target?: string;
  matter: MatterOptions;
  files: Partial<Record<OutputKind, string>>;
}

export type JobData = ChunkJobData | JoinJobData | PhotoJobData;

/** What a finished chunk reports (and records beside its frames). */
export interface ChunkRecord {
  frames: number;
}

/** One batch's jobs, as `queue status` lists them. */
export interface BatchManifest {
  batch: string;
  created: string;
  store: string;
  jobs: { id: string; kind: "clip" | "photo"; input: string; chunks: string[]; expectedFrames?: number }[];
}
