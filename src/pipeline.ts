/**
 * The one place that chains the stages, shared by Node and the browser. A plan is resolved once from the mode
 * and the options; then the stages run in order:
 *
 *   prepare the plate (align, match exposure) → locate the subject → per region (the subject's, or each of its
 *   parts far apart): crop and shrink to the working size → the network → restore full resolution (upsample,
 *   refine) → compose into the frame and clean up.
 */
import { movesColours, type ExposureReport } from "./align/exposure.js";
import type { AlignmentReport } from "./align/homography.js";
import {
  cropPlate,
  matchExposure,
  plateGainBias,
  SAME_EXPOSURE,
  shrinkPlate,
  type Plate,
} from "./align/plate.js";
import { preparePlate, type PreparedPlate } from "./align/prepare-plate.js";
import type { CV } from "./cv/opencv.js";
import { differenceMask } from "./cv/plate-difference.js";
import type { TextureMoments } from "./cv/plate-texture.js";
import { shrinkImage } from "./cv/shrink.js";
import { throwIfAborted } from "./errors.js";
import {
  crop,
  fitSize,
  growBox,
  paste,
  resize,
  scaleBox,
  spanBox,
  upsampleBilinear,
  type Box,
} from "./image/geometry.js";
import { createImage, type FloatImage } from "./image/types.js";
import type { NetworkInputs, NetworkOutputs } from "./network/contract.js";
import {
  noRefiner,
  type FaceDetectorNetwork,
  type MattingNetwork,
  type SegmenterNetwork,
} from "./network/network.js";
import { DEFAULT_CLEANUP, keepMainComponents, opaqueForegroundFromImage } from "./postprocess/cleanup.js";
import { keepClearDifferences, keepFaintDifferences } from "./postprocess/clear-differences.js";
import {
  DEFAULT_HIDDEN_PLATE_HOLES,
  fillHolesHidingThePlate,
  type HiddenPlateHoleOptions,
} from "./postprocess/holes-hiding-the-plate.js";
import { guardPeople } from "./postprocess/people-guard.js";
import { combineTwoSizes } from "./postprocess/two-sizes.js";
import {
  doubtedPixels,
  opinionOverRegion,
  secondOpinionAlpha,
  takeSecondOpinion,
  withoutEvidence,
  type Opinion,
} from "./postprocess/second-opinion.js";
import { choosePrior, type PriorChoice } from "./prior/choose-prior.js";
import { stillMotionCues } from "./prior/motion.js";
import { softSegmentation } from "./prior/soft-segmentation.js";
import { separateParts } from "./prior/subject-parts.js";
import { MODES, type Mode } from "./modes.js";
import {
  DEFAULT_CAST_SHADOWS,
  DEFAULT_SHADOW_LIKE,
  type CastShadowOptions,
  type ShadowLikeOptions,
} from "./refine/cast-shadows.js";
import { DEFAULT_NOISE_FLOOR, type NoiseFloorOptions } from "./refine/noise-floor.js";
import { DEFAULT_GAPS, refineWithPlate, type GapOptions } from "./refine/compositing-equation.js";
import { raiseToHeld } from "./refine/subject-colours.js";
import { guidedUpsample } from "./refine/guided-upsample.js";
import { plateCannotExplain } from "./refine/least-alpha.js";
import { brighten, dimSceneGain, restoreForeground } from "./align/dim-scene.js";
import {
  refineUncertainPatches,
  type PatchRefineOptions,
  type PatchRefineReport,
} from "./refine/patch-refiner.js";
import { clearRelitPlate } from "./refine/relit-plate.js";
import { keepThinDifferences } from "./refine/thin-differences.js";
import type { ModeName, RefineMethod, Subject } from "./vocabulary.js";

export interface PipelineInputs {
  image: FloatImage; // RGB
  plate: FloatImage; // RGB, same size as image
  /** Optional subject mask (1 channel, image size): replaces the plate-difference prior. */
  prior?: FloatImage;
  /** Optional motion cues (4 channels, the image's aspect, any size); a still's own grey image ×4 otherwise. */
  motion?: FloatImage;
  /** For a plate the caller warped onto the photo: the share of each pixel the warp covered (image size), the rest
   * filled from the photo (align/homography `warpPlateWithCoverage`). */
  plateCoverage?: Float32Array;
}

