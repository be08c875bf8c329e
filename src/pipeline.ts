/**
 * The one place that chains the stages (brief §4), shared by Node and the browser:
 * align the plate and match its exposure → find the subject → crop → resize to the working size → prior S and motion M → network → edge-aware upsampling
 * → paste into the full frame → clean-up.
 */
import type { ExposureReport } from "./align/exposure.js";
import type { AlignmentReport } from "./align/homography.js";
import { preparePlate } from "./align/prepare-plate.js";
import type { CV } from "./cv/opencv.js";
import { crop, fitSize, paste, resize, type Box } from "./image/geometry.js";
import { createImage, type FloatImage } from "./image/types.js";
import type { MattingNetwork } from "./network/network.js";
import { keepMainComponents, opaqueForegroundFromImage } from "./postprocess/cleanup.js";
import { stillMotionCues } from "./prior/motion.js";
import { differenceMask } from "./prior/plate-difference.js";
import { softSegmentation } from "./prior/soft-segmentation.js";
import { refineWithPlate } from "./refine/compositing-equation.js";
import { guidedUpsample } from "./refine/guided-upsample.js";

export interface PipelineInputs {
  image: FloatImage; // RGB
  plate: FloatImage; // RGB, same size as image
  /** Optional subject mask (1 channel, image size): replaces the plate-difference prior. */
  prior?: FloatImage;
  /** Optional motion cues (4 channels, the image's aspect, any size); a still's own grey image ×4 otherwise. */
  motion?: FloatImage;
}

export interface PipelineOptions {
  /** Longer side of the network's input, in pixels (rounded to a multiple of 4). */
  workingSize: number;
  /** Margin around the subject's box, as a fraction of its longer side (the paper: 0.1). */
  margin: number;
  /**
   * Full-resolution restoration of the network's matte: `plate` = guided upsampling then the compositing-equation
   * refinement against the plate; `guided` = guided upsampling only; `bilinear` = plain resize.
   */
  refine: "plate" | "guided" | "bilinear";
  /** Keep only the main connected components of α > 0.05 (drops specks). */
  cleanup: boolean;
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
  workingSize: { width: number; height: number };
  prior: "plate-difference" | "user";
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
/** The training crops' size (training/configs/bm-lite.json, data.size). */
const MIN_WORKING_SIZE = 256;

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

function boxOfMask(mask: FloatImage, threshold: number): Box | null {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export async function runPipeline(
  cv: CV,
  network: MattingNetwork,
  inputs: PipelineInputs,
  options: PipelineOptions,
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
  let { plate } = inputs;
  const { width, height } = image;
  const analysis = fitSize(width, height, Math.min(ANALYSIS_SIZE, Math.max(width, height)), 1);
  const sx = width / analysis.width;
  const sy = height / analysis.height;
  const small = (im: FloatImage) => resize(im, analysis.width, analysis.height);

  // 0. Pre-processing: bring the plate onto the photo (hand-held capture) and match its exposure.
  const prepared = preparePlate(
    cv,
    image,
    plate,
    small,
    options,
    inputs.prior ? small(inputs.prior) : undefined,
  );
  plate = prepared.plate;
  warnings.push(...prepared.warnings);
  Object.assign(timings, prepared.timings);
  const { alignment, exposure } = prepared;
  t = performance.now();
  const imageSmall = small(image);

  // 1. Where is the subject? A rough mask at analysis resolution.
  let roughMask: FloatImage;
  let priorThreshold: number | undefined;
  let subjectBox: Box | null;
  if (inputs.prior) {
    roughMask = small(inputs.prior);
    subjectBox = boxOfMask(roughMask, 0.5);
  } else {
    const diff = differenceMask(cv, imageSmall, small(plate));
    roughMask = diff.mask;
    priorThreshold = diff.threshold;
    subjectBox = diff.box;
  }
  if (!subjectBox) {
    warnings.push("no subject found (the photo matches its plate everywhere); the whole frame was matted");
    subjectBox = { x: 0, y: 0, width: analysis.width, height: analysis.height };
  }
  const box = expandBox(scaleBox(subjectBox, sx, sy, width, height), options.margin, width, height);
  lap("prior");

  // 2. Crop and resize to the working size. Small crops are enlarged up to the size the network was trained at
  // (its filters expect subjects of that scale), larger ones shrunk to the working size.
  const long = Math.min(options.workingSize, Math.max(MIN_WORKING_SIZE, box.width, box.height));
  const work = fitSize(box.width, box.height, long, 4);
  const imageCrop = crop(image, box);
  const imageWork = resize(imageCrop, work.width, work.height);
  const plateWork = resize(crop(plate, box), work.width, work.height);
  const maskBox = scaleBox(box, 1 / sx, 1 / sy, analysis.width, analysis.height);
  const prior = softSegmentation(cv, resize(crop(roughMask, maskBox), work.width, work.height));
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

  // 4. Back to full resolution, guided by the full-resolution photo.
  let alphaCrop =
    options.refine === "bilinear"
      ? resize(out.alpha, box.width, box.height)
      : guidedUpsample(out.alpha, imageWork, imageCrop);
  const fgCrop = resize(out.fg, box.width, box.height);
  if (options.refine === "plate")
    alphaCrop = refineWithPlate(cv, imageCrop, crop(plate, box), alphaCrop, fgCrop);
  const alpha = createImage(width, height, 1);
  paste(alpha, alphaCrop, box);
  const foreground: FloatImage = { ...image, data: Float32Array.from(image.data) };
  paste(foreground, fgCrop, box);
  lap("refine");

  // 5. Clean-up.
  if (options.cleanup) keepMainComponents(cv, alpha);
  opaqueForegroundFromImage(foreground, image, alpha);
  lap("cleanup");

  return {
    alpha,
    foreground,
    meta: {
      width,
      height,
      box,
      workingSize: work,
      prior: inputs.prior ? "user" : "plate-difference",
      priorThreshold,
      model: network.name,
      alignment,
      exposure,
      timings,
      warnings,
    },
  };
}
