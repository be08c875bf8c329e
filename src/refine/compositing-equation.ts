/**
 * Full-resolution refinement from the compositing equation I = αF + (1−α)B′. The network sees the scene at a
 * reduced size, so its matte is smooth; but wherever the subject's colour differs from the plate, the
 * full-resolution photo and plate determine α per pixel: α = ((I − B′)·(F − B′)) / ‖F − B′‖². Around the network's
 * subject we take F from the network (its F, upsampled), solve for α, and trust that solution in proportion to
 * how far F is from B′ (where they are alike, the network's α stays). Only the network's uncertain pixels
 * (α < 0.98) within reach of the subject, and within reach of its see-through part (coarse α ≤ 0.5), are changed:
 * the inside of an opaque subject keeps the network's α.
 *
 * The reach is measured at the network's resolution, and only the pixels near the subject's edge are visited at full
 * resolution: this runs on every video frame (fast mode). F is the network's rather than one mean colour of the
 * subject: it measured better in fast mode on both evaluation sets and keeps a subject of several colours whole
 * (a neck between a face and a collar).
 */
import { exposedAt, matchExposure, plateGainBias, type Plate } from "../align/plate.js";
import { dilateMask } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { colourDistanceAt } from "../cv/plate-difference.js";
import { bilinearTaps } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "../image/box-filter.js";
import { castShadows, shadowLikeAt, type CastShadowOptions, type ShadowLikeOptions } from "./cast-shadows.js";
import { backgroundNoiseFloor, neighbourhoodDeparture, type NoiseFloorOptions } from "./noise-floor.js";
import {
  DEFAULT_SUBJECT_COLOURS,
  subjectColourNearby,
  type SubjectColourOptions,
} from "./subject-colours.js";
import { atLeastLeastAlpha, DEFAULT_LEAST_ALPHA, type LeastAlphaOptions } from "./least-alpha.js";
import { DEFAULT_UNEXPLAINED, unexplainedFloor, type UnexplainedOptions } from "./unexplained-colours.js";
import { DEFAULT_BOUNDED_GAPS, openBoundedGaps, type BoundedGapOptions } from "./bounded-gaps.js";
import { DEFAULT_GAP_RIMS, solveGapRims, solveOutlineRims, type GapRimOptions } from "./gap-rims.js";
import {
  DEFAULT_SHADED_GAPS,
  lowerShadedRegions,
  shadedPlateAlpha,
  shadowDimming,
  ShadedPixels,
  type ShadedGapOptions,
} from "./shaded-gaps.js";
import {
  DEFAULT_PLATE_TEXTURE,
  plateTexture,
  textureMoments,
  type PlateTextureOptions,
  type TextureMoments,
} from "../cv/plate-texture.js";
import type { NetworkOutputs } from "../network/contract.js";

export interface EquationOptions {
  /** Colour distance ‖F − B′‖ at which the per-pixel solution gets half the weight. */
  tau: number;
  /** How far beyond the network's matte (fraction of the longer side) pixels may be corrected. */
  reach: number;
  /** Where neither F nor the plate explains the photo, the solve does not lower what the network holds as subject
   * (refine/unexplained-colours). */
  unexplained: UnexplainedOptions;
  /** Nor below the least α any F allows against the plate (refine/least-alpha; none if not given). */
  leastAlpha?: LeastAlphaOptions;
}

export const DEFAULT_EQUATION: EquationOptions = {
  tau: 0.12,
  reach: 0.01,
  unexplained: DEFAULT_UNEXPLAINED,
  leastAlpha: DEFAULT_LEAST_ALPHA,
};

/**
 * Gaps inside what the network called opaque (between hair strands, leaves, stems): a pixel there whose colour is
 * within `match` of the plate (max over channels, about twice a camera's noise) while the network's F is farther than
 * `contrast` from it is the background seen through a gap, and takes the solve's α where that is lower. A subject
 * the colour of the plate has an F near the plate too, so it keeps its α.
 */
