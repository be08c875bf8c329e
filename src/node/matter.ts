/** The Node library entry: `createMatter(options)` → `{ matte(inputs), matteImages(images), dispose() }`. */
import { availableParallelism } from "node:os";
import { conformPlate } from "../align/conform-plate.js";
import { BgmatteError } from "../errors.js";
import { createImageMatter, type ImageMatter } from "../image-matter.js";
import { loadOpenCV } from "../cv/opencv.js";
import { decodeImage, type ImageSource } from "../image/codec-node.js";
import { resize } from "../image/geometry.js";
import { selectChannels, type FloatImage } from "../image/types.js";
import { contractPath, faceDetectorPath, resolveModel, segmenterPath } from "../network/models-node.js";
import { createNodeFaceDetector, createNodeNetwork, createNodeSegmenter } from "../network/session-node.js";
import { loadingSteps, type LoadingOptions } from "../loading.js";
import { matterOptionsSchema, parseOptions, type CallOptions, type MatterOptions } from "../options.js";
import { motionCues } from "../prior/motion.js";
import { PlateCache, type MatteResult } from "../pipeline.js";

export interface MatteInputs {
  image: ImageSource;
  plate: ImageSource;
  /** Your own subject mask (white = subject), instead of the plate-difference prior. */
  prior?: ImageSource;
  /** Motion cues: four neighbouring frames (video), instead of the still's own grey image. */
  motion?: [ImageSource, ImageSource, ImageSource, ImageSource];
}

export interface Matter extends ImageMatter {
  /** Decode (files, encoded buffers or raw pixels), check the plate against the photo, matte. */
  matte(inputs: MatteInputs, call?: CallOptions): Promise<MatteResult>;
}

/** `loading`: progress per part loaded, and an AbortSignal (see src/loading.ts). */
export async function createMatter(options: MatterOptions = {}, loading?: LoadingOptions): Promise<Matter> {
  const opts = parseOptions(matterOptionsSchema(availableParallelism()), options);
  const model = resolveModel(opts.model, opts.mode);
  const step = loadingSteps(loading);
  const needsPeople = !(opts.subject === "any" && opts.guardPeople === false);
  // `fast`'s own network gives the other modes a second opinion (postprocess/second-opinion.ts).
  const second = opts.mode === "fast" ? undefined : resolveModel(undefined, "fast");
  const load = ({ path, name }: typeof model) =>
    createNodeNetwork(path, contractPath(), { threads: opts.threads, device: opts.device, name });
  const [cv, network, segmenter, faces, secondOpinion] = await Promise.all([
    step("opencv", loadOpenCV),
    step("model", () => load(model)),
    needsPeople ? step("segmenter", () => createNodeSegmenter(segmenterPath(), opts.threads)) : undefined,
    needsPeople ? step("faces", () => createNodeFaceDetector(faceDetectorPath(), opts.threads)) : undefined,
    second ? step("second-opinion", () => load(second)) : undefined,
  ]);
  const core = createImageMatter(
    { cv, network, segmenter, faces, secondOpinion, plateCache: new PlateCache() },
    opts,
  );
  return {
    async matte(inputs, call) {
      core.assertLive("matte()");
      if (!inputs || inputs.image === undefined || inputs.plate === undefined) {
        throw new BgmatteError(
          "INVALID_OPTION",
          "matte() needs both `image` and `plate`",
          "pass { image, plate }",
        );
      }
      const t0 = performance.now();
      const image = await decodeImage(inputs.image, "photo", opts.maxPixels);
      const warnings: string[] = [];
      const decoded = await decodeImage(inputs.plate, "plate", opts.maxPixels);
      // With alignment off, a plate of another aspect is refused where the alignment would be (prepare-plate).
      const plate = conformPlate(decoded, image, warnings, true);
      const prior = inputs.prior
        ? selectChannels(
            resize(await decodeImage(inputs.prior, "prior mask", opts.maxPixels), image.width, image.height),
            [0],
          )
        : undefined;
      let motion: FloatImage | undefined;
      if (inputs.motion) {
        const frames = await Promise.all(
          inputs.motion.map((m, i) => decodeImage(m, `motion frame ${i + 1}`, opts.maxPixels)),
        );
        motion = motionCues(
          frames.map((f) => resize(f, image.width, image.height)) as [
            FloatImage,
            FloatImage,
            FloatImage,
            FloatImage,
          ],
        );
      }
      const decodeMs = performance.now() - t0;
      const result = await core.matteImages({ image, plate, prior, motion }, call);
      result.meta.timings = { decode: decodeMs, ...result.meta.timings };
      result.meta.warnings.unshift(...warnings);
      return result;
    },
    matteImages: core.matteImages,
    dispose: core.dispose,
  };
}
