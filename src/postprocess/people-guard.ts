/**
 * The people guard: where the person segmenter is sure of a person (its solid interior: face, torso), holes in the
 * matte are filled. The network follows the image–plate difference, and where skin has the colour of the sky behind,
 * that difference vanishes; a segmenter that needs no plate is not fooled there. A see-through object that the
 * segmenter mistakes for a person (a wicker ball) must keep its gaps, so a hole is filled only where the matte already
 * calls it more subject than not, where the matte around it is mostly solid, or where the photo there has the colour
 * of the opaque subject around it (skin continues into the hole; a gap shows the background, which differs from the
 * weave).
 */
import { boxOfMask, crop, paste, resize, type Box } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { boxFilter } from "../refine/box-filter.js";

/** The neighbourhood the guard looks at, as a share of the frame's longer side. */
const NEIGHBOURHOOD = 0.02;
/** Mean α of the neighbourhood above which a hole is filled whatever its colour. */
const MOSTLY_SOLID = 0.92;
/** α above which a pixel of the sure interior is subject already, only not opaque: a person's face or torso is never
 * partly transparent, so it is made opaque (a weave's gaps, near 0, are left to the rules below). */
const MOSTLY_SUBJECT = 0.5;
/** Colour distance (max over channels) under which a hole continues the opaque subject around it. */
const SAME_COLOUR = 0.1;

/** Each pass fills a neighbourhood's width into a hole from its rim: three reach holes of 12 % of the frame. */
const PASSES = 3;

/**
 * `solid`: the person's sure interior (1 inside) at any size of the frame's aspect; `image` the photo (RGB) the
 * matte `alpha` belongs to; `alpha` is changed in place.
 */
export function guardPeople(alpha: FloatImage, image: FloatImage, solid: FloatImage): void {
  const sure = resize(solid, alpha.width, alpha.height);
  const r = Math.max(1, Math.round(NEIGHBOURHOOD * Math.max(alpha.width, alpha.height)));
  const box = boxOfSure(sure, r);
  if (!box) return;
  // Work on the sure interior's box (grown by the neighbourhood), then write back.
  const [a, im, s] = [crop(alpha, box), crop(image, box), crop(sure, box)];
  // The first rule needs no neighbourhood: applied alone first, it usually leaves no hole, and a live frame then
  // skips the passes' box filters.
  const holes = { x0: Infinity, y0: Infinity, x1: -1, y1: -1 };
  for (let p = 0; p < a.data.length; p++) {
    if (s.data[p] <= a.data[p]) continue;
    if (a.data[p] > MOSTLY_SUBJECT) {
      a.data[p] = s.data[p];
      continue;
    }
    const [x, y] = [p % a.width, Math.floor(p / a.width)];
    holes.x0 = Math.min(holes.x0, x);
    holes.x1 = Math.max(holes.x1, x);
    holes.y0 = Math.min(holes.y0, y);
    holes.y1 = Math.max(holes.y1, y);
  }
  if (holes.x1 >= 0) {
    // The passes fill only the holes, from what lies within a neighbourhood of them: their box, grown by one.
    const around = grownBox(holes, r, a.width, a.height);
    const [ha, him, hs] = [crop(a, around), crop(im, around), crop(s, around)];
    for (let pass = 0; pass < PASSES && fillPass(ha, him, hs.data, r); pass++);
    paste(a, ha, around);
  }
  paste(alpha, a, box);
}

function grownBox(
  b: { x0: number; y0: number; x1: number; y1: number },
  r: number,
  width: number,
  height: number,
): Box {
  const [x, y] = [Math.max(0, b.x0 - r), Math.max(0, b.y0 - r)];
  return { x, y, width: Math.min(width, b.x1 + 1 + r) - x, height: Math.min(height, b.y1 + 1 + r) - y };
}

function boxOfSure(sure: FloatImage, r: number): Box | null {
  const b = boxOfMask(sure, 0);
  if (!b) return null;
  return grownBox(
    { x0: b.x, y0: b.y, x1: b.x + b.width - 1, y1: b.y + b.height - 1 },
    r,
    sure.width,
    sure.height,
  );
}

/** One pass over the region; whether it filled anything. */
function fillPass(alpha: FloatImage, image: FloatImage, sure: Float32Array, r: number): boolean {
  const { width, height } = alpha;
  const local = boxFilter(alpha, r).data;
  // The mean colour of the opaque subject (α > 0.95) in each neighbourhood: sums of I·[opaque] and [opaque].
  const opaque = createImage(width, height, 4);
  const O = opaque.data;
  for (let p = 0; p < alpha.data.length; p++) {
    if (alpha.data[p] <= 0.95) continue;
    O[4 * p] = image.data[3 * p];
    O[4 * p + 1] = image.data[3 * p + 1];
    O[4 * p + 2] = image.data[3 * p + 2];
    O[4 * p + 3] = 1;
  }
  const around = boxFilter(opaque, r).data;
  const a = alpha.data;
  let filled = false;
  for (let p = 0; p < a.length; p++) {
    if (sure[p] <= a[p]) continue;
    let fill = a[p] > MOSTLY_SUBJECT || local[p] > MOSTLY_SOLID;
    const share = around[4 * p + 3];
    if (!fill && share > 0) {
      let d = 0;
      for (let c = 0; c < 3; c++)
        d = Math.max(d, Math.abs(image.data[3 * p + c] - around[4 * p + c] / share));
      fill = d < SAME_COLOUR;
    }
    if (fill) {
      a[p] = sure[p];
      filled = true;
    }
  }
  return filled;
}
