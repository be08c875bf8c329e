/**
 * A second network's opinion on large parts the matte dropped. The crop network can call a whole part of the subject
 * background where that part has the plate's colour: a torso whose skin is a darker copy of the wall behind it. The
 * whole-frame network of `fast` (`bm-live`) reads the frame at another scale, with other weights, and often keeps
 * such a part. Where it is sure of subject over a region the matte has dropped, and that region is large, the matte
 * takes its α, and F there is the photo's colour. Small regions stay the crop network's call: `bm-live` fills the gaps
 * between leaves that the crop network and the refinement open.
 *
 * It also says where it doubts what the crop network holds: the sky seen through loops of hair, which the crop
 * network holds solid and the whole-frame one partial. There the compositing-equation solve runs at full weight
 * (refine/compositing-equation `doubted`), inside what the crop network holds opaque too.
 *
 * A subject small in the frame (a person across a room) it sees as `fast` does, on the subject's own crop: at that
 * scale it is the surer of the two networks, and it is heeded also where the matte holds a part only partly.
 */
import { matchExposure, type Plate } from "../align/plate.js";
import type { CV } from "../cv/opencv.js";
import { componentSizes } from "../cv/mask-ops.js";
import { textureMoments, type TextureMoments } from "../cv/plate-texture.js";
import { shrinkImage } from "../cv/shrink.js";
import { crop, fitSize, resize, scaleBox, type Box } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import type { NetworkInputs } from "../network/contract.js";
import type { MattingNetwork } from "../network/network.js";
import { MODES } from "../modes.js";
import { stillMotionCues } from "../prior/motion.js";
import { softSegmentation } from "../prior/soft-segmentation.js";

export interface SecondOpinionOptions {
  /** Longer side of the second network's whole-frame input (`fast`'s working size). */
  side: number;
  /** α from which the second network is sure of subject… */
  sure: number;
  /** …where the matte has dropped the pixel (α under this)… */
  dropped: number;
  /** …or, over a small subject's own crop (seen at the second network's scale, as `fast` sees it), holds it only
   * partly (α under this), and so wherever the photo gives the solve nothing to read (`withoutEvidence`)… */
  droppedSmall: number;
  /** Where neither the photo nor the plate has more grey-level spread than this over a 7 × 7 window… */
  plainSpread: number;
  /** …and the photo's colour lies within this of the plate's there (root mean square over the window and channels)… */
  faint: number;
  /** …the second network is sure of subject from this α. */
  plainSure: number;
  /**
   * …over a region of at least this share of what it saw (the frame, or the small subject's crop): at 224 px, about
   * 10 × 10 of the second network's pixels, a region it resolves rather than the blur at its edges (at 0.2 % it
   * filled a gap in the camouflage set, and one between the wooden bars of a composite's subject: its gap fill 0.2 →
   * 2.0 %).
   */
  minArea: number;
  /** α under which the second network doubts a pixel: the solve decides it (`doubtedPixels`)… */
  doubts: number;
  /**
   * …inside a part of the subject (a component of the crop network's α above 0.1) of at least this share of what it
   * saw. At 224 px a walker in a 768 × 576 street scene (0.3–0.8 % of the frame) is 30 × 10 of the second network's
   * pixels: its α there is the blur of legs 2 px wide, and its doubt punched holes in pale jeans over a pale pavement.
   */
  doubtsMinArea: number;
}