export interface GapOptions {
  match: number;
  contrast: number;
  /** Also where the photo reproduces a textured plate around the pixel, whatever F (cv/plate-texture). */
  texture?: PlateTextureOptions;
  /** At the network's edge, a texture dimmed to at most this share of the plate's brightness is shadow, not strands
   * (none if not given). */
  edgeDimming?: number;
  /** Over a flat plate, regions the photo shows as the plate in the subject's shadow, where F's hue tells the shadow
   * from a blend with the subject (refine/shaded-gaps). */
  shaded?: ShadedGapOptions;
  /** Then, where F cannot tell, regions that match the plate inside sharp outlines (refine/bounded-gaps). */
  bounded?: BoundedGapOptions;
  /** Last, the rims of the gaps opened, then of the whole outline (refine/gap-rims). */
  rims?: GapRimOptions;
  /** Not where many of the pixels nearby of the photo's colour clearly differ from the plate: that colour is the
   * subject's (white between black letters, over a light fabric; refine/subject-colours). Where the network holds
   * such a pixel as subject, the solve's lowering is undone too (`heldOut`). */
  subjectColours?: SubjectColourOptions;
}

export const DEFAULT_GAPS: GapOptions = {
  match: 0.08,
  contrast: 0.3,
  texture: DEFAULT_PLATE_TEXTURE,
  // Measured on the composites: 0.85 cost a doll's blond hair over stone 0.15 SAD, 0.7 nothing.
  edgeDimming: 0.7,
  shaded: DEFAULT_SHADED_GAPS,
  bounded: DEFAULT_BOUNDED_GAPS,
  rims: DEFAULT_GAP_RIMS,
  subjectColours: DEFAULT_SUBJECT_COLOURS,
};

/**
 * Refines `alpha` (full resolution, the size of `image`) in place. With `fgOut` (for callers whose F is otherwise
 * the photo's), also writes there, wherever α is solved, the F that explains the photo at that α: the subject's
 * texture without the plate's colour. With `gaps`, also opens gaps inside the network's opaque region (GapOptions).
 * Returns the window means its texture tests read, if any, for later tests at the same radius.
 */