export interface PipelineOptions {
  /** Speed/quality mode (src/modes.ts): working size and the full-resolution stages. */
  mode: ModeName;
  /** Checked between stages: the run stops with an ABORTED error once it fires. */
  signal?: AbortSignal;
  /** Longer side of the network's input, in pixels (rounded to a multiple of 4); default: the mode's. */
  workingSize?: number;
  /** Margin around the subject's box, as a fraction of its longer side (the paper: 0.1). */
  margin: number;
  /** Full-resolution restoration of the network's matte (src/vocabulary.ts, REFINE_METHODS). */
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
  /**
   * Where the person segmenter finds a person (it must fill 3 % of the frame and mostly differ from the plate)
   * and is sure of it well inside the outline (face, torso), α is 1 whatever the network says: skin the colour
   * of the sky behind must not turn see-through. Needs the segmenter; hair and edges are left to the network.
   * Default: on in every mode (docs/modes.md has what it measured per mode).
   */
  guardPeople?: boolean;
}

export interface MatteMetadata {
  width: number;
  height: number;
  /** Region of the frame that went through the network. */
  box: Box;
  /** Where the subject is several parts far apart, the regions each went through the network on its own (the
   * largest first; `box` spans them). */
  parts?: Box[];
  mode: ModeName;
  /** The network's input size (the first part's). */
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
  /** A dim scene's gain: photo and plate were matted this much brighter (align/dim-scene). */
  brightened?: number;
  /** The blur (σ in pixels) that brought a plate sharper than the photo's background to its focus, or that was
   * taken out of a blurrier one (align/focus-match). */
  plateBlur?: number;
  plateSharpened?: number;
  timings: Record<string, number>;
  warnings: string[];
}

export interface MatteResult {
  alpha: FloatImage;
  foreground: FloatImage;
  meta: MatteMetadata;
}

/** The networks and tools a pipeline runs with; one per matter, reused across its photos or frames. */
export interface PipelineContext {
  cv: CV;
  network: MattingNetwork;
  segmenter?: SegmenterNetwork;
  /** Confirms the people the segmenter finds (prior/faces.ts). */
  faces?: FaceDetectorNetwork;
  /** `fast`'s whole-frame network, asked about large parts the matte drops (postprocess/second-opinion.ts). */
  secondOpinion?: MattingNetwork;
  /** The plate's analysis-size copy: a video's plate is the same image every frame. */
  plateCache: PlateCache;
}

/** Keeps the last plate's analysis-size copy (and a dim scene's brightened plate), so that a video makes them once. */
export class PlateCache {
  private last?: { plate: FloatImage; small: FloatImage };
  private lit?: { plate: FloatImage; gain: number; brightened: FloatImage };

  /** The plate of a dim scene brightened (align/dim-scene): once per clip, and the same image every frame. */
  brightened(plate: FloatImage, gain: number): FloatImage {
    if (this.lit?.plate !== plate || this.lit.gain !== gain)
      this.lit = { plate, gain, brightened: brighten(plate, gain) };
    return this.lit.brightened;
  }

  shrunk(cv: CV, plate: FloatImage, width: number, height: number): FloatImage {
    const hit = this.last?.plate === plate ? this.last.small : undefined;
    if (hit && hit.width === width && hit.height === height) return hit;
    const small = shrinkImage(cv, plate, width, height);
    this.last = { plate, small };
    return small;
  }
}

type Size = { width: number; height: number };

/** Where the subject is located and the plate's exposure measured, when the network sees a crop. */
const ANALYSIS_SIZE = 512;

