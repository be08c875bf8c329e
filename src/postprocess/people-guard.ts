/**
 * The people guard: where the person segmenter is sure of a person (its solid interior: face, torso), holes in the
 * matte are filled. The network follows the image–plate difference, and where skin has the colour of the sky behind,
 * that difference vanishes; a segmenter that needs no plate is not fooled there. A see-through object that the
 * segmenter mistakes for a person (a wicker ball) must keep its gaps, so a hole is filled only where the matte already
 * calls it more subject than not, where the photo there has the colour of the opaque subject around it (skin
 * continues into the hole; a gap shows the background, which differs from the weave), where the matte around it is
 * mostly solid and its colour not far from the subject's, or where it is a mere speck. On a person whose face the
 * detector found (prior/faces.ts) there is no such doubt: a hole in the sure interior that is wide or closed all
 * round is filled whatever its colour (a black blouse in front of a dark room, a neck the colour of the sky). Thin
 * gaps that open onto the background beyond are left to the rules above: the gaps between strands of hair that falls
 * over the shoulders are real.
 */
import {
  boxOfMask,
  boxWhere,
  crop,
  growBox,
  paste,
  resize,
  upsampleBilinear,
  upsampledBox,
  type Box,
} from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import {
  componentSizes,
  dilateMask,
  labelComponents,
  onImageBorder,
  openByDisc,
  openMask,
} from "../cv/mask-ops.js";
import { grainBands, grainEvidence, grainOver } from "../cv/plate-grain.js";
import { withMats, type CV } from "../cv/opencv.js";
import { DEFAULT_PLATE_TEXTURE, plateTexture } from "../cv/plate-texture.js";
import { cropPlate, matchExposure, type Plate } from "../align/plate.js";

/** The neighbourhood the guard looks at, as a share of the frame's longer side. */
const NEIGHBOURHOOD = 0.02;
/** Mean α of the neighbourhood above which a hole is filled unless its colour is far from the subject's. */
const MOSTLY_SOLID = 0.92;
/** Colour distance (max over channels) beyond which a hole in a mostly solid neighbourhood is a gap: the blue
 * background between a wicker ball's orange canes. Skin in shadow, an eye or a mouth stay within it. */
const FAR_COLOUR = 0.3;
/** α above which a pixel of the sure interior is subject already, only not opaque: a person's face or torso is never
 * partly transparent, so it is made opaque (a weave's gaps, near 0, are left to the rules below). */
const MOSTLY_SUBJECT = 0.5;
/** Colour distance (max over channels) under which a hole continues the opaque subject around it. */
const SAME_COLOUR = 0.1;

/** On a person with a face, a hole this wide (the radius of a disc it holds, as a share of the frame's longer side)
 * is filled whatever its colour: wider than the gaps between strands of hair (and than 2 px on a small frame). */
const WIDE_HOLE = 0.002;

/** The plate behind the photo (aligned, with its exposure matching) and how much of each pixel its warp covers. */
export interface PlateBehind {
  plate: Plate;
  coverage?: Float32Array;
}

/** Where the plate's texture shows through fewer pixels across than this radius, the guard still holds; and within
 * the texture's window of the opaque subject (α above OPAQUE). */
const SPECK = 2;
const OPAQUE = 0.95;
/** A part of the sure interior the matte calls background is the plate where its photo's grain correlates with the
 * plate's at least this much (cv/plate-grain), by this many standard errors, over at least this many pixels. */
const GRAIN_SHOWN = 0.3;
const GRAIN_EVIDENCE = 5;
const GRAIN_PART = 100;

/** Each pass fills a neighbourhood's width into a hole from its rim: three reach holes of 12 % of the frame. */
const PASSES = 3;

/** What the guard knows beyond the frame's sure interior. */
export interface GuardEvidence {
  /** The sure interior's part on people whose face was found (the same size as it). */
  certain?: FloatImage;
  /** The part of that on people too small in the frame for gaps between strands of their hair to show, where every
   * hole is filled (the same size). */
  small?: FloatImage | null;
  /** The plate: where it shows through, the guard holds nothing. */
  behind?: PlateBehind;
}

/**
 * `solid`: the person's sure interior (1 inside) at any size of the frame's aspect; `image` the photo (RGB) the
 * matte `alpha` belongs to; `alpha` is changed in place. Returns whether enough of the sure interior is left open to
 * hold a wide hole: only then is a face worth looking for (a live frame usually leaves a few pixels at most).
 */
