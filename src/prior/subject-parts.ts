/**
 * The parts of a subject that lie far apart in the frame (walkers in a street scene shot from above), each to go
 * through the network on its own. One crop over all of them shows each at the crop's scale: in a 768 × 576 street
 * scene the crop is most of the frame, and a walker's face 10 px across is 6 of the network's pixels. A part's own crop
 * is enlarged up to the size the network was trained at (256 px): the walkers are seen at 1.6 to 2.6 times the scale.
 * Parts are split only where that gains resolution and the frame between them is mostly empty: a plant and a leaf cut
 * off from it cover most of the crop that spans them, and stay in one crop.
 */
import { componentBoxes } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { growBox, spanBox, type Box } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";

export interface PartOptions {
  /** Parts whose boxes, grown by this share of their longer side, meet are one part. */
  reach: number;
  /** Most parts matted apart; with more, one crop takes them all. */
  maxParts: number;
  /** Largest share of the whole crop the parts' boxes may cover together. */
  maxCover: number;
  /** Least gain in scale (a part's own crop against the whole crop) for the smallest-gaining part. */
  minGain: number;
}

// The reach is the crop's own margin: at half the longer side, the street scene's walkers, a body's width apart, all
// merged into one part.
export const DEFAULT_PARTS: PartOptions = {
  reach: 0.1,
  maxParts: 8,
  maxCover: 0.5,
  minGain: 1.5,
};

/**
 * The boxes of the frame to matte apart, largest first, or `[whole]`. `mask` is the rough subject mask at analysis
 * size; `toFrame` takes a box of it to the frame's region for a crop (scaled, with the crop's margin), `scaleOf`
 * gives the network's scale over such a region, and `whole` is the region that spans the subject.
 */
export function separateParts(
  cv: CV,
  mask: FloatImage,
  toFrame: (box: Box) => Box,
  scaleOf: (box: Box) => number,
  whole: Box,
  opts: PartOptions = DEFAULT_PARTS,
): Box[] {
  const boxes = mergeWithinReach(componentBoxes(cv, mask, 0.5), opts.reach, mask.width, mask.height);
  if (boxes.length < 2 || boxes.length > opts.maxParts) return [whole];
  const regions = boxes.map(toFrame).sort((a, b) => b.width * b.height - a.width * a.height);
  if (overlapAny(regions)) return [whole];
  const covered = regions.reduce((sum, b) => sum + b.width * b.height, 0);
  if (covered > opts.maxCover * whole.width * whole.height) return [whole];
  const gain = Math.min(...regions.map((b) => scaleOf(b))) / scaleOf(whole);
  return gain >= opts.minGain ? regions : [whole];
}

/** Boxes merged, again and again, wherever two grown by `reach` of their longer side meet. */
function mergeWithinReach(boxes: Box[], reach: number, width: number, height: number): Box[] {
  const grown = (b: Box) => growBox(b, Math.round(reach * Math.max(b.width, b.height)), width, height);
  let merged = boxes;
  for (let changed = true; changed;) {
    changed = false;
    const out: Box[] = [];
    for (const box of merged) {
      const i = out.findIndex((o) => meet(grown(o), grown(box)));
      if (i < 0) out.push(box);
      else {
        out[i] = spanBox(out[i], box);
        changed = true;
      }
    }
    merged = out;
  }
  return merged;
}

function overlapAny(boxes: Box[]): boolean {
  return boxes.some((a, i) => boxes.slice(i + 1).some((b) => meet(a, b)));
}

function meet(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
