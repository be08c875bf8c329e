/**
 * Speed/quality modes: how large the coarse network's input is, and which full-resolution stages run after it. In
 * every mode the coarse matte is restored by upsampling and a per-pixel solve against the plate; the refiner network
 * runs only when asked for (`refine: "refiner"`), with the budget below. Measured on a 2-core CPU (README "Speed and
 * quality modes"); the network's cost grows with its input area.
 */
import type { PatchRefineOptions } from "./refine/patch-refiner.js";
import type { ModeName } from "./vocabulary.js";

export interface Mode {
  /** The network sees the whole frame (no crop around the subject): one downscale per frame, for speed. */
  wholeFrame: boolean;
  /** With `wholeFrame`: a subject small in the frame (a walker in a street scene, a person across a room) is cropped
   * after all, its far-apart parts each on its own, where that shows it to the network at least this many times
   * larger than the whole frame does (none: always the whole frame). */
  cropSmallSubjects?: number;
  /** Longest side of the network input; smaller crops are enlarged up to `minSide` (the training scale). */
  maxSide: number;
  minSide: number;
  /** With the refiner: how the pixels it does not touch are upsampled. */
  upsample: "bilinear" | "guided";
  /** F is the photo's colour except where a refinement re-predicts it (the pixels the compositing equation solves, or
   * the refiner network's patches): saves upsampling the coarse F at full resolution. */
  fgFromPhoto: boolean;
  /** With the refiner: also solve the compositing equation against the plate per pixel after it
   * (refine/compositing-equation). */
  plateAfterRefiner: boolean;
  /** The solve also opens gaps inside the network's opaque region (refine/compositing-equation GapOptions). */
  openGaps: boolean;
  /** The solve does not raise α where the subject's shadow falls on the plate: no grey halo (refine/cast-shadows).
   * "cast-shadows": found over each pixel's neighbourhood by a full-resolution pass; "shadow-like": judged per pixel
   * where the network calls background, for a frame that cannot pay for the pass. */
  keepShadowsOut: "cast-shadows" | "shadow-like";
  /** The solve reads background where the photo departs from the plate no more than the background's own noise: no
   * haze of specks over the gaps of a mesh the network sees as a blur (refine/noise-floor). */
  noiseFloor: boolean;
  /** The network may not call background a flat, solid blob that differs clearly from the plate, or faintly beside
   * what it holds opaque (postprocess/clear-differences); "faint": only the latter. */
  keepDifferences: "clear-and-faint" | "faint" | "off";
  /** A mesh, a railing or a stem the network dropped, thinner than it sees, is subject again where the full-resolution
   * photo shows it against the plate (refine/thin-differences). */
  keepThinStructures: boolean;
  /** A hole inside the subject where the photo hides a textured plate is subject (postprocess/holes-hiding-the-plate):
   * a part in the plate's colours, not a gap. "nearly-closed": also a hole joined to the outside only through a gap
   * in the subject narrower than 16 pixels (in proportion for regions longer than 1000). */
  fillHolesHidingPlate: "closed" | "nearly-closed" | "off";
  /** Where the subject re-lights the plate around it (a soft shadow, the colour it reflects), the matte is background
   * (refine/relit-plate). */
  clearRelitPlate: boolean;
  /** A large part the matte dropped is subject where `fast`'s whole-frame network is sure of it
   * (postprocess/second-opinion). */
  secondOpinion: boolean;
  /** The subject matted again with the network's input at this longer side, and the two mattes combined
   * (postprocess/two-sizes); none: one size. */
  secondSize?: number;
  /** The people guard also looks for people too small for the person segmenter: a face over the top of each part of
   * the subject the plate difference finds (prior/people-with-faces). */
  smallPeople: boolean;
  /** Drop specks at the network's resolution instead of full resolution (cheaper). */
  cleanupAtCoarse: boolean;
  /** With the refiner: which patches it re-predicts. */
  patches: PatchRefineOptions;
}