export function refineWithPlate(
  cv: CV,
  image: FloatImage,
  plateSource: Plate,
  alpha: FloatImage,
  coarse: NetworkOutputs,
  {
    fgOut,
    gaps,
    matched,
    shadows,
    shadowLike,
    noiseFloor,
    heldOut,
    doubted,
  }: {
    fgOut?: FloatImage;
    gaps?: GapOptions;
    /** The plate with its exposure applied, if the caller has it (the gap cues and the shadows need it). */
    matched?: FloatImage;
    /** Where the subject casts a shadow, the solve does not raise α (refine/cast-shadows). */
    shadows?: CastShadowOptions;
    /** Without that pass, where a pixel the network calls background is shadow-like, judged per pixel
     * (refine/cast-shadows `shadowLikeAt`). */
    shadowLike?: ShadowLikeOptions;
    /** Where the photo departs from the plate no more than the background's noise, the solve reads background
     * (refine/noise-floor). */
    noiseFloor?: NoiseFloorOptions;
    /** With the gaps' subject-colour test, gets the network's α (0 elsewhere) where the solve lowered a pixel it
     * holds as subject, in a colour the subject has nearby (refine/subject-colours): the floor for after the
     * hidden-plate holes are filled (`raiseToHeld`). */
    heldOut?: Float32Array;
    /** 1 where a second network doubts what this one holds (postprocess/second-opinion `doubtedPixels`): the solve
     * runs there at full weight, inside the network's opaque region too. */
    doubted?: Uint8Array;
  } = {},
  opts: EquationOptions = DEFAULT_EQUATION,
): TextureMoments | undefined {
  const { width: w, height: h } = alpha;
  const { width: gw, height: gh } = coarse.alpha;
  const [sx, sy] = [w / gw, h / gh]; // full-resolution pixels per network pixel

  // Where the subject is (α > 0.02 at the network's resolution), grown by the reach, less the inside of its opaque
  // part: farther than the reach from anything the network calls see-through, a subject is opaque whatever the
  // per-pixel solve says (a forehead against a bright sky matches the plate well enough to read as 0.7).
  const support = createImage(gw, gh, 1);
  const clear = createImage(gw, gh, 1);
  const a0 = coarse.alpha.data;
  for (let q = 0; q < a0.length; q++) {
    if (a0[q] > 0.02) support.data[q] = 1;
    if (a0[q] <= 0.5) clear.data[q] = 1;
  }
  const reachPx = Math.ceil(opts.reach * Math.max(gw, gh));
  const grown = dilateMask(cv, support, reachPx).data;
  const nearClear = dilateMask(cv, clear, reachPx).data;
  // The region's weight fades over one network pixel (bilinear from a 3×3 mean) instead of stopping at a cell's
  // edge: a hard stop leaves a seam one network pixel wide wherever the solve and the network disagree.
  const region = boxFilter({ ...support, data: grown.map((g, q) => (g && nearClear[q] ? 1 : 0)) }, 1).data;

  // Gaps are looked for in the cells the solve does not cover fully: the inside of the network's opaque region.
  const gapCells = gaps ? support.data.map((v, q) => (v && region[q] < 1 ? 1 : 0)) : undefined;
  const { match, contrast, edgeDimming = 0, subjectColours } = gaps ?? { match: 0, contrast: Infinity };
  // The plate's texture in the photo: where it shows (a gap, whatever F) and where it is hidden (no gap).
  const exposed =
    gaps?.texture || gaps?.bounded || gaps?.rims || shadows
      ? (matched ?? matchExposure(plateSource, plateSource.image))
      : undefined;
  const textureOptions = gaps?.texture || gaps?.bounded ? (gaps.texture ?? DEFAULT_PLATE_TEXTURE) : undefined;
  // The shadows' texture test reads the same window means when its radius is the same.
  const moments = exposed && textureOptions && textureMoments(cv, image, exposed, textureOptions.radius);
  const texture = exposed && textureOptions && plateTexture(cv, image, exposed, textureOptions, moments);
  const shows = gaps?.texture ? texture?.shows : undefined;
  const dimming = shows && texture?.dimming;
  const shadow = exposed && shadows && castShadows(cv, image, exposed, shadows, moments);

  const A = alpha.data;
  // α against the dimmed plate where the pixel is a shaded view of a flat one (−1 elsewhere), taken by region below.
  const shaded = gaps?.shaded && new ShadedPixels(A.length, gaps.shaded);
  // α before any gap is opened, inside the network's opaque region only (the rims of what opens there are solved last).
  const beforeGaps = gapCells && insideCells(alpha, gapCells, gw, gh);
  const I = image.data;
  const plate = plateSource.image.data;
  const { gain, bias } = plateGainBias(plateSource);
  const tau2 = opts.tau * opts.tau;
  const bg = new Float64Array(3);
  const xt = bilinearTaps(gw, w);
  const yt = bilinearTaps(gh, h);
  const FG = coarse.fg.data;
  const f = new Float64Array(3);
  const exposedPlate = { data: plate, gain, bias };
  const cellOf = (x: number, y: number) =>
    Math.min(gh - 1, Math.floor((y * gh) / h)) * gw + Math.min(gw - 1, Math.floor((x * gw) / w));
  const floor =
    noiseFloor &&
    backgroundNoiseFloor(
      image,
      exposedPlate,
      (x, y) => A[y * w + x] < 0.02 && !grown[cellOf(x, y)],
      noiseFloor,
    );
  // Only the network pixels within reach of the subject (and, with gaps, inside it), each over the full-resolution
  // pixels it covers.
  for (let cy = 0; cy < gh; cy++)
    for (let cx = 0; cx < gw; cx++) {
      const solveCell = region[cy * gw + cx] > 0;
      const inGapCell = gapCells !== undefined && gapCells[cy * gw + cx] > 0;
      // Where the plate shows, a gap is looked for at the subject's edge too.
      const gapCell = inGapCell || (shows !== undefined && solveCell);
      const doubtCell = doubted !== undefined && support.data[cy * gw + cx] > 0;
      if (!solveCell && !gapCell && !doubtCell) continue;
      const [x0, x1] = [Math.round(cx * sx), Math.round((cx + 1) * sx)];
      for (let y = Math.round(cy * sy); y < Math.round((cy + 1) * sy); y++) {
        const r0 = yt.i0[y] * gw;
        const r1 = yt.i1[y] * gw;
        const wy = yt.w[y];
        for (let x = x0, p = y * w + x0; x < x1; x++, p++) {
          const q00 = r0 + xt.i0[x];
          const q01 = r0 + xt.i1[x];
          const q10 = r1 + xt.i0[x];
          const q11 = r1 + xt.i1[x];
          const wx = xt.w[x];
          // Confidently opaque pixels keep the network's α: the network's smooth F is a poor match for a textured
          // subject's colours, and the per-pixel solve would punch false holes. Unless a second network doubts them.
          let weight = 0;
          if (doubtCell && doubted[p]) weight = 1;
          else if (solveCell && A[p] < 0.98) weight = bilinearAt(region, q00, q01, q10, q11, wx, wy);
          if (weight <= 0 && !gapCell) continue;
          // Where the plate's texture shows dimmed, the background there is the plate in the subject's shadow: inside
          // what the network called opaque, and at its edge where the shadow is deep (strands partly covering a
          // texture dim it a little too).
          const dimmed = dimming?.[p] ?? 0;
          const dim = dimmed > 0 && (inGapCell || dimmed <= edgeDimming) ? dimmed : 1;
          const seen = dimmed === 1 || dim < 1;
          for (let c = 0; c < 3; c++) bg[c] = dim * exposedAt(exposedPlate, 3 * p, c);
          if (shaded && dim === 1) {
            const k = shadowDimming(I, 3 * p, bg, shaded.options);
            if (k > 0 && tapSpread(FG, q00, q01, q10, q11) < shaded.options.fgSpread) {
              for (let c = 0; c < 3; c++) f[c] = bilinearAt(FG, q00, q01, q10, q11, wx, wy, 3, c);
              const solved = shadedPlateAlpha(I, 3 * p, bg, k, f, shaded.options);
              if (solved >= 0) shaded.set(p, solved, k);
            }
          }
          // A gap shows the plate; most of a subject does not, and is decided before F is read.
          const matchesPlate = colourDistanceAt(I, 3 * p, bg, 0) < match;
          const gapCandidate = gapCell && matchesPlate;
          if (weight <= 0 && !gapCandidate) continue;
          for (let c = 0; c < 3; c++) f[c] = bilinearAt(FG, q00, q01, q10, q11, wx, wy, 3, c);
          let num = 0;
          let den = 0;
          for (let c = 0; c < 3; c++) {
            const d = f[c] - bg[c];
            num += (I[3 * p + c] - bg[c]) * d;
            den += d * d;
          }
          const raw = Math.min(1, Math.max(0, num / Math.max(den, 1e-6)));
          // (Read only where the solve says more than nothing, or where the network leans to background: elsewhere
          // it changes nothing.)
          const leansBackground = weight > 0 && noiseFloor !== undefined && A[p] < noiseFloor.leansBackground;
          const withinNoise =
            floor !== undefined &&
            (raw > 0 || leansBackground) &&
            neighbourhoodDeparture(image, exposedPlate, x, y) < floor;
          let solved = withinNoise ? 0 : raw;
          if (weight > 0) {
            // F is not the subject's colour here (a face between dark hair and a dark collar): the network's α stays.
            const network = bilinearAt(a0, q00, q01, q10, q11, wx, wy);
            const kept = unexplainedFloor(
              image,
              exposedPlate,
              x,
              y,
              solved,
              f,
              bg,
              A[p],
              network,
              opts.unexplained,
            );
            if (kept > solved) solved = kept;
            // A colour the subject has nearby, where the network holds the pixel: its α is restored later.
            if (
              heldOut &&
              subjectColours &&
              network >= subjectColours.heldAlpha &&
              solved < network &&
              matchesPlate &&
              subjectColourNearby(image, exposedPlate, x, y, subjectColours, subjectColours.heldShare)
            )
              heldOut[p] = network;
            let corrected = A[p] + ((weight * den) / (den + tau2)) * (solved - A[p]);
            if (withinNoise && leansBackground) corrected = A[p] * (1 - weight);
            // Whatever F the network has, and however little the solve is trusted where F is near B′.
            if (opts.leastAlpha)
              corrected = atLeastLeastAlpha(image, exposedPlate, x, y, corrected, opts.leastAlpha);
            // A shadow darkens the plate towards any dark F: the solve would draw it as a halo. Judged per pixel,
            // where the network calls background, it is not the subject at all: the network's soft edge (α 0.05–0.2
            // over a walker's shadow, a haze beside strands of hair) goes too.
            if (corrected <= A[p])
              A[p] = corrected; // each pixel is read before it is written: in place is exact
            else if (shadowLike && shadowLikeAt(image, exposedPlate, x, y, bg, A[p], shadowLike)) A[p] = 0;
            else if (!shadow?.[p]) A[p] = corrected;
            if (fgOut) {
              // F that explains the photo exactly at this α (keeps the subject's texture, drops the plate's colour).
              const a = A[p];
              for (let c = 0; c < 3; c++) {
                const v = a > 0.01 ? bg[c] + (I[3 * p + c] - bg[c]) / a : f[c];
                fgOut.data[3 * p + c] = v < 0 ? 0 : v > 1 ? 1 : v;
              }
            }
          }
          // Not where F has the plate's colour too: that is a subject matching the plate, not a gap, unless the
          // photo shows the plate's texture around it (then F, near the plate, cannot solve α: the plate is seen).
          if (!gapCandidate) continue;
          if (seen) {
            A[p] = Math.min(A[p], den > tau2 ? solved : 0);
            if (heldOut) heldOut[p] = 0; // the plate's texture shows: a gap whatever its colour
          } else if (
            inGapCell &&
            colourDistanceAt(f, 0, bg, 0) >= contrast &&
            !(subjectColours && subjectColourNearby(image, exposedPlate, x, y, subjectColours))
          )
            A[p] = Math.min(A[p], solved);
        }
      }
    }
  if (shaded) lowerShadedRegions(cv, alpha, shaded);
  if (exposed && texture && gaps?.bounded)
    openBoundedGaps(cv, image, exposed, alpha, texture.hidden, coarse.refinement?.error, gaps.bounded);
  if (exposed && gaps?.rims) {
    if (beforeGaps) solveGapRims(cv, image, exposed, alpha, beforeGaps, gaps.rims);
    solveOutlineRims(cv, image, exposed, alpha, gaps.rims);
  }
  return moments || undefined;
}

