/** bgmatte — background matting against a clean plate. Node entry point. */
export { createMatter, type Matter, type MatteInputs } from "./node/matter.js";
export type { MatteResult, MatteMetadata, PipelineOptions } from "./pipeline.js";
export type { CallOptions, MatterOptions } from "./options.js";
export type { LoadingOptions, LoadingProgress } from "./loading.js";
export { MODES } from "./modes.js";
export {
  MODE_NAMES,
  SUBJECTS,
  REFINE_METHODS,
  type ModeName,
  type Subject,
  type RefineMethod,
} from "./vocabulary.js";
export {
  composite,
  foregroundRgba,
  sideBySide,
  parseColour,
  type Matte,
  type Rgb,
} from "./composite/composite.js";
export { decodeImage, encodePng, writePng, type ImageSource } from "./image/codec-node.js";
export type { FloatImage } from "./image/types.js";
export { BgmatteError, type ErrorCode } from "./errors.js";
export { probe, type VideoInfo } from "./video/ffmpeg.js";
export { estimateCleanPlate } from "./video/clean-plate.js";
export { matteVideo, type VideoFrameResult, type VideoMatteOptions } from "./video/matte-video.js";
export {
  matteVideoFile,
  type VideoFileJob,
  type VideoFileReport,
  type VideoOutputs,
} from "./video/matte-video-file.js";
export { openTarget, type VideoTarget } from "./video/target.js";
export { DEFAULT_TEMPORAL, type TemporalOptions } from "./video/temporal.js";