export const MODES: Record<ModeName, Mode> = {
  fast: {
    wholeFrame: true,
    // Measured on the person photo shrunk to 15, 10 and 7 % on 62 backgrounds (bench/person-backdrops.ts): see-through
    // 30.3 / 38.2 / 41.3 → 1.1 / 1.9 / 1.7 %, the evaluation sets unchanged. At 1.5 the person photo (her box half the
    // frame's width) was cropped too, but realpairs lost 0.32 (a glass jug) and the live page a fifth of its frames.
    cropSmallSubjects: 2.5,
    // The network's time goes with its input area, and here so does the exposure matching's and the prior's: 224 px
    // costs a 1280×720 frame ~25 ms more than 160 px (docs/benchmarks.md), and measured better on the composites and
    // the camouflage set (faces and clothes of the backdrop's colour) with realpairs the same; 192, 208, 240 and 256 px
    // each lost on realpairs. At 128 px the network lost whole parts of real subjects (docs/modes.md).
    maxSide: 224,
    minSide: 128,
    fgFromPhoto: true,
    // The low-resolution network's F is too blurred to tell a gap from a dark part of the subject next to a bright one:
    // measured with bm-live and the people guard, the composites gained (11.67 → 10.81) and realpairs lost
    // (56.58 → 57.03: scenes 01 and 02 each 1.2 worse), so real captures keep it off. With the GPU-trained bm-live,
    // balanced's gap opening with an F contrast of 0.5 scored better on all three sets (composites 9.31 → 8.51,
    // realpairs 64.19 → 64.13, camouflage set 22.68 → 22.42) but took a 1280×720 frame's solve from 15 to 317 ms;
    // its cheap part alone (colour match and contrast) gained only on the composites (9.13).
    openGaps: false,
    // Per pixel (numbers in refine/cast-shadows `DEFAULT_SHADOW_LIKE`): a fixed-camera video's walkers lose the disc
    // of α 0.2–0.3 their soft shadow drew around their feet, for ~5–15 ms of a 768×576 frame. The cast-shadow pass
    // (its hue test on 5×5 means: the video's compression broke the per-pixel one) gained less (the composites,
    // scored per item over the whole image, 9.20 → 9.04; 8.90 per pixel) and took the solve of a 1280×720 frame from
    // ~30 to ~185 ms.
    keepShadowsOut: "shadow-like",
    // Measured at 224 px: the composites 8.91 → 8.81 (gap fill 4.41 → 4.03 %), realpairs 64.16 → 63.54 (the glass
    // jugs' haze: scene03 77.9 → 75.5, scene06 19.3 → 18.9), the camouflage set 12.89 → 12.02 (gap fill 2.32 → 1.18
    // %: a grid over a dark plate 16.7 → 0.9 %); a doll's fine hair 12.89 → 13.04; ~7 ms more in the solve of a
    // 1280×720 frame. In `balanced` realpairs lost (54.53 → 54.66; the camouflage set's gap fill 0.41 → 0.21 %).
    noiseFloor: true,
    // The faint half alone, measured at 224 px: the camouflage set 13.26 → 12.89 SAD (see-through 10.56 → 9.92 %: a
    // torso and a face of the wall's colour beside the legs it kept), 11.84 (8.61 %) with the blobs raised whole and
    // the noise floor; the composites, realpairs and the person photo unchanged; ~5 ms of a 1280×720 frame. Both
    // halves: the camouflage set 12.87, but the composites 8.91 → 8.98 and realpairs 64.17 → 64.30 (seams closed
    // across a plant's gaps), and ~20 ms. Again with the noise floor's rule for the rim: both halves 8.30 / 63.18 /
    // 11.23 → 8.38 / 63.34 / 11.36, the camouflage set's see-through 8.35 → 9.04 %.
    keepDifferences: "faint",
    // Measured: the 160-px network misses a mesh whole (nothing to join it to); every evaluation set within 0.07 SAD,
    // for a full-resolution pass on every frame.
    keepThinStructures: false,
    // Measured: the camouflage set 22.68 → 19.92, the rest the same; looked for at the network's size first, ~1 ms
    // a 1280×720 frame without a closed hole. Nearly closed holes too: realpairs 63.18 → 63.88 (its bottles' holes,
    // opened by the 224-px network wider than the crop network's), the rest the same.
    fillHolesHidingPlate: "closed",
    // Measured with an area test in place of its width test: the composites 8.24 → 8.23, realpairs the same, pair b
    // 56.79 → 56.33 (the foam a yellow label tints), for ~90 ms a frame: a full-resolution pass `fast` cannot pay for.
    clearRelitPlate: false,
    // It is the second opinion.
    secondOpinion: false,
    // Measured on her photo shrunk to 35 % on 62 backgrounds (a face 45 px across in 960×540): see-through 13.4 → 0.04
    // % of her face and torso; a 1280×720 frame ~10 ms more where part of the subject has no face (the detector over
    // its top, every frame). Chosen: a face that turns see-through is what `fast` must not do.
    smallPeople: true,
    cleanupAtCoarse: true,
    // These three apply only with an explicit `refine: "refiner"`.
    upsample: "bilinear",
    plateAfterRefiner: false,
    patches: { threshold: 0.1, maxFraction: 0.02, patch: 8 },
  },
  balanced: {
    wholeFrame: false,
    maxSide: 512,
    minSide: 256,
    fgFromPhoto: false,
    // Measured: the composites 12.51 → 12.04 (the gaps between the potted plant's leaves, GT13), realpairs and the
    // camouflage set the same (57.23, 40.31 → 40.29), the person photo unchanged.
    openGaps: true,
    // Measured: the bundled example 15.65 → 12.90 SAD (the grey halo beside its shoulders and arm), realpairs
    // 57.17 → 57.23 (a bottle's shaded rim), the composites, the camouflage set and the person photo unchanged; ~70 ms
    // of a 1920×1080 frame.
    keepShadowsOut: "cast-shadows",
    noiseFloor: false,
    // Measured: the camouflage set 40.27 → 37.21 SAD with a clear distance of 0.1 (a green-clothed figure on a beige
    // wall, dropped whole, is back), 37.10 → 33.27 with 0.03 (see-through 28.1 → 21.7 %: skin a few grey levels off
    // the sky), realpairs 57.59 → 57.17, the composites and the person photo unchanged.
    keepDifferences: "clear-and-faint",
    // Measured: the camouflage set 33.27 → 21.63 SAD (two meshes the network dropped whole, 124 → 6 and 95 → 4), the
    // composites 11.70 → 11.59 (a wire-mesh pencil cup), realpairs the same (57.17), the person photo the same but
    // for 12 pixels of a shoulder's edge; 25–70 ms on a 1920×1080 photo, ~130 ms where a dense mesh fills the frame.
    keepThinStructures: true,
    // Measured: the camouflage set 21.77 → 18.78, the composites the same, realpairs 54.72 → 55.25 (a bottle's edge its
    // reference calls background; docs/how-it-works.md). Nearly closed holes: a label's white over a light fabric,
    // joined to the background by a shaded rim the solve holds partly (postprocess/holes-hiding-the-plate `leak`).
    fillHolesHidingPlate: "nearly-closed",
    // Measured: realpairs pair b 56.66 → 55.33 (the white foam a yellow label tints and shades beside it: 33.56 →
    // 25.57, gap fill 25.8 → 1.2 %), pair a, the composites and the camouflage set unchanged; ~90 ms of a 1920×1080
    // frame.
    clearRelitPlate: true,
    // Measured: the camouflage set 14.10 → 11.80 SAD (see-through 10.20 → 6.99 %: a head and torso of the wall's
    // colour, dropped whole, are back), the composites, realpairs and the person photo unchanged; ~90 ms of a
    // 1920×1080 photo's 3.8 s.
    secondOpinion: true,
    // Measured on her photo shrunk to 35 % on 62 backgrounds (a face 45 px across in 960×540): see-through 7.6 → 0.002
    // % of her face and torso; every evaluation set unchanged; ~30 ms a photo.
    smallPeople: true,
    cleanupAtCoarse: false,
    // These three apply only with an explicit `refine: "refiner"`. Only the patches the coarse network is most unsure
    // of: on noisy real captures the refiner follows sensor noise at the edges (docs/modes.md: threshold swept).
    upsample: "guided",
    plateAfterRefiner: true,
    patches: { threshold: 0.4, maxFraction: 0.15, patch: 8 },
  },
  best: {
    wholeFrame: false,
    maxSide: 768,
    minSide: 256,
    fgFromPhoto: false,
    openGaps: true,
    // Measured: the bundled example 16.48 → 13.98 SAD, realpairs 58.75 → 58.76, the composites and the camouflage set
    // unchanged.
    keepShadowsOut: "cast-shadows",
    noiseFloor: false,
    // Measured: the camouflage set 35.33 → 32.77 SAD with a clear distance of 0.1, 32.65 → 29.26 with 0.03; realpairs
    // 59.28 → 58.75.
    keepDifferences: "clear-and-faint",
    // Measured: the camouflage set 29.26 → 22.74 SAD, the composites 11.15 → 11.00, realpairs the same (58.75).
    keepThinStructures: true,
    fillHolesHidingPlate: "nearly-closed",
    clearRelitPlate: true,
    // Measured: the camouflage set 14.01 → 11.71 SAD (see-through 11.28 → 8.07 %), the rest unchanged.
    secondOpinion: true,
    // Measured (composites / realpairs / camouflage set): 6.67 / 54.61 / 10.77 → 6.55 / 53.87 / 10.75, realpairs pair b
    // 54.41 → 54.36, the person photo's see-through 0 in both; a 1920×1080 frame 2.45 → 3.64 s.
    secondSize: 512,
    smallPeople: true,
    cleanupAtCoarse: false,
    // These three apply only with an explicit `refine: "refiner"`.
    upsample: "guided",
    plateAfterRefiner: true,
    patches: { threshold: 0.02, maxFraction: 0.5, patch: 8 },
  },
};
