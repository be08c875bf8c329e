/**
 * What the Node and the browser matters share: a pipeline context built once (networks, OpenCV, the plate cache)
 * and the parsed options, with per-call changes of mode and working size. Each runtime adds how it gets its
 * networks and, in Node, decoding of files and buffers.
 */
import { BgmatteError } from "./errors.js";
import { callOptionsSchema, parseOptions, type CallOptions } from "./options.js";
import {
  runPipeline,
  type MatteResult,
  type PipelineContext,
  type PipelineInputs,
  type PipelineOptions,
} from "./pipeline.js";

export interface ImageMatter {
  /** Matte decoded images (RGB, the plate the same size as the image). `call` changes mode or working size once,
   * or carries an AbortSignal. */
  matteImages(inputs: PipelineInputs, call?: CallOptions): Promise<MatteResult>;
  dispose(): Promise<void>;
}

export function createImageMatter(
  context: PipelineContext,
  options: PipelineOptions,
): ImageMatter & { assertLive(call: string): void } {
  let disposed = false;
  const assertLive = (call: string) => {
    if (disposed)
      throw new BgmatteError(
        "DISPOSED",
        `${call} called after dispose()`,
        "create a new matter with createMatter()",
      );
  };
  return {
    assertLive,
    async matteImages(inputs, call) {
      assertLive("matteImages()");
      const changes = call ? parseOptions(callOptionsSchema, call) : {};
      return runPipeline(context, inputs, { ...options, ...changes });
    },
    async dispose() {
      disposed = true;
      await Promise.all([
        context.network.dispose(),
        context.segmenter?.dispose(),
        context.faces?.dispose(),
        context.secondOpinion?.dispose(),
      ]);
    },
  };
}