/** `alpha`'s values where the network cell (of a gw × gh grid) covering the pixel is set in `cells`, 0 elsewhere. */
function insideCells(alpha: FloatImage, cells: ArrayLike<number>, gw: number, gh: number): Float32Array {
  const { width: w, height: h, data } = alpha;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    const row = Math.min(gh - 1, Math.floor((y * gh) / h)) * gw;
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (cells[row + Math.min(gw - 1, Math.floor((x * gw) / w))]) out[p] = data[p];
    }
  }
  return out;
}

/** Bilinear read of channel `c` of a map with `channels` channels, at taps q.. (pixel indices; weights wx, wy). */
function bilinearAt(
  d: ArrayLike<number>,
  q00: number,
  q01: number,
  q10: number,
  q11: number,
  wx: number,
  wy: number,
  channels = 1,
  c = 0,
): number {
  const i00 = channels * q00 + c;
  const i10 = channels * q10 + c;
  const top = d[i00] + (d[channels * q01 + c] - d[i00]) * wx;
  return top + (d[i10] + (d[channels * q11 + c] - d[i10]) * wx - top) * wy;
}

/** The largest difference, in any channel, between the RGB map's values at taps q.. (how uniform it is there). */
function tapSpread(d: Float32Array, q00: number, q01: number, q10: number, q11: number): number {
  let spread = 0;
  for (let c = 0; c < 3; c++) {
    const [a, b, e, g] = [d[3 * q00 + c], d[3 * q01 + c], d[3 * q10 + c], d[3 * q11 + c]];
    spread = Math.max(spread, Math.max(a, b, e, g) - Math.min(a, b, e, g));
  }
  return spread;
}