export function guardPeople(
  cv: CV,
  alpha: FloatImage,
  image: FloatImage,
  solid: FloatImage,
  { certain, small, behind }: GuardEvidence = {},
): boolean {
  const r = Math.max(1, Math.round(NEIGHBOURHOOD * Math.max(alpha.width, alpha.height)));
  const sure = sureOverItsBox(solid, alpha.width, alpha.height, r);
  if (!sure) return false;
  // Work on the sure interior's box (grown by the neighbourhood), then write back.
  const { box, s } = sure;
  const [a, im] = [crop(alpha, box), crop(image, box)];
  const wide = Math.max(2, WIDE_HOLE * Math.max(alpha.width, alpha.height));
  const over = (mask: FloatImage) => maskOverBox(mask, alpha.width, alpha.height, box);
  // What the plate shows through is left open, and counts as open below: it is for a face to decide on.
  const plateShown = behind ? notWherePlateShows(cv, s, a, im, behind, box) : 0;
  const c = certain && holesToFill(cv, over(certain), a, wide, small ? over(small) : undefined);
  // The first rules need no neighbourhood: applied alone first, they usually leave no hole, and a live frame then
  // skips the passes' box filters.
  for (let p = 0; p < a.data.length; p++)
    if (s.data[p] > a.data[p] && (a.data[p] > MOSTLY_SUBJECT || c?.[p])) a.data[p] = s.data[p];
  // What is left below the sure interior are the holes.
  const holes = boxWhere(a.width, a.height, (p) => s.data[p] > a.data[p]);
  let left = plateShown;
  if (holes) {
    // The passes fill only the holes, from what lies within a neighbourhood of them: their box, grown by one.
    const around = growBox(holes, r, a.width, a.height);
    const [ha, him, hs] = [crop(a, around), crop(im, around), crop(s, around)];
    fillSpecks(cv, ha, hs.data, Math.PI * wide * wide);
    const sums = new WindowSums(ha.width, ha.height);
    for (let pass = 0; pass < PASSES && fillPass(ha, him, hs.data, r, sums); pass++);
    paste(a, ha, around);
    for (let p = 0; p < ha.data.length; p++) if (hs.data[p] > ha.data[p]) left++;
  }
  paste(alpha, a, box);
  return left >= Math.PI * wide * wide;
}

/**
 * Clears the sure interior `s` where the matte `a` calls background (MOSTLY_SUBJECT or less) and the photo `image`
 * reproduces the plate's texture (cv/plate-texture) or, over a whole part, its fine grain (cv/plate-grain): the scene
 * behind shows there, such as a canyon's rocks that the segmenter took for a person's dark shoulder. A face or a
 * blouse never copies a textured plate pixel for pixel; over a flat plate (the sky, a wall) the tests say nothing and
 * the guard holds as before. `s`, `a` and `image` are the region `frameBox` of the frame. Returns how many pixels it
 * cleared.
 */
function notWherePlateShows(
  cv: CV,
  s: FloatImage,
  a: FloatImage,
  image: FloatImage,
  { plate, coverage }: PlateBehind,
  frameBox: Box,
): number {
  const { width, height } = s;
  const background = (p: number) => s.data[p] > 0 && a.data[p] <= MOSTLY_SUBJECT;
  const inner = boxWhere(width, height, background);
  if (!inner) return 0;
  const { radius } = DEFAULT_PLATE_TEXTURE;
  // Read over that box grown by the texture's window, so that what lies just outside it counts too.
  const box = growBox(inner, radius, width, height);
  const at = (q: number) => (box.y + Math.floor(q / box.width)) * width + box.x + (q % box.width);
  const inFrame = { ...box, x: frameBox.x + box.x, y: frameBox.y + box.y };
  const frameAt = (q: number) =>
    (inFrame.y + Math.floor(q / box.width)) * plate.image.width + inFrame.x + (q % box.width);
  const region = cropPlate(plate, inFrame);
  const [photo, behind] = [crop(image, box), matchExposure(region, region.image)];
  const { shows } = plateTexture(cv, photo, behind);
  // Specks and strips where a window happens to match stay held; so does a window over the opaque subject's edge (a
  // few pixels of a jaw), and one where the warp left the plate empty: there it holds the photo itself.
  const shown = openMask(
    cv,
    maskOf(box, (q) => shows[q]),
    SPECK,
  );
  const held = dilateMask(
    cv,
    maskOf(box, (q) => a.data[at(q)] > OPAQUE || (coverage && coverage[frameAt(q)] < 1)),
    radius,
  );
  // Not over what is held either: where the warp left the plate empty, photo and plate share every grain.
  showsGrain(cv, photo, behind, shown, (q) => background(at(q)) && !held.data[q]);
  let cleared = 0;
  for (let q = 0; q < shown.data.length; q++)
    if (shown.data[q] && !held.data[q] && background(at(q))) [s.data[at(q)], cleared] = [0, cleared + 1];
  return cleared;
}