/** Everything the mode and the options decide, resolved once before any pixel is touched. */
export interface PipelinePlan {
  options: PipelineOptions;
  /** The network sees the whole frame at `analysis` size (one downscale per frame), or a crop around the subject. */
  wholeFrame: boolean;
  /** With `wholeFrame`: a subject small in the frame is cropped after all, where that shows it to the network at
   * least this many times larger (Mode.cropSmallSubjects). */
  cropSmallSubjects?: number;
  /** Size at which the subject is located and the plate's statistics measured. */
  analysis: Size;
  /** Longest side of the network input; smaller crops are enlarged up to `minSide`. */
  maxSide: number;
  minSide: number;
  refine: Exclude<RefineMethod, "auto">;
  /** α outside refined patches: bilinear with half-pixel centres (what the refiner was trained on) or guided. */
  alphaUpsampling: "bilinear" | "guided";
  /** How coarse maps are resized: the refiner needs exactly its training's half-pixel bilinear upsampling. */
  resizeCoarse: (map: FloatImage, width: number, height: number) => FloatImage;
  /** F is the photo's colour except where a refinement re-predicts it (else the coarse F upsampled). */
  fgFromPhoto: boolean;
  /** The compositing equation is solved against the plate: `refine: "plate"`, or after the refiner network where the
   * mode asks for it. */
  solvesWithPlate: boolean;
  /** The solve also opens gaps inside the network's opaque region. */
  gaps?: GapOptions;
  /** The solve does not raise α where the subject's shadow falls on the plate. */
  shadows?: CastShadowOptions;
  /** …or, without the cast-shadow pass, where a pixel the network calls background is shadow-like. */
  shadowLike?: ShadowLikeOptions;
  /** The solve reads background where the photo is within the background's noise of the plate. */
  noiseFloor?: NoiseFloorOptions;
  /** The network may not drop a solid blob that differs from the plate (postprocess/clear-differences). */
  keepDifferences: Mode["keepDifferences"];
  /** Thin structures the network dropped are subject again where the photo shows them (refine/thin-differences). */
  keepThinStructures: boolean;
  /** Holes inside the subject that hide a textured plate are filled (postprocess/holes-hiding-the-plate). */
  holesHidingPlate?: HiddenPlateHoleOptions;
  /** Where the subject re-lights the plate around it, the matte is background (refine/relit-plate). */
  clearRelitPlate: boolean;
  /** Large dropped parts the whole-frame network is sure of are subject (postprocess/second-opinion). */
  secondOpinion: boolean;
  /** The subject is matted again with the network's input at this longer side (postprocess/two-sizes). */
  secondSize?: number;
  /** Where specks are dropped: at the network's resolution (cheaper), at full resolution, or not at all. */
  cleanup: "coarse" | "full" | "off";
  /** A found person's solid interior is forced opaque (PipelineOptions.guardPeople). */
  guardPeople: boolean;
  /** The guard also looks for people too small for the segmenter (Mode.smallPeople). */
  smallPeople: boolean;
  patches: PatchRefineOptions;
}

export function planPipeline(options: PipelineOptions, network: MattingNetwork, frame: Size): PipelinePlan {
  const mode = MODES[options.mode];
  const maxSide = options.workingSize ?? mode.maxSide;
  const longest = Math.max(frame.width, frame.height);
  // The refiner network only when asked for: after it, the solve against the plate alone measured as well or better
  // in `balanced` and `best` on every evaluation set (docs/modes.md).
  const refine = options.refine === "auto" ? "plate" : options.refine;
  if (refine === "refiner" && !network.hasRefiner) throw noRefiner(network.name);
  return {
    options,
    wholeFrame: mode.wholeFrame,
    cropSmallSubjects: mode.cropSmallSubjects,
    // Whole-frame modes feed the network the analysis image itself: a single downscale of the photo per frame.
    analysis: mode.wholeFrame
      ? fitSize(frame.width, frame.height, Math.min(maxSide, longest), 4)
      : fitSize(frame.width, frame.height, Math.min(ANALYSIS_SIZE, longest), 1),
    maxSide,
    minSide: mode.minSide,
    refine,
    alphaUpsampling:
      refine === "bilinear" || (refine === "refiner" && mode.upsample === "bilinear") ? "bilinear" : "guided",
    resizeCoarse: refine === "refiner" ? upsampleBilinear : resize,
    fgFromPhoto: mode.fgFromPhoto && (refine === "refiner" || refine === "plate"),
    solvesWithPlate: refine === "plate" || (refine === "refiner" && mode.plateAfterRefiner),
    gaps: mode.openGaps ? DEFAULT_GAPS : undefined,
    shadows: mode.keepShadowsOut === "cast-shadows" ? DEFAULT_CAST_SHADOWS : undefined,
    shadowLike: mode.keepShadowsOut === "shadow-like" ? DEFAULT_SHADOW_LIKE : undefined,
    noiseFloor: mode.noiseFloor ? DEFAULT_NOISE_FLOOR : undefined,
    keepDifferences: mode.keepDifferences,
    keepThinStructures: mode.keepThinStructures,
    holesHidingPlate:
      mode.fillHolesHidingPlate === "off"
        ? undefined
        : {
            ...DEFAULT_HIDDEN_PLATE_HOLES,
            leak: mode.fillHolesHidingPlate === "closed" ? 0 : DEFAULT_HIDDEN_PLATE_HOLES.leak,
          },
    clearRelitPlate: mode.clearRelitPlate,
    secondOpinion: mode.secondOpinion,
    // A working size the caller asked for is the one used.
    secondSize: options.workingSize === undefined ? mode.secondSize : undefined,
    cleanup: !options.cleanup ? "off" : mode.cleanupAtCoarse ? "coarse" : "full",
    // Measured in every mode: the person photo's face and torso closed (balanced 0.026 %, fast 0.052 % → 0), the
    // camouflage set better (balanced 46 → 37 %, fast 50 → 44 % see-through), realpairs the same, the composites
    // +0.2 / +0.07 SAD (the segmenter takes one plush toy for a person); in fast ~5 ms of a 75-ms 1280×720 frame.
    guardPeople: options.guardPeople ?? true,
    smallPeople: mode.smallPeople,
    patches: mode.patches,
  };
}