export const DEFAULT_SECOND_OPINION: SecondOpinionOptions = {
  side: MODES.fast.maxSide,
  // Measured in `balanced` against 0.9 and 0.5 % (composites / realpairs / camouflage set): 6.83 / 54.35 / 11.57 →
  // 6.81 / 54.35 / 11.53 (the inside of a mesh pencil cup, a figure's hand), `best` 10.89 → 10.85 on the camouflage
  // set, the rest and the person photo unchanged. At 0.2 %: realpairs 54.05 (a bottle's shaded side), but the gap
  // above.
  sure: 0.8,
  dropped: 0.05,
  // Measured on the person photo shrunk to 15, 10 and 7 % on 62 backgrounds (bench/person-backdrops.ts): the crop
  // network speckled her dark top before dark doorways and rock (α 0.3–0.9); see-through 6.26 / 6.34 / 5.99 % with
  // the crop's opinion heeded only where the matte dropped her (0.05), 1.43 / 1.75 / 1.96 % from 0.9.
  droppedSmall: 0.9,
  // Measured in `balanced` (composites / realpairs / camouflage set): 6.64 / 53.88 / 6.82 → 6.64 / 53.88 / 6.54, the
  // skin figures' heads and shoulders kept. Every part held under 0.5: realpairs 56.83 (a glass jug over a textured
  // plate turned solid); over a plain plate alone: 54.13 (white bottles' shaded sides, 0.12–0.26 from the plate).
  // 0.04 and 0.12: 6.54 again. Sure from 0.6 there: 6.30 (a figure's torso eroded at its sides 9.20 → 6.72), the rest
  // unchanged; from 0.5, 6.27.
  plainSpread: 0.03,
  faint: 0.08,
  plainSure: 0.6,
  minArea: 0.003,
  // Measured in `balanced` (composites / realpairs / camouflage set, see-through of the first and last; without:
  // 6.98 / 54.49 / 11.56, 1.10 / 6.92 %): 0.5 → no pixel of the person photo's hair moved; 0.7 → 6.86 / 54.41 / 11.56,
  // 1.13 / 6.92 %; 0.8 → 6.83 / 54.35 / 11.55, 1.13 / 6.95 % (the sky in her curls half open); 0.95 → 6.77 / 54.17 /
  // 11.54, but see-through 1.21 / 7.07 %.
  doubts: 0.8,
  // The camouflage set 11.55 → 11.57 (a drawn figure's tuft of hair, cut off from its head: 0.8 % of the frame), the
  // rest unchanged; the walkers of the fixed-camera video keep the crop network's α.
  doubtsMinArea: 0.01,
};

/** The frame at analysis size, as the pipeline has it: photo, plate (aligned, exposure matched), the rough mask. */
export interface WholeFrame {
  image: FloatImage;
  plate: FloatImage;
  mask: FloatImage;
  /** Motion cues at any size of the frame's aspect; a still's own grey image otherwise. */
  motion?: FloatImage;
}

/** The second network's α over the whole frame, at its own input size. */
export async function secondOpinionAlpha(
  cv: CV,
  network: MattingNetwork,
  frame: WholeFrame,
  opts: SecondOpinionOptions = DEFAULT_SECOND_OPINION,
): Promise<FloatImage> {
  const longest = Math.max(frame.image.width, frame.image.height);
  const { width, height } = fitSize(frame.image.width, frame.image.height, Math.min(opts.side, longest), 4);
  const image = shrinkImage(cv, frame.image, width, height);
  const inputs: NetworkInputs = {
    image,
    plate: shrinkImage(cv, frame.plate, width, height),
    prior: softSegmentation(cv, resize(frame.mask, width, height)),
    motion: frame.motion ? resize(frame.motion, width, height) : stillMotionCues(image),
  };
  return (await network.run(inputs)).alpha;
}

/** The second network's α over a region of the frame: the whole frame, or a small subject's crop, as `fast` sees it. */
export interface Opinion {
  alpha: FloatImage;
  /** The region of the frame it covers (full-resolution pixels). */
  box: Box;
  /** Whether that region is a small subject's own crop. */
  cropped: boolean;
}

/** The second network's α over `box` (within the opinion's region), at `width` × `height` (the box's full
 * resolution). */
export function opinionOverRegion(
  { alpha: other, box: seen }: Opinion,
  box: Box,
  width: number,
  height: number,
): FloatImage {
  const sx = other.width / seen.width;
  const sy = other.height / seen.height;
  const within = { ...box, x: box.x - seen.x, y: box.y - seen.y };
  return resize(crop(other, scaleBox(within, sx, sy, other.width, other.height)), width, height);
}

/**
 * 1 where the second network's α over the region (`opinionOverRegion`) is under `doubts`, in the parts of the subject
 * large enough for it to judge: components of `coarse` (the crop network's α over the same region) covering
 * `doubtsMinArea` of what the second network saw, the region being `regionShare` of that.
 */