/**
 * Adds to `shown` the parts of what `candidate` marks (pixels of `photo`) whose photo follows the plate's fine grain
 * (cv/plate-grain) closely, beyond chance: there the plate is seen, though too smooth for the texture test (a
 * canyon's rocks in shade beside a dark cardigan). A person's face or clothes never repeat the grain of the scene
 * behind them (correlation ~0 on the person photo's, 0.5–0.7 over its background).
 */
function showsGrain(
  cv: CV,
  photo: FloatImage,
  plate: FloatImage,
  shown: FloatImage,
  candidate: (q: number) => boolean,
): void {
  const { width, height } = photo;
  const parts = labelComponents(cv, width, height, (q) => candidate(q) && !shown.data[q]);
  if (parts.count < 2) return;
  const members: number[][] = Array.from({ length: parts.count }, () => []);
  for (let q = 0; q < parts.label.length; q++) if (parts.label[q]) members[parts.label[q]].push(q);
  const judged = members.map((part) => part.length >= GRAIN_PART);
  const around = boxWhere(width, height, (q) => judged[parts.label[q]]);
  if (!around) return;
  // The grain only over the judged parts' box, grown by its 5×5 mean's reach: the same there as over the whole.
  const area = growBox(around, 2, width, height);
  const bands = grainBands(crop(photo, area), crop(plate, area));
  const inArea = (q: number) => (Math.floor(q / width) - area.y) * area.width + (q % width) - area.x;
  for (const [k, part] of members.entries()) {
    if (!judged[k]) continue;
    const { correlation, pixels } = grainOver(bands, part.map(inArea));
    if (correlation >= GRAIN_SHOWN && grainEvidence(correlation, pixels) >= GRAIN_EVIDENCE)
      for (const q of part) shown.data[q] = 1;
  }
}

/** A 0/1 mask over `box`'s pixels, 1 where `inside` holds (its index within the box). */
function maskOf(box: Box, inside: (q: number) => unknown): FloatImage {
  const mask = createImage(box.width, box.height, 1);
  for (let q = 0; q < mask.data.length; q++) if (inside(q)) mask.data[q] = 1;
  return mask;
}

/**
 * The sure interior at the matte's size (1 inside, 0 outside), over its box grown by the neighbourhood. Enlarged, a
 * mask's edge ramps over one of its pixels; a face there is not "surely 0.7 opaque", so the edge is cut at half
 * (the interior already keeps its margin from the person's outline). A mask smaller than the matte (the
 * analysis-size one, on every live frame) is enlarged only over that box.
 */
function sureOverItsBox(
  solid: FloatImage,
  width: number,
  height: number,
  r: number,
): { box: Box; s: FloatImage } | null {
  const enlarging = solid.width <= width && solid.height <= height;
  const b = enlarging ? upsampledBox(solid, width, height) : boxOfMask(resize(solid, width, height), 0);
  if (!b) return null;
  const box = growBox(b, r, width, height);
  return { box, s: maskOverBox(solid, width, height, box) };
}

/**
 * Fills the holes left in the sure interior that are smaller than `area` pixels, whatever their colour: a pupil or a
 * nostril the network read as the dark room behind. A gap in a weave is wider, and left to its colour; so is one that
 * runs out of the region (the holes' box grown by a neighbourhood) or out past the sure interior.
 */
function fillSpecks(cv: CV, alpha: FloatImage, sure: Float32Array, area: number): void {
  const { width, height } = alpha;
  const rim = onImageBorder(width, height);
  const { label, size } = componentSizes(
    cv,
    width,
    height,
    (p) => alpha.data[p] <= MOSTLY_SUBJECT,
    (p) => !sure[p] || rim(p),
  );
  for (let p = 0; p < label.length; p++) if (label[p] > 0 && size[label[p]] < area) alpha.data[p] = sure[p];
}

/**
 * 1 where `certain` holds a hole in `alpha` (the same size) that is wide enough to hold a disc of `radius`, where
 * what is left of the holes besides those lies wholly inside it, and wherever `small` holds a hole: a gap between
 * strands of hair opens onto the background beyond the person; a dark line of a blouse's print the colour of the
 * room behind is closed all round, or runs into a wide patch of that print. On a person as small as a face 45 px
 * across, a print's holes join one another and the background past the matte's doubt, and gaps between strands of
 * hair do not show.
 */