/** Adds each stage's time to `timings` under its name. */
function stageClock(timings: Record<string, number>) {
  let t = performance.now();
  return {
    restart: () => void (t = performance.now()),
    lap(stage: string) {
      const now = performance.now();
      timings[stage] = (timings[stage] ?? 0) + (now - t);
      t = now;
    },
  };
}

export async function runPipeline(
  ctx: PipelineContext,
  given: PipelineInputs,
  options: PipelineOptions,
): Promise<MatteResult> {
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const clock = stageClock(timings);
  const plan = planPipeline(options, ctx.network, given.image);
  const checkpoint = () => throwIfAborted(options.signal, "matting");

  checkpoint();
  // A dim scene is matted brightened, and its foreground brought back to the photo's brightness at the end.
  const gain = dimSceneGain(given.image, given.plate);
  // (A video's motion cues are its neighbouring frames' grey levels: brightened alike.)
  const inputs =
    gain === 1
      ? given
      : {
          ...given,
          image: brighten(given.image, gain),
          plate: ctx.plateCache.brightened(given.plate, gain),
          motion: given.motion && brighten(given.motion, gain),
        };
  const analysed = analyseFrame(ctx, plan, inputs);
  warnings.push(...analysed.prepared.warnings);
  Object.assign(timings, analysed.prepared.timings);
  clock.restart();

  const subject = await locateSubject(ctx, plan, inputs.image, analysed, warnings);
  clock.lap("prior");
  // `fast`'s network on the frame as `fast` sees it, once: each region reads its opinion over itself.
  let opinion: Opinion | undefined;
  if (plan.secondOpinion && ctx.secondOpinion) {
    opinion = await fastOpinion(ctx.cv, ctx.secondOpinion, plan, inputs, analysed, subject);
    clock.lap("second-opinion");
  }
  const parts = regionsToMatte(ctx.cv, plan, subject, inputs.image);
  const regions: MattedRegion[] = [];
  for (const box of parts) {
    checkpoint();
    // (`best` mattes the region twice, at two working sizes, and combines the mattes.)
    const matte = (at: PipelinePlan) =>
      matteRegion(ctx, at, inputs, analysed, { ...subject, box }, opinion, clock, checkpoint);
    const region = await matte(plan);
    if (plan.secondSize) {
      combineTwoSizes(region, await matte({ ...plan, maxSide: plan.secondSize }));
      clock.lap("two-sizes");
    }
    regions.push(region);
  }
  const { alpha, foreground } = await composeFrame(
    ctx.cv,
    plan,
    inputs.image,
    analysed.prepared,
    subject,
    regions,
  );
  clock.lap("cleanup");
  if (gain !== 1) restoreForeground(foreground, given.image, gain);

  const { alignment, exposure } = analysed.prepared;
  const { plateBlur, plateSharpened } = analysed.prepared.focus;
  const { choice } = subject;
  return {
    alpha,
    foreground,
    meta: {
      width: inputs.image.width,
      height: inputs.image.height,
      box: subject.box,
      mode: options.mode,
      workingSize: regions[0].work,
      ...(regions.length > 1 ? { parts: regions.map((r) => r.box) } : {}),
      refine: plan.refine,
      refiner: regions[0].refinerReport,
      prior: choice.kind,
      personArea: choice.personArea,
      personAgreement: choice.personAgreement,
      priorThreshold: choice.threshold,
      model: ctx.network.name,
      alignment,
      exposure,
      ...(gain !== 1 ? { brightened: gain } : {}),
      ...(plateBlur > 0 ? { plateBlur } : {}),
      ...(plateSharpened > 0 ? { plateSharpened } : {}),
      timings,
      warnings,
    },
  };
}

interface MattedRegion extends RestoredRegion {
  /** The region of the frame, and the network's input size for it. */
  box: Box;
  work: Size;
}

/** Stages 3–5 over one region of the frame: crop and shrink, the network, the differences it missed, full resolution,
 * and the whole-frame network's opinion (`opinion`, over the frame at its own size) on it. */
