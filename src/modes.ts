/**
 * Speed/quality modes: how large the coarse network's input is and how much of the frame the refiner re-predicts.
 * Measured on a 2-core CPU (README "Speed and quality modes"); the network's cost grows with its input area.
 */
import type { PatchRefineOptions } from "./refine/patch-refiner.js";
import type { ModeName } from "./vocabulary.js";

export interface Mode {
  /** What `refine: "auto"` means in this mode (`refiner` falls back to `plate` for a model without one). */
  autoRefine: "refiner" | "plate";
  /** The network sees the whole frame (no crop around the subject): one downscale per frame, for speed. */
  wholeFrame: boolean;
  /** Longest side of the network input; smaller crops are enlarged up to `minSide` (the training scale). */
  maxSide: number;
  minSide: number;
  /** How pixels the refiner does not touch are upsampled. */
  upsample: "bilinear" | "guided";
  /** F is the photo's colour except where a refiner re-predicts it (the refiner network's patches, or the pixels the
   * compositing equation solves): saves upsampling the coarse F at full resolution. */
  fgFromPhoto: boolean;
  /** After the refiner, also solve the compositing equation against the plate per pixel (refine/compositing-equation). */
  plateAfterRefiner: boolean;
  /** The solve also opens gaps inside the network's opaque region (refine/compositing-equation GapOptions). */
  openGaps: boolean;
  /** A mesh, a railing or a stem the network dropped, thinner than it sees, is subject again where the full-resolution
   * photo shows it against the plate (refine/thin-differences). */
  keepThinStructures: boolean;
  /** Drop specks at the network's resolution instead of full resolution (cheaper). */
  cleanupAtCoarse: boolean;
  patches: PatchRefineOptions;
}

export const MODES: Record<ModeName, Mode> = {
  fast: {
    // The compositing equation against the plate (guided upsampling, then a per-pixel solve near the edge) measured
    // better than the refiner network at this working size on both evaluation sets, and costs less.
    autoRefine: "plate",
    wholeFrame: true,
    // The network's time goes with its input area. With the compositing-equation solve, 160 px measured better than
    // 224 px with the refiner on the composites; at 128 px the network lost whole parts of real subjects
    // (README "Speed and quality modes").
    maxSide: 160,
    minSide: 128,
    fgFromPhoto: true,
    // The 160-px network's F is too blurred to tell a gap from a dark part of the subject next to a bright one:
    // measured with bm-live and the people guard, the composites gained (11.67 → 10.81) and realpairs lost
    // (56.58 → 57.03: scenes 01 and 02 each 1.2 worse), so real captures keep it off.
    openGaps: false,
    // Measured: the 160-px network misses a mesh whole (nothing to join it to); the camouflage set 37.13 → 37.09, the
    // composites 11.67 → 11.65, realpairs 56.63 → 56.56, for a full-resolution pass on every frame.
    keepThinStructures: false,
    cleanupAtCoarse: true,
    // These three apply only with an explicit `refine: "refiner"`.
    upsample: "bilinear",
    plateAfterRefiner: false,
    patches: { threshold: 0.1, maxFraction: 0.02, patch: 8 },
  },
  balanced: {
    autoRefine: "refiner",
    wholeFrame: false,
    maxSide: 512,
    minSide: 256,
    upsample: "guided",
    fgFromPhoto: false,
    plateAfterRefiner: true,
    // Measured: the composites 12.51 → 12.04 (the gaps between the potted plant's leaves, GT13), realpairs and the
    // camouflage set the same (57.23, 40.31 → 40.29), the person photo unchanged.
    openGaps: true,
    // Measured: the camouflage set 33.27 → 23.27 SAD (two meshes the network dropped whole, 124 → 20 and 95 → 19),
    // the composites 11.70 → 11.54 (a wire-mesh pencil cup), realpairs the same (57.17 → 57.16), the person photo the
    // same but for a few pixels of a shoulder's edge.
    keepThinStructures: true,
    cleanupAtCoarse: false,
    // Only the patches the coarse network is most unsure of: on noisy real captures the refiner follows sensor
    // noise at the edges (README "Speed and quality modes": threshold swept 0.05–0.5 on both evaluation sets).
    patches: { threshold: 0.4, maxFraction: 0.15, patch: 8 },
  },
  best: {
    autoRefine: "refiner",
    wholeFrame: false,
    maxSide: 768,
    minSide: 256,
    upsample: "guided",
    fgFromPhoto: false,
    plateAfterRefiner: true,
    openGaps: true,
    keepThinStructures: true,
    cleanupAtCoarse: false,
    patches: { threshold: 0.02, maxFraction: 0.5, patch: 8 },
  },
};