function holesToFill(
  cv: CV,
  certain: FloatImage,
  alpha: FloatImage,
  radius: number,
  small?: FloatImage,
): Uint8Array {
  return withMats((t) => {
    const wide = t(new cv.Mat(alpha.height, alpha.width, cv.CV_8UC1));
    let w = wide.data as Uint8Array;
    for (let p = 0; p < w.length; p++) w[p] = certain.data[p] && alpha.data[p] <= MOSTLY_SUBJECT ? 255 : 0;
    openByDisc(cv, wide, radius);
    w = Uint8Array.from(wide.data as Uint8Array);
    const { label, size } = componentSizes(
      cv,
      alpha.width,
      alpha.height,
      (p) => alpha.data[p] <= MOSTLY_SUBJECT && !w[p],
      (p) => !certain.data[p],
    );
    const fill = new Uint8Array(w.length); // a plain loop: Uint8Array.from with a map function is ~20× slower
    for (let p = 0; p < w.length; p++)
      fill[p] = w[p] || (label[p] > 0 && (size[label[p]] < Infinity || small?.data[p])) ? 1 : 0;
    return fill;
  });
}

/** `mask` brought to width × height over `box` only, cut at half. */
function maskOverBox(mask: FloatImage, width: number, height: number, box: Box): FloatImage {
  const enlarging = mask.width <= width && mask.height <= height;
  const s = enlarging ? upsampleBilinear(mask, width, height, box) : crop(resize(mask, width, height), box);
  for (let p = 0; p < s.data.length; p++) s.data[p] = s.data[p] >= 0.5 ? 1 : 0;
  return s;
}

/**
 * Window sums over a region in O(1) per pixel: summed-area tables of α and of the opaque subject (α > OPAQUE) — its
 * colour and its count. The passes read them only at holes, which a live frame has few of.
 */
class WindowSums {
  private readonly stride: number;
  private readonly alphaSums: Float64Array;
  /** Per table cell: Σ R·[opaque], Σ G·[opaque], Σ B·[opaque], Σ [opaque]. */
  private readonly opaqueSums: Float64Array;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    this.stride = width + 1;
    this.alphaSums = new Float64Array(this.stride * (height + 1));
    this.opaqueSums = new Float64Array(4 * this.stride * (height + 1));
  }

  /** Rebuilds the tables from the region's current α. */
  build(alpha: Float32Array, image: Float32Array): void {
    const { width, stride, alphaSums: A, opaqueSums: O } = this;
    for (let y = 0; y < this.height; y++) {
      let rowAlpha = 0;
      let rowR = 0;
      let rowG = 0;
      let rowB = 0;
      let rowCount = 0;
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        rowAlpha += alpha[p];
        if (alpha[p] > OPAQUE) {
          rowR += image[3 * p];
          rowG += image[3 * p + 1];
          rowB += image[3 * p + 2];
          rowCount++;
        }
        const t = (y + 1) * stride + x + 1;
        const above = t - stride;
        A[t] = A[above] + rowAlpha;
        O[4 * t] = O[4 * above] + rowR;
        O[4 * t + 1] = O[4 * above + 1] + rowG;
        O[4 * t + 2] = O[4 * above + 2] + rowB;
        O[4 * t + 3] = O[4 * above + 3] + rowCount;
      }
    }
  }

  /** Means over the (2r+1)² window around (x, y), clipped to the region: α, and the opaque sums (out: 4 values). */
  window(x: number, y: number, r: number, opaque: Float64Array): number {
    const { stride, alphaSums: A, opaqueSums: O } = this;
    const x0 = Math.max(0, x - r);
    const y0 = Math.max(0, y - r);
    const x1 = Math.min(this.width, x + r + 1);
    const y1 = Math.min(this.height, y + r + 1);
    const a = y1 * stride + x1;
    const b = y0 * stride + x1;
    const c = y1 * stride + x0;
    const d = y0 * stride + x0;
    const n = (x1 - x0) * (y1 - y0);
    for (let k = 0; k < 4; k++) opaque[k] = (O[4 * a + k] - O[4 * b + k] - O[4 * c + k] + O[4 * d + k]) / n;
    return (A[a] - A[b] - A[c] + A[d]) / n;
  }
}

/** One pass over the region; whether it filled anything. */
function fillPass(
  alpha: FloatImage,
  image: FloatImage,
  sure: Float32Array,
  r: number,
  sums: WindowSums,
): boolean {
  const a = alpha.data;
  sums.build(a, image.data);
  const around = new Float64Array(4);
  let filled = false;
  // Each pixel reads the tables (the α the pass started with) and only its own α: a pass fills one neighbourhood's
  // width into a hole.
  for (let p = 0; p < a.length; p++) {
    if (sure[p] <= a[p]) continue;
    const local = sums.window(p % alpha.width, Math.floor(p / alpha.width), r, around);
    let fill = a[p] > MOSTLY_SUBJECT;
    const share = around[3];
    if (!fill && share > 0) {
      let d = 0;
      for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(image.data[3 * p + c] - around[c] / share));
      fill = d < SAME_COLOUR || (local > MOSTLY_SOLID && d < FAR_COLOUR);
    }
    if (fill) {
      a[p] = sure[p];
      filled = true;
    }
  }
  return filled;
}