export function doubtedPixels(
  cv: CV,
  seen: FloatImage,
  coarse: FloatImage,
  regionShare: number,
  opts: SecondOpinionOptions = DEFAULT_SECOND_OPINION,
): Uint8Array {
  const { width: gw, height: gh } = coarse;
  const { label, size } = componentSizes(cv, gw, gh, (q) => coarse.data[q] > 0.1);
  const minCells = (opts.doubtsMinArea / regionShare) * gw * gh;
  const { width: w, height: h } = seen;
  const doubted = new Uint8Array(w * h);
  // Plain loops: Uint8Array.from with a map function takes ~90 ms over a 1080p photo's crop.
  for (let y = 0, p = 0; y < h; y++) {
    const row = Math.min(gh - 1, Math.floor((y * gh) / h)) * gw;
    for (let x = 0; x < w; x++, p++) {
      const l = label[row + Math.min(gw - 1, Math.floor((x * gw) / w))];
      doubted[p] = l > 0 && size[l] >= minCells && seen.data[p] < opts.doubts ? 1 : 0;
    }
  }
  return doubted;
}

/** The window over which photo and plate are plain: 7 × 7 full-resolution pixels. */
const PLAIN_RADIUS = 3;

/**
 * 1 where the photo gives the compositing-equation solve nothing to read: a plain photo over a plain plate, the two
 * within a faint difference (skin on a wall of its colour). The solve's partial α there is a guess from that faint
 * difference, not evidence of a see-through subject as it is where glass bends a textured plate or differs clearly
 * from a plain one, or where strands and meshes show structure. A gap over a plain plate is plain too: the least area
 * the second network must be sure over (`minArea`) keeps it open, as it does a dropped one. The plate is read with its
 * exposure; the window means are the solve's texture tests' where they have them (`computed`, the same radius).
 */
export function withoutEvidence(
  cv: CV,
  image: FloatImage,
  plate: Plate,
  computed?: TextureMoments,
  opts: SecondOpinionOptions = DEFAULT_SECOND_OPINION,
): Uint8Array {
  const { moments: m, mixed } =
    computed?.radius === PLAIN_RADIUS
      ? computed
      : textureMoments(cv, image, matchExposure(plate, plate.image), PLAIN_RADIUS);
  const spread2 = opts.plainSpread * opts.plainSpread;
  const faint2 = opts.faint * opts.faint;
  const plain = new Uint8Array(image.width * image.height);
  for (let p = 0, j = 0; p < plain.length; p++, j += 4)
    plain[p] =
      m[j + 1] - m[j] * m[j] < spread2 && m[j + 3] - m[j + 2] * m[j + 2] < spread2 && mixed[2 * p] < faint2
        ? 1
        : 0;
  return plain;
}

/**
 * Raises `alpha` (full resolution over a region within what the second network saw, `over`) in place to `seen` (the
 * second network's α over the same region, `opinionOverRegion`) over the large regions where it is sure and `alpha`
 * dropped the subject (or, over a small subject's own crop or where the photo gives the solve nothing to read,
 * `plain`, holds it only partly), and writes the photo's colour into `foreground` there. Returns the share of the
 * region's pixels raised.
 */
export function takeSecondOpinion(
  cv: CV,
  image: FloatImage,
  alpha: FloatImage,
  foreground: FloatImage,
  seen: FloatImage,
  over: Pick<Opinion, "box" | "cropped">,
  plain?: Uint8Array,
  opts: SecondOpinionOptions = DEFAULT_SECOND_OPINION,
): number {
  const { width: w, height: h } = alpha;
  const [A, O] = [alpha.data, seen.data];
  const dropped = (p: number) => (over.cropped || plain?.[p] ? opts.droppedSmall : opts.dropped);
  const sure = (p: number) => (plain?.[p] ? opts.plainSure : opts.sure);
  const { label, size } = componentSizes(cv, w, h, (p) => O[p] > sure(p) && A[p] < dropped(p));
  const minPixels = opts.minArea * over.box.width * over.box.height;
  let raised = 0;
  for (let p = 0; p < label.length; p++) {
    if (label[p] === 0 || size[label[p]] < minPixels || O[p] <= A[p]) continue;
    A[p] = O[p];
    for (let c = 0; c < 3; c++) foreground.data[3 * p + c] = image.data[3 * p + c];
    raised++;
  }
  return raised / (w * h);
}
