/**
 * The one place that chains the stages (brief §4), shared by Node and the browser:
 * align the plate and match its exposure → find the subject → crop → resize to the working size → prior S and motion M → network → edge-aware upsampling
 * → paste into the full frame → clean-up.
 */
import { applyExposure, type ExposureReport } from "./align/exposure.js";
import type { AlignmentReport } from "./align/homography.js";
import { preparePlate } from "./align/prepare-plate.js";
import type { CV } from "./cv/opencv.js";
import { shrinkImage } from "./cv/shrink.js";
import { crop, fitSize, paste, resize, upsampleBilinear, type Box } from "./image/geometry.js";
import { createImage, type FloatImage } from "./image/types.js";
import { BgmatteError } from "./errors.js";
import type { MattingNetwork, SegmenterNetwork } from "./network/network.js";
import { keepMainComponents, opaqueForegroundFromImage } from "./postprocess/cleanup.js";
import { stillMotionCues } from "./prior/motion.js";
import { choosePrior } from "./prior/choose-prior.js";
import { softSegmentation } from "./prior/soft-segmentation.js";
import { MODES, type ModeName, type RefineMethod, type Subject } from "./modes.js";
import { refineWithPlate } from "./refine/compositing-equation.js";
import { guidedUpsample } from "./refine/guided-upsample.js";
import { refineUncertainPatches, type PatchRefineReport } from "./refine/patch-refiner.js";

export interface PipelineInputs {
  image: FloatImage; // RGB
  plate: FloatImage; // RGB, same size as image
  /** Optional subject mask (1 channel, image size): replaces the plate-difference prior. */
  prior?: FloatImage;
  /** Optional motion cues (4 channels, the image's aspect, any size); a still's own grey image ×4 otherwise. */
  motion?: FloatImage;
}

export interface PipelineOptions {
  /** Speed/quality mode (src/modes.ts): working size and refinement budget. */
  mode: ModeName;
  /** Longer side of the network's input, in pixels (rounded to a multiple of 4); default: the mode's. */
  workingSize?: number;
  /** Margin around the subject's box, as a fraction of its longer side (the paper: 0.1). */
  margin: number;
  /** Full-resolution restoration of the network's matte (src/modes.ts, REFINE_METHODS). */
  refine: RefineMethod;
  /** Keep only the main connected components of α > 0.05 (drops specks). */
  cleanup: boolean;
  /**
   * What the prior S is made from: `person` = the person segmenter; `any` = the image–plate difference (any
   * subject); `auto` = the person segmenter when it finds a person, else the difference. A user's mask wins.
   */
  subject: Subject;
  /** Plate alignment: auto = when the measured misalignment exceeds half a pixel; on = required; off. */
  align: "auto" | "on" | "off";
  /** Match the plate's per-channel gain and bias to the photo around the subject. */
  exposure: boolean;
}

export interface MatteMetadata {
  width: number;
  height: number;
  /** Region of the frame that went through the network. */
  box: Box;
  mode: ModeName;
  workingSize: { width: number; height: number };
  /** How the matte was brought to full resolution, and what the refiner did. */
  refine: Exclude<RefineMethod, "auto">;
  refiner?: PatchRefineReport;
  prior: "plate-difference" | "user" | "person";
  /** When the person segmenter ran: share of the frame it saw as a person, and the share of that which differs
   * from the plate (src/prior/choose-prior.ts decides from these). */
  personArea?: number;
  personAgreement?: number;
  /** Colour-distance threshold of the plate-difference prior (when used). */
  priorThreshold?: number;
  model: string;
  alignment: AlignmentReport | null;
  exposure: ExposureReport | null;
  timings: Record<string, number>;
  warnings: string[];
}

export interface MatteResult {
  alpha: FloatImage;
  foreground: FloatImage;
  meta: MatteMetadata;
}

const ANALYSIS_SIZE = 512;

/** A video's plate is the same image every frame: keep its analysis-size copy. */
const smallPlates = new WeakMap<FloatImage, FloatImage>();
function smallPlate(cv: CV, plate: FloatImage, width: number, height: number): FloatImage {
  const cached = smallPlates.get(plate);
  if (cached && cached.width === width && cached.height === height) return cached;
  const s = shrinkImage(cv, plate, width, height);
  smallPlates.set(plate, s);
  return s;
}