async function matteRegion(
  ctx: PipelineContext,
  plan: PipelinePlan,
  inputs: PipelineInputs,
  analysed: AnalysedFrame,
  subject: LocatedSubject,
  opinion: Opinion | undefined,
  clock: ReturnType<typeof stageClock>,
  checkpoint: () => void,
): Promise<MattedRegion> {
  const cropped = cropToWorkingSize(ctx.cv, plan, inputs, analysed, subject);
  clock.lap("resize");
  checkpoint();
  const coarse = await ctx.network.run(cropped.network);
  clock.lap("network");
  checkpoint();
  if (plan.keepDifferences === "clear-and-faint") {
    keepClearDifferences(ctx.cv, cropped.network, coarse);
    clock.lap("clear-differences");
  } else if (plan.keepDifferences === "faint") {
    keepFaintDifferences(ctx.cv, cropped.network, coarse);
    clock.lap("faint-differences");
  }
  // At the network's few pixels a speck can be solid: the share-of-the-largest rule there, and what the plate cannot
  // explain (its input plate is exposure-matched already).
  if (plan.cleanup === "coarse") {
    const { image, plate } = cropped.network;
    const shown = plateCannotExplain(image, { data: plate.data, ...SAME_EXPOSURE });
    keepMainComponents(ctx.cv, coarse.alpha, { ...DEFAULT_CLEANUP, solidShare: 0 }, shown);
  }

  const seen = opinion && opinionOverRegion(opinion, subject.box, cropped.image.width, cropped.image.height);
  const seenArea = opinion ? opinion.box.width * opinion.box.height : 0;
  // Where the second network doubts what the crop network holds (sky through loops of hair), the solve decides.
  const doubted =
    seen &&
    doubtedPixels(ctx.cv, seen, coarse.alpha, (cropped.image.width * cropped.image.height) / seenArea);
  if (seen) clock.lap("second-opinion");
  // (The window means are read here only: not kept with the region's matte.)
  const { moments, ...restored } = await restoreFullResolution(ctx, plan, cropped, coarse, clock, doubted);
  if (opinion && seen) {
    const plain = withoutEvidence(ctx.cv, cropped.image, cropped.plate, moments);
    takeSecondOpinion(ctx.cv, cropped.image, restored.alpha, restored.foreground, seen, opinion, plain);
    clock.lap("second-opinion");
  }
  return { ...restored, box: subject.box, work: cropped.work };
}

interface AnalysedFrame {
  imageSmall: FloatImage;
  /** The user's mask at analysis size, if any. */
  priorSmall?: FloatImage;
  /** The plate aligned and exposure-matched, with its analysis-size copy. */
  prepared: PreparedPlate;
}

/** Stage 1: the photo at analysis size, and the plate brought onto it (hand-held capture) and exposure-matched. */
function analyseFrame(ctx: PipelineContext, plan: PipelinePlan, inputs: PipelineInputs): AnalysedFrame {
  const { cv } = ctx;
  const { width, height } = plan.analysis;
  const small = (im: FloatImage) => shrinkImage(cv, im, width, height);
  const imageSmall = small(inputs.image);
  const priorSmall = inputs.prior ? small(inputs.prior) : undefined;
  const prepared = preparePlate(cv, inputs.image, inputs.plate, small, plan.options, priorSmall, {
    imageSmall,
    // A plate of another size (another aspect) is first warped onto the photo: its shrunk copy would be unused.
    plateSmall:
      inputs.plate.width === inputs.image.width && inputs.plate.height === inputs.image.height
        ? ctx.plateCache.shrunk(cv, inputs.plate, width, height)
        : undefined,
    coverage: inputs.plateCoverage,
  });
  return { imageSmall, priorSmall, prepared };
}

interface LocatedSubject {
  choice: PriorChoice;
  /** The region of the full frame that goes through the network. */
  box: Box;
}

