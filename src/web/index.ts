/**
 * bgmatte in the browser (`bgmatte/web`): `createMatter` over the same options schema and the same pipeline as
 * Node, on onnxruntime-web (WebGPU when available, else WASM), with the models fetched from URLs.
 */
import { loadOpenCV } from "../cv/opencv.js";
import { createImageMatter, type ImageMatter } from "../image-matter.js";
import {
  createWebFaceDetector,
  createWebNetwork,
  createWebSegmenter,
  fetchContract,
  type WebBackend,
} from "../network/session-web.js";
import { loadingSteps, type LoadingOptions } from "../loading.js";
import { parseOptions, webMatterOptionsSchema, type WebMatterOptions } from "../options.js";
import { PlateCache } from "../pipeline.js";

export interface WebMatter extends ImageMatter {
  /** The onnxruntime-web backend the model runs on. */
  readonly backend: WebBackend;
  /** Whether the person segmenter loaded (without it the prior is the plate difference). */
  readonly personPrior: boolean;
  /** Whether the face detector loaded (it confirms the people the segmenter finds). */
  readonly faceDetector: boolean;
}

/** `loading`: progress per part fetched and loaded, and an AbortSignal (see src/loading.ts). */
export async function createMatter(options: WebMatterOptions, loading?: LoadingOptions): Promise<WebMatter> {
  const hardware = globalThis.navigator?.hardwareConcurrency ?? 1;
  const opts = parseOptions(webMatterOptionsSchema(hardware), options);
  const step = loadingSteps(loading);
  const contract = await step("contract", () => fetchContract(opts.contractUrl));
  const [cv, network] = await Promise.all([
    step("opencv", loadOpenCV),
    step("model", () => createWebNetwork(opts.modelUrl, contract, opts)),
  ]);
  // The person prior is optional in the browser: without it, the plate difference still works.
  const { segmenterUrl, faceDetectorUrl } = opts;
  const needsPeople = opts.subject !== "any" || opts.guardPeople !== false;
  const segmenter =
    segmenterUrl && needsPeople
      ? await step("segmenter", () => createWebSegmenter(segmenterUrl).catch(() => undefined))
      : undefined;
  const faces =
    segmenter && faceDetectorUrl
      ? await step("faces", () => createWebFaceDetector(faceDetectorUrl).catch(() => undefined))
      : undefined;
  const { secondOpinionUrl } = opts;
  const secondOpinion = secondOpinionUrl
    ? await step("second-opinion", () =>
        createWebNetwork(secondOpinionUrl, contract, { ...opts, wasmModelUrl: undefined }),
      )
    : undefined;
  const core = createImageMatter(
    { cv, network, segmenter, faces, secondOpinion, plateCache: new PlateCache() },
    { ...opts, subject: segmenter ? opts.subject : "any", guardPeople: segmenter ? opts.guardPeople : false },
  );
  return {
    matteImages: core.matteImages,
    dispose: core.dispose,
    backend: network.backend,
    personPrior: segmenter !== undefined,
    faceDetector: faces !== undefined,
  };
}

export {
  composite,
  compositeOnRgbaBytes,
  foregroundRgba,
  parseColour,
  type Matte,
  type Rgb,
} from "../composite/composite.js";
export { conformPlate } from "../align/conform-plate.js";
export { fitSize, resize } from "../image/geometry.js";
export {
  fromUint8,
  rgbFromRgbaBytes,
  selectChannels,
  toRgbaBytes,
  toUint8,
  type FloatImage,
} from "../image/types.js";
export type { CallOptions, WebMatterOptions } from "../options.js";
export type { LoadingOptions, LoadingProgress } from "../loading.js";
export type { MatteMetadata, MatteResult, PipelineInputs } from "../pipeline.js";
export {
  MODE_NAMES,
  REFINE_METHODS,
  SUBJECTS,
  type ModeName,
  type RefineMethod,
  type Subject,
} from "../vocabulary.js";