function expandBox(box: Box, margin: number, width: number, height: number): Box {
  const m = Math.round(margin * Math.max(box.width, box.height));
  const x0 = Math.max(0, box.x - m);
  const y0 = Math.max(0, box.y - m);
  const x1 = Math.min(width, box.x + box.width + m);
  const y1 = Math.min(height, box.y + box.height + m);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function scaleBox(box: Box, sx: number, sy: number, width: number, height: number): Box {
  const x0 = Math.max(0, Math.floor(box.x * sx));
  const y0 = Math.max(0, Math.floor(box.y * sy));
  const x1 = Math.min(width, Math.ceil((box.x + box.width) * sx));
  const y1 = Math.min(height, Math.ceil((box.y + box.height) * sy));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

export async function runPipeline(
  cv: CV,
  network: MattingNetwork,
  inputs: PipelineInputs,
  options: PipelineOptions,
  segmenter?: SegmenterNetwork,
): Promise<MatteResult> {
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  let t = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings[stage] = (timings[stage] ?? 0) + (now - t);
    t = now;
  };
  const { image } = inputs;
  const { width, height } = image;
  const mode = MODES[options.mode];
  const maxSide = options.workingSize ?? mode.maxSide;
  // Whole-frame modes feed the network the analysis image itself: a single downscale of the photo per frame.
  const analysis = mode.wholeFrame
    ? fitSize(width, height, Math.min(maxSide, Math.max(width, height)), 4)
    : fitSize(width, height, Math.min(ANALYSIS_SIZE, Math.max(width, height)), 1);
  const sx = width / analysis.width;
  const sy = height / analysis.height;
  const small = (im: FloatImage) => shrinkImage(cv, im, analysis.width, analysis.height);
  const imageSmall = small(image);
  const priorSmall = inputs.prior ? small(inputs.prior) : undefined;

  // 0. Pre-processing: bring the plate onto the photo (hand-held capture) and match its exposure.
  const prepared = preparePlate(cv, image, inputs.plate, small, options, priorSmall, {
    imageSmall,
    plateSmall: smallPlate(cv, inputs.plate, analysis.width, analysis.height),
  });
  const plate = prepared.aligned;
  const plateSmall = prepared.small;
  warnings.push(...prepared.warnings);
  Object.assign(timings, prepared.timings);
  const { alignment, exposure } = prepared;
  t = performance.now();

  // 1. Where is the subject? A rough mask at analysis resolution.
  const choice = await choosePrior(
    cv,
    {
      image: imageSmall,
      plate: plateSmall,
      user: priorSmall,
      // Whole-frame (fast) mode reuses the mask the exposure step measured: one difference per frame.
      difference: mode.wholeFrame ? prepared.difference : undefined,
    },
    options.subject,
    segmenter,
  );
  warnings.push(...choice.warnings);
  const roughMask = choice.mask;
  let subjectBox = choice.box;
  if (!subjectBox) {
    warnings.push("no subject found (the photo matches its plate everywhere); the whole frame was matted");
    subjectBox = { x: 0, y: 0, width: analysis.width, height: analysis.height };
  }
  const whole = { x: 0, y: 0, width, height };
  const box = mode.wholeFrame
    ? whole
    : expandBox(scaleBox(subjectBox, sx, sy, width, height), options.margin, width, height);
  lap("prior");

  // 2. Crop and resize to the working size. Small crops are enlarged up to the size the network was trained at
  // (its filters expect subjects of that scale), larger ones shrunk to the working size.
  const isWhole = box.width === width && box.height === height;
  const cropOf = (im: FloatImage) => (isWhole ? im : crop(im, box));
  const imageCrop = cropOf(image);
  // Exposure is applied where the plate is used: the network's input and, at full resolution, the refinement.
  const plateCropRaw = cropOf(plate);
  const exposed = (im: FloatImage) => (exposure ? applyExposure(im, exposure) : im);
  let work: { width: number; height: number };
  let imageWork: FloatImage, plateWork: FloatImage, prior: FloatImage;
  if (mode.wholeFrame) {
    work = analysis;
    [imageWork, plateWork, prior] = [imageSmall, plateSmall, softSegmentation(cv, roughMask)];
  } else {
    const long = Math.min(maxSide, Math.max(Math.min(mode.minSide, maxSide), box.width, box.height));
    work = fitSize(box.width, box.height, long, 4);
    imageWork = shrinkImage(cv, imageCrop, work.width, work.height);
    plateWork = exposed(shrinkImage(cv, plateCropRaw, work.width, work.height));
    const maskBox = scaleBox(box, 1 / sx, 1 / sy, analysis.width, analysis.height);
    prior = softSegmentation(cv, resize(crop(roughMask, maskBox), work.width, work.height));
  }
  // Motion cues may come at a reduced size (video keeps its look-ahead buffer small): crop the same region.
  const motion = inputs.motion
    ? resize(
        crop(
          inputs.motion,
          scaleBox(
            box,
            inputs.motion.width / width,
            inputs.motion.height / height,
            inputs.motion.width,
            inputs.motion.height,
          ),
        ),
        work.width,
        work.height,
      )
    : stillMotionCues(imageWork);
  lap("resize");

  // 3. The network.
  const out = await network.run({ image: imageWork, plate: plateWork, prior, motion });
  lap("network");
  if (options.cleanup && mode.cleanupAtCoarse) keepMainComponents(cv, out.alpha);

  // 4. Back to full resolution: upsample, then refine where it pays.
  const hasRefiner = Boolean(network.refiner && out.error && out.hidden);
  const refine =
    options.refine === "auto"
      ? mode.autoRefine === "refiner" && hasRefiner
        ? "refiner"
        : "plate"
      : options.refine;
  if (refine === "refiner" && !hasRefiner) {
    throw new BgmatteError(
      "INVALID_OPTION",
      `the model ${network.name} has no refiner (refine: "refiner")`,
      'use refine "auto", "plate", "guided" or "bilinear", or a model that ships <name>-refiner.onnx',
    );
  }
  // The refiner was trained on exactly bilinear (half-pixel) upsampling; the other paths keep their resize.
  const upsample = refine === "refiner" ? upsampleBilinear : resize;
  const bilinear = refine === "bilinear" || (refine === "refiner" && mode.upsample === "bilinear");
  const alphaCrop = bilinear
    ? upsample(out.alpha, box.width, box.height)
    : guidedUpsample(out.alpha, imageWork, imageCrop);
  // F from the photo except where a refiner re-predicts it (the uncertain edges): the blurry upsampled coarse F
  // would cost a full-resolution pass and add little elsewhere.
  const fgFromPhoto = mode.fgFromPhoto && (refine === "refiner" || refine === "plate");
  const fgCrop = fgFromPhoto
    ? { ...imageCrop, data: imageCrop.data.slice() }
    : upsample(out.fg, box.width, box.height);
  lap("upsample");
  let refinerReport: PatchRefineReport | undefined;
  const pendingPlate = { image: plateCropRaw, exposure };
  // With F from the photo, the equation writes where it solves α the F that explains the photo there (no plate colour).
  if (refine === "plate")
    refineWithPlate(cv, imageCrop, pendingPlate, alphaCrop, out, fgFromPhoto ? fgCrop : undefined);
  if (refine === "refiner") {
    const coarse = { alpha: out.alpha, fg: out.fg, error: out.error!, hidden: out.hidden! };
    refinerReport = await refineUncertainPatches(
      network.refiner!,
      imageCrop,
      pendingPlate,
      coarse,
      alphaCrop,
      fgCrop,
      mode.patches,
    );
    if (mode.plateAfterRefiner) refineWithPlate(cv, imageCrop, pendingPlate, alphaCrop, out);
  }
  let alpha = alphaCrop;
  let foreground = fgCrop;
  if (!isWhole) {
    alpha = createImage(width, height, 1);
    paste(alpha, alphaCrop, box);
    foreground = { ...image, data: image.data.slice() };
    paste(foreground, fgCrop, box);
  }
  lap("refine");

  // 5. Clean-up.
  if (options.cleanup && !mode.cleanupAtCoarse) keepMainComponents(cv, alpha);
  // (With F from the photo it already is the photo wherever α is opaque.)
  if (!fgFromPhoto) opaqueForegroundFromImage(foreground, image, alpha);
  lap("cleanup");

  return {
    alpha,
    foreground,
    meta: {
      width,
      height,
      box,
      mode: options.mode,
      workingSize: work,
      refine,
      refiner: refinerReport,
      prior: choice.kind,
      personArea: choice.personArea,
      personAgreement: choice.personAgreement,
      priorThreshold: choice.threshold,
      model: network.name,
      alignment,
      exposure,
      timings,
      warnings,
    },
  };
}