/** Stage 2: where the subject is (a rough mask at analysis size), and the region of the frame to matte. */
async function locateSubject(
  ctx: PipelineContext,
  plan: PipelinePlan,
  image: FloatImage,
  { imageSmall, priorSmall, prepared }: AnalysedFrame,
  warnings: string[],
): Promise<LocatedSubject> {
  const { width, height } = prepared.plate.image;
  const choice = await choosePrior(
    ctx.cv,
    {
      image: imageSmall,
      plate: prepared.small,
      user: priorSmall,
      detail: image,
      // Whole-frame (fast) mode reuses the mask the exposure step measured: one difference per frame, unless the
      // matching then moved the plate's colours (a white balance off by a few per cent raised that mask's threshold
      // past a small person's face). It keeps the plain threshold: told by the capped one that a grid's gaps are
      // subject, its network fills them (measured: a grid over a busy plate 84 → 140 SAD).
      difference: plan.wholeFrame
        ? (!movesColours(prepared.exposure) && prepared.difference) ||
          differenceMask(ctx.cv, imageSmall, prepared.small)
        : undefined,
    },
    plan.options.subject,
    ctx.segmenter,
    plan.guardPeople,
    ctx.faces,
    plan.smallPeople,
  );
  warnings.push(...choice.warnings);
  let found = choice.box;
  if (!found) {
    warnings.push("no subject found (the photo matches its plate everywhere); the whole frame was matted");
    found = { x: 0, y: 0, width: plan.analysis.width, height: plan.analysis.height };
  }
  const frame = prepared.plate.image;
  const subjectBox = regionInFrame(plan, frame, found);
  if (!plan.wholeFrame) return { choice, box: subjectBox };
  const whole = { x: 0, y: 0, width, height };
  if (!cropsSmallSubject(plan, subjectBox, whole)) return { choice, box: whole };
  // The whole-frame prior reaches only what differs clearly; a crop must take in the faint rest of the subject too
  // (a head the wall's colour), as the crop modes' prior does.
  const reach = differenceMask(ctx.cv, imageSmall, prepared.small, true).box;
  const box = reach ? regionInFrame(plan, frame, spanBox(found, reach)) : subjectBox;
  return { choice, box: cropsSmallSubject(plan, box, whole) ? box : whole };
}

/** The frame's region (with the crop's margin) for a box of the analysis-size mask. */
function regionInFrame(plan: PipelinePlan, frame: Size, box: Box): Box {
  const { width, height } = frame;
  const { sx, sy } = frameScale(plan, frame);
  return expandBox(scaleBox(box, sx, sy, width, height), plan.options.margin, width, height);
}

/** Whether a whole-frame plan crops to `box` after all: the subject is small enough in the frame that its crop shows
 * it to the network `plan.cropSmallSubjects` times larger or more. */
function cropsSmallSubject(plan: PipelinePlan, box: Box, whole: Box): boolean {
  const gain = plan.cropSmallSubjects;
  return gain !== undefined && networkScale(plan, box) >= gain * networkScale(plan, whole);
}

/** The network's input pixels per frame pixel over a region (`workingLongSide`). */
function networkScale(plan: PipelinePlan, box: Box): number {
  return workingLongSide(plan, box) / Math.max(box.width, box.height);
}

/** The regions to matte: the subject's, or its parts far apart, each on its own (prior/subject-parts). */
function regionsToMatte(cv: CV, plan: PipelinePlan, { choice, box }: LocatedSubject, frame: Size): Box[] {
  const toFrame = (b: Box) => regionInFrame(plan, frame, b);
  const scaleOf = (b: Box) => networkScale(plan, b);
  if (!isWholeFrame(box, frame)) return separateParts(cv, choice.mask, toFrame, scaleOf, box);
  // The whole frame (`fast`): walkers spread across it, each small in it, are still matted each in a crop of its own.
  if (!plan.cropSmallSubjects || !choice.box) return [box];
  const parts = separateParts(cv, choice.mask, toFrame, scaleOf, toFrame(choice.box));
  return parts.length > 1 && parts.every((b) => cropsSmallSubject(plan, b, box)) ? parts : [box];
}

function isWholeFrame(box: Box, frame: Size): boolean {
  return box.width === frame.width && box.height === frame.height;
}

/** The network's input size (longer side) for a region: small ones are enlarged up to the size the network was
 * trained at (its filters expect subjects of that scale), larger ones shrunk to the working size. */
function workingLongSide(plan: PipelinePlan, box: Box): number {
  return Math.min(plan.maxSide, Math.max(Math.min(plan.minSide, plan.maxSide), box.width, box.height));
}

interface CroppedRegion {
  /** The region at full resolution: the photo and the plate (with its exposure), and the plate as shot where that
   * was brought to the photo's focus (only a box of the region is cut out, when asked for: most frames never read
   * it). */
  image: FloatImage;
  plate: Plate;
  asShot?: (within: Box) => Plate;
  /** The network's input size, and its inputs. */
  work: Size;
  network: NetworkInputs;
}

/**
 * Stage 3: crop the subject's region and bring it to the working size (`workingLongSide`), with the prior S and the
 * motion cues M.
 */
