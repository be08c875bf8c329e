/** bgmatte — background matting against a clean plate. Node entry point. */
export { createMatter, type Matter, type MatteInputs } from "./node/matter.js";
export type { MatteResult, MatteMetadata, PipelineOptions } from "./pipeline.js";
export type { MatterOptions } from "./options.js";
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