function cropToWorkingSize(
  cv: CV,
  plan: PipelinePlan,
  inputs: PipelineInputs,
  { imageSmall, prepared }: AnalysedFrame,
  { choice, box }: LocatedSubject,
): CroppedRegion {
  const { image } = inputs;
  const isWhole = isWholeFrame(box, image);
  const region = {
    image: isWhole ? image : crop(image, box),
    plate: cropPlate(prepared.plate, box),
    asShot:
      prepared.asShot &&
      ((within: Box) => cropPlate(prepared.asShot!, { ...within, x: box.x + within.x, y: box.y + within.y })),
  };
  if (plan.wholeFrame && isWhole) {
    const work = plan.analysis;
    const prior = softSegmentation(cv, choice.mask);
    const motion = motionFor(inputs, box, work) ?? stillMotionCues(imageSmall);
    return { ...region, work, network: { image: imageSmall, plate: prepared.small, prior, motion } };
  }
  const work = fitSize(box.width, box.height, workingLongSide(plan, box), 4);
  const imageWork = shrinkImage(cv, region.image, work.width, work.height);
  const { sx, sy } = frameScale(plan, image);
  const analysisBox = scaleBox(box, 1 / sx, 1 / sy, plan.analysis.width, plan.analysis.height);
  const network = {
    image: imageWork,
    plate: shrinkPlate(cv, region.plate, work.width, work.height),
    prior: softSegmentation(cv, resize(crop(choice.mask, analysisBox), work.width, work.height)),
    motion: motionFor(inputs, box, work) ?? stillMotionCues(imageWork),
  };
  return { ...region, work, network };
}

/** The caller's motion cues (possibly at a reduced size: video keeps its look-ahead buffer small) for `box`. */
function motionFor({ image, motion }: PipelineInputs, box: Box, work: Size): FloatImage | undefined {
  if (!motion) return undefined;
  const [sx, sy] = [motion.width / image.width, motion.height / image.height];
  return resize(crop(motion, scaleBox(box, sx, sy, motion.width, motion.height)), work.width, work.height);
}

interface RestoredRegion {
  alpha: FloatImage;
  foreground: FloatImage;
  refinerReport?: PatchRefineReport;
  /** The window means of photo against plate the solve's texture tests read, for later tests at the same radius. */
  moments?: TextureMoments;
}

/** Stage 5: the coarse matte back at full resolution over the region: upsample, then refine where it pays. */
async function restoreFullResolution(
  ctx: PipelineContext,
  plan: PipelinePlan,
  region: CroppedRegion,
  coarse: NetworkOutputs,
  clock: ReturnType<typeof stageClock>,
  /** 1 where the solve decides what the network holds opaque (postprocess/second-opinion `doubtedPixels`). */
  doubted?: Uint8Array,
): Promise<RestoredRegion> {
  const { image, plate } = region;
  const { width, height } = image;
  const alpha =
    plan.alphaUpsampling === "bilinear"
      ? plan.resizeCoarse(coarse.alpha, width, height)
      : guidedUpsample(coarse.alpha, region.network.image, image);
  // F from the photo except where a refinement re-predicts it (the uncertain edges): the blurry upsampled coarse F
  // would cost a full-resolution pass and add little elsewhere.
  const foreground = plan.fgFromPhoto
    ? { ...image, data: image.data.slice() }
    : plan.resizeCoarse(coarse.fg, width, height);
  clock.lap("upsample");
  // The plate with its exposure, made once for the stages that compare it with the photo pixel by pixel.
  const matched =
    plan.keepThinStructures || plan.clearRelitPlate ? matchExposure(plate, plate.image) : undefined;
  const { gaps, shadows, shadowLike, noiseFloor } = plan;
  // Where the solve lowered a pixel the network holds, in a colour the subject has nearby: raised after the holes.
  const heldOut = plan.solvesWithPlate && gaps?.subjectColours ? new Float32Array(width * height) : undefined;
  let refinerReport: PatchRefineReport | undefined;
  let moments: TextureMoments | undefined;
  if (plan.refine === "refiner")
    refinerReport = await refineUncertainPatches(
      await ctx.network.loadRefiner(),
      image,
      plate,
      coarse,
      alpha,
      foreground,
      plan.patches,
    );
  if (plan.solvesWithPlate) {
    // With F from the photo and no refiner, the solve also writes, where it solves α, the F that explains the photo.
    const fgOut = plan.refine === "plate" && plan.fgFromPhoto ? foreground : undefined;
    const solve = { gaps, shadows, shadowLike, noiseFloor, matched, heldOut, doubted, fgOut };
    moments = refineWithPlate(ctx.cv, image, plate, alpha, coarse, solve);
  }
  clock.lap("refine");
  if (plan.clearRelitPlate && matched) {
    clearRelitPlate(ctx.cv, image, matched, alpha);
    clock.lap("relit-plate");
  }
  if (plan.keepThinStructures && matched) {
    const cell = Math.max(width / coarse.alpha.width, height / coarse.alpha.height);
    keepThinDifferences(ctx.cv, image, matched, alpha, foreground, cell);
    clock.lap("thin-structures");
  }
  if (plan.holesHidingPlate) {
    // Without gap opening, every hole is the network's: it is looked for at the network's few pixels first.
    const networkHoles = plan.gaps ? undefined : coarse.alpha;
    const { asShot } = region;
    fillHolesHidingThePlate(ctx.cv, image, plate, alpha, networkHoles, plan.holesHidingPlate, asShot);
    clock.lap("hidden-plate-holes");
  }
  if (heldOut) raiseToHeld(alpha, heldOut);
  return { alpha, foreground, refinerReport, moments };
}

/** `fast`'s network on the frame as `fast` sees it (the frame at analysis size, or a small subject's own crop): where
 * it doubts what the crop network holds, the solve decides; where it is sure of large parts the matte dropped, they
 * are subject. */
async function fastOpinion(
  cv: CV,
  network: MattingNetwork,
  plan: PipelinePlan,
  inputs: PipelineInputs,
  analysed: AnalysedFrame,
  subject: LocatedSubject,
): Promise<Opinion> {
  const { width, height } = inputs.image;
  const whole = { x: 0, y: 0, width, height };
  // A subject small in the frame is seen as `fast` sees it: its own crop (its box reaches the faint differences).
  const { maxSide, minSide, cropSmallSubjects } = MODES.fast;
  const asFast = { ...plan, wholeFrame: false, maxSide, minSide, cropSmallSubjects };
  if (cropsSmallSubject(asFast, subject.box, whole)) {
    const { network: crop } = cropToWorkingSize(cv, asFast, inputs, analysed, subject);
    return { alpha: (await network.run(crop)).alpha, box: subject.box, cropped: true };
  }
  const { imageSmall, prepared } = analysed;
  const frame = {
    image: imageSmall,
    plate: prepared.small,
    mask: subject.choice.mask,
    motion: inputs.motion,
  };
  return { alpha: await secondOpinionAlpha(cv, network, frame), box: whole, cropped: false };
}

/** Stage 6: the regions pasted into the full frame (the photo's colours around them), then cleaned up. */
async function composeFrame(
  cv: CV,
  plan: PipelinePlan,
  image: FloatImage,
  { plate, coverage }: PreparedPlate,
  { choice }: LocatedSubject,
  regions: MattedRegion[],
): Promise<{ alpha: FloatImage; foreground: FloatImage }> {
  let { alpha, foreground } = regions[0];
  const { box } = regions[0];
  if (regions.length > 1 || box.width !== image.width || box.height !== image.height) {
    alpha = createImage(image.width, image.height, 1);
    foreground = { ...image, data: image.data.slice() };
    for (const region of regions) {
      paste(alpha, region.alpha, region.box);
      paste(foreground, region.foreground, region.box);
    }
  }
  if (
    choice.solid &&
    guardPeople(cv, alpha, image, choice.solid, { behind: { plate, coverage } }) &&
    choice.certain
  ) {
    // Holes left: a face, if the detector finds one on this person, says to fill the wide ones whatever their colour;
    // only where it does (the rules without a face have had their passes).
    const certain = await choice.certain();
    if (certain)
      guardPeople(cv, alpha, image, certain.sure, {
        certain: certain.sure,
        small: certain.small,
        behind: { plate, coverage },
      });
  }
  if (plan.cleanup === "full")
    keepMainComponents(
      cv,
      alpha,
      DEFAULT_CLEANUP,
      plateCannotExplain(image, { data: plate.image.data, ...plateGainBias(plate) }),
    );
  // With F from the photo it already is the photo wherever α is opaque.
  if (!plan.fgFromPhoto) opaqueForegroundFromImage(foreground, image, alpha);
  return { alpha, foreground };
}

/** Full-resolution pixels per analysis pixel. */
function frameScale(plan: PipelinePlan, frame: Size): { sx: number; sy: number } {
  return { sx: frame.width / plan.analysis.width, sy: frame.height / plan.analysis.height };
}

function expandBox(box: Box, margin: number, width: number, height: number): Box {
  return growBox(box, Math.round(margin * Math.max(box.width, box.height)), width, height);
}
