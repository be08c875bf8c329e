/**
 * Which people a face vouches for, and where they are surely solid.
 *
 * The face detector sees the frame at 128 px: a face under about a tenth of the frame's width is a few of its pixels
 * and is missed. So each person the segmenter found without a face is looked at again over their head, cut from the
 * full-resolution photo, and (`parts`) so is the top of each part of the subject the plate difference finds, for a
 * person the segmenter misses altogether. The selfie segmenter, made for people close to the camera, is unsure of a
 * small person or takes the dunes or rocks behind them for part of them; so for each face found it runs again on that
 * person's own view, framed as a selfie, and the sure interior there is theirs, drawn finer than the analysis size.
 * Those only a closer look found are small in the frame, and are also returned on their own (the people guard fills
 * every hole in them).
 */
import {
  closeByDisc,
  componentSizes,
  dilateMask,
  interiorOf,
  labelComponents,
  largestComponents,
  openMask,
} from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { shrinkImage } from "../cv/shrink.js";
import { boxWhere, crop, paste, resize, scaleBox, type Box } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import {
  FACE_DETECTOR_SIZE,
  SEGMENTER_SIZE,
  type FaceDetectorNetwork,
  type SegmenterNetwork,
} from "../network/network.js";
import { detectFaces, type Face } from "./faces.js";
import { personProbability } from "./person.js";

/** A face this sure confirms the person it lies on… */
const FACE_SCORE = 0.7;
/** …if at least this share of that person differs from the plate (not a bystander who is in the plate too). */
const MIN_AGREEMENT_WITH_FACE = 0.2;
/** People without a face in the whole frame, of at least this share of it, are looked at again, largest first… */
const SMALLEST_PERSON = 0.005;
const LOOKED_AGAIN = 4;
/** …where their head's square is less than this share of the frame's shorter side (else the frame was enough). */
const HEAD_OF_FRAME = 0.8;
/** The subject's parts are looked at with gaps narrower than twice this share of the frame's longer side closed: a
 * face the colour of what is behind it leaves the hair apart from the shoulders in what differs. */
const JOIN_PARTS = 0.015;
/** A face the frame's detector found is a loose box around a head too small for it where a closer look finds a face
 * inside it under this share of its width. */
const LOOSE_FACE = 0.5;
/** A person's view: this many face sizes wide and tall, from this many face heights above the face. */
const VIEW_WIDE = 5;
const VIEW_TALL = 8;
const VIEW_ABOVE = 0.8;
/** The sure interiors are drawn at up to this many pixels on the longer side (the photo's own where smaller): at the
 * analysis size a small person's margin of whole analysis pixels took their cheek and sleeves (224 px in `fast`). */
const SURE_SIDE = 1024;
/** The least margin of a person's sure interior in their own view, in pixels of that drawing. */
const LEAST_MARGIN = 2;
/** Parts of a person's sure interior in their own view smaller than this share of the largest go. */
const LEAST_PART = 0.1;
/** Parts of a person's sure interior are told apart across bridges narrower than this share of their face's width
 * (their neck is several times wider). */
const PART_BRIDGE = 0.1;
/** A person's sure interior: where the segmenter is this sure, farther than this share of the frame's (or view's)
 * longer side from anywhere it is less sure (hair and edges stay out). */
const SOLID_PROBABILITY = 0.9;
const SOLID_MARGIN = 0.01;

/** The photo at analysis size, with the same photo at full resolution to look closer in. */
export interface Photo {
  image: FloatImage;
  detail?: FloatImage;
}

/** Where found people are surely solid (FaceConfirmed.sure and .small). */
export interface Certain {
  sure: FloatImage;
  small: FloatImage | null;
}

export interface FaceConfirmed {
  /** Whether a face found in the whole frame lies on a person the segmenter found there (its region of > 0.5). */
  inFrame: boolean;
  /** Where each face's person is surely solid, from the segmenter run again on their own view (1 there), drawn at
   * up to SURE_SIDE pixels on the longer side: finer than the analysis size. */
  sure: FloatImage | null;
  /** The part of `sure` on people only a closer look found (null: none): too small in the frame for gaps between
   * strands of their hair to show, and whose print or jumper the matte leaves as a lace of holes. */
  small: FloatImage | null;
}

/** The segmenter's view of the whole frame: its probability, and its sure interior (`sureInterior`), made on demand. */
export interface FrameSegmentation {
  person: FloatImage;
  sure: () => FloatImage;
}

/**
 * Those people at analysis size; null when no face is found on anyone. `frame`: the segmenter over the whole frame;
 * `difference`: the plate-difference mask; `parts`: look closer over each part of the subject it finds.
 */
export async function peopleWithFaces(
  cv: CV,
  photo: Photo,
  frame: FrameSegmentation,
  difference: FloatImage,
  detector: FaceDetectorNetwork,
  segmenter: SegmenterNetwork,
  parts = false,
): Promise<FaceConfirmed | null> {
  const { person } = frame;
  const { width, height } = person;
  const { label, count: n } = labelComponents(cv, width, height, (p) => person.data[p] > 0.5);
  const size = new Uint32Array(n);
  const differs = new Uint32Array(n);
  for (let i = 0; i < label.length; i++) {
    size[label[i]]++;
    if (difference.data[i] > 0.5) differs[label[i]]++;
  }
  const differsEnough = (k: number) => k > 0 && differs[k] >= MIN_AGREEMENT_WITH_FACE * size[k];
  const onPerson = (f: Face) => label[centreOf(f, width, height)];
  const confirmed = new Uint8Array(n);
  const faces = (await detectFaces(detector, photo.image)).filter((f) => f.score >= FACE_SCORE);
  for (const f of faces) if (differsEnough(onPerson(f))) confirmed[onPerson(f)] = 1;
  let inWholeFrame = faces.length;

  // Closer looks: over the head of each person the segmenter found without a face, and with `parts`, over the top of
  // each part of the subject the plate difference found (a person too small for the segmenter too).
  const heads: Box[] = [];
  const others = [...Array(n).keys()].filter(
    (k) => !confirmed[k] && differsEnough(k) && size[k] >= SMALLEST_PERSON * width * height,
  );
  heads.push(...largestFirst(others, size).flatMap((k) => headRegion(label, k, width, height) ?? []));
  if (parts) {
    const joined = closeByDisc(cv, difference, Math.max(2, JOIN_PARTS * Math.max(width, height)));
    const subject = componentSizes(cv, width, height, (p) => joined.data[p] > 0.5);
    const large = [...Array(subject.count).keys()].filter(
      (k) => k > 0 && subject.size[k] >= SMALLEST_PERSON * width * height,
    );
    heads.push(
      ...largestFirst(large, subject.size).flatMap((k) => headRegion(subject.label, k, width, height) ?? []),
    );
  }
  for (const head of heads) {
    const face = (await facesIn(cv, detector, photo, head)).find((f) => f.score >= FACE_SCORE);
    if (!face) continue;
    const same = faces.findIndex((f) => inside(face, f));
    if (same < 0) faces.push(face);
    else if (same < inWholeFrame && face.width < LOOSE_FACE * faces[same].width) {
      // The frame's detector, seeing a small head as a few pixels, boxed it with the scene around it: the closer
      // look's face is the person's (and only it saw them).
      faces.splice(same, 1);
      inWholeFrame--;
      faces.push(face);
    }
  }
  // Each face's person, framed as the segmenter likes: around a person the frame's segmenter takes the rocks or
  // foliage behind them for part of them, and a face must not vouch for those. A person the whole frame shows well
  // (their face found there) keeps no more than the frame's sure interior: the closer view reached into the person
  // photo's hair where it falls on her shoulder.
  if (faces.length === 0) return null;
  const [sureWidth, sureHeight] = sureSize(photo, width, height);
  const frameSure = inWholeFrame > 0 ? cutAtHalf(resize(frame.sure(), sureWidth, sureHeight)) : undefined;
  const sure = createImage(sureWidth, sureHeight, 1);
  let small: FloatImage | null = null;
  let viewed = false;
  for (const [i, face] of faces.slice(0, LOOKED_AGAIN).entries()) {
    const found = await personInterior(cv, photo, face, difference, segmenter, sure);
    if (!found) continue;
    const seenWhole = i < inWholeFrame;
    // A face the frame's sure interior does not reach is not held to it: there the frame's segmenter was unsure of
    // the whole head (a ring of her chest at 224 px, before a brick wall).
    const capped = seenWhole && frameSure && holds(frameSure, face, width, height);
    viewed = drawAt(sure, found.interior, found.box, capped ? frameSure : undefined) || viewed;
    // Only a closer look found this person: small in the frame (drawn uncapped, as in `sure`).
    if (!seenWhole) drawAt((small ??= createImage(sureWidth, sureHeight, 1)), found.interior, found.box);
  }
  const inFrame = faces.slice(0, inWholeFrame).some((f) => differsEnough(onPerson(f)));
  if (!inFrame && !viewed) return null;
  return { inFrame, sure: viewed ? sure : null, small };
}

/**
 * A mask's sure interior: probability above SOLID_PROBABILITY, farther than `margin` pixels (by default SOLID_MARGIN
 * of its longer side) from anywhere it is less sure.
 */
export function sureInterior(
  cv: CV,
  person: FloatImage,
  margin = SOLID_MARGIN * Math.max(person.width, person.height),
): FloatImage {
  const interior = interiorOf(cv, person, SOLID_PROBABILITY, margin);
  return { width: person.width, height: person.height, channels: 1, data: Float32Array.from(interior) };
}

/** The size the sure interiors are drawn at: the analysis size enlarged towards SURE_SIDE, as far as the photo has
 * the detail. */
function sureSize(photo: Photo, width: number, height: number): [number, number] {
  const detail = photo.detail ? Math.min(SURE_SIDE, Math.max(photo.detail.width, photo.detail.height)) : 0;
  const k = Math.max(1, detail / Math.max(width, height));
  return [Math.round(width * k), Math.round(height * k)];
}

/** `mask` as 0 and 1, cut at half. */
function cutAtHalf(mask: FloatImage): FloatImage {
  return { ...mask, data: mask.data.map((v) => (v >= 0.5 ? 1 : 0)) };
}

/**
 * Runs the segmenter on the person under `face` (analysis pixels), framed as it likes (head, shoulders and chest),
 * and returns their sure interior there, drawn over `box` of a frame of `drawing`'s size (the analysis size or
 * larger): only the region the face lies on, and only if it differs from the plate.
 */
async function personInterior(
  cv: CV,
  photo: Photo,
  face: Face,
  difference: FloatImage,
  segmenter: SegmenterNetwork,
  drawing: { width: number; height: number },
): Promise<{ interior: FloatImage; box: Box } | null> {
  const { width, height } = difference;
  const size = Math.max(face.width, face.height);
  const x0 = Math.max(0, Math.round(face.x + face.width / 2 - (VIEW_WIDE * size) / 2));
  const y0 = Math.max(0, Math.round(face.y - VIEW_ABOVE * face.height));
  const region = {
    x: x0,
    y: y0,
    width: Math.min(width, Math.round(x0 + VIEW_WIDE * size)) - x0,
    height: Math.min(height, Math.round(y0 + VIEW_TALL * size)) - y0,
  };
  if (region.width < 2 || region.height < 2) return null;
  const [kx, ky] = [drawing.width / width, drawing.height / height];
  const drawn = scaleBox(region, kx, ky, drawing.width, drawing.height);
  const view = lookAt(cv, photo, region, SEGMENTER_SIZE);
  const probability = resize(await personProbability(segmenter, view), drawn.width, drawn.height);
  // The view's own margin, at least LEAST_MARGIN: the frame's eroded a small person's neck and arms away.
  const sure = sureInterior(
    cv,
    probability,
    Math.max(LEAST_MARGIN, SOLID_MARGIN * Math.max(drawn.width, drawn.height)),
  );
  const { label } = labelComponents(cv, drawn.width, drawn.height, (p) => probability.data[p] > 0.5);
  const at = (f: Face) => ({
    x: f.x * kx - drawn.x,
    y: f.y * ky - drawn.y,
    width: f.width * kx,
    height: f.height * ky,
  });
  const k = label[centreOf(at(face), drawn.width, drawn.height)];
  if (k === 0) return null;
  // Whether the photo differs from the plate at a pixel of the drawing (read at the analysis size).
  const differs = (x: number, y: number) => {
    const [ax, ay] = [Math.floor((drawn.x + x) / kx), Math.floor((drawn.y + y) / ky)];
    return difference.data[Math.min(height - 1, ay) * width + Math.min(width - 1, ax)] > 0.5;
  };
  let [inPerson, differing, kept] = [0, 0, 0];
  for (let y = 0; y < drawn.height; y++)
    for (let x = 0; x < drawn.width; x++) {
      const q = y * drawn.width + x;
      if (label[q] !== k) {
        sure.data[q] = 0;
        continue;
      }
      inPerson++;
      if (differs(x, y)) differing++;
      kept += sure.data[q];
    }
  if (differing < MIN_AGREEMENT_WITH_FACE * inPerson || kept === 0) return null;
  // Specks of the scene behind that the view's segmenter is sure of, joined to the person by its doubt, go.
  const interior = largestComponents(cv, sure, 0.5, LEAST_PART).mask;
  withoutSceneBeside(cv, interior, at(face), differs);
  return { interior, box: drawn };
}

/**
 * Clears the parts of a person's sure interior (`interior`, changed in place) that lie wholly beside their `face`, none
 * of their columns under it, and differ from the plate (`differs` at a pixel of `interior`) on less than
 * MIN_AGREEMENT_WITH_FACE of their pixels: the scene behind, such as the arm of a seat at the frame's edge, that the
 * segmenter joined to the person. Parts are told apart across bridges narrower than PART_BRIDGE of the face. A torso
 * of the backdrop's colour lies under the face and stays.
 */
function withoutSceneBeside(
  cv: CV,
  interior: FloatImage,
  face: Box,
  differs: (x: number, y: number) => boolean,
): void {
  const { width, height } = interior;
  const bridge = Math.max(1, Math.round(PART_BRIDGE * face.width));
  const parts = openMask(cv, interior, bridge);
  const { label, count } = labelComponents(cv, width, height, (p) => parts.data[p] > 0.5);
  const [size, differing] = [new Int32Array(count), new Int32Array(count)];
  const [left, right] = [new Int32Array(count).fill(width), new Int32Array(count).fill(-1)];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const k = label[y * width + x];
      if (k === 0) continue;
      size[k]++;
      if (differs(x, y)) differing[k]++;
      left[k] = Math.min(left[k], x);
      right[k] = Math.max(right[k], x);
    }
  const scene = createImage(width, height, 1);
  let any = false;
  for (let p = 0; p < label.length; p++) {
    const k = label[p];
    if (k === 0 || (right[k] >= face.x && left[k] <= face.x + face.width)) continue;
    if (differing[k] < MIN_AGREEMENT_WITH_FACE * size[k]) [scene.data[p], any] = [1, true];
  }
  if (!any) return;
  // The bridge that joined such a part to the person goes with it.
  const gone = dilateMask(cv, scene, bridge);
  for (let p = 0; p < gone.data.length; p++) if (gone.data[p] > 0.5) interior.data[p] = 0;
}

/** Raises `out` to `mask` over `box` (only where `within`, of `out`'s size, holds too); whether it raised any. */
function drawAt(out: FloatImage, mask: FloatImage, box: Box, within?: FloatImage): boolean {
  const before = crop(out, box);
  const cap = within && crop(within, box);
  let raised = false;
  for (let q = 0; q < before.data.length; q++) {
    const v = cap ? Math.min(cap.data[q], mask.data[q]) : mask.data[q];
    if (v > before.data[q]) [before.data[q], raised] = [v, true];
  }
  paste(out, before, box);
  return raised;
}

/** The faces in `region` of the analysis-size photo, in its pixels. */
async function facesIn(cv: CV, detector: FaceDetectorNetwork, photo: Photo, region: Box): Promise<Face[]> {
  const view = lookAt(cv, photo, region, FACE_DETECTOR_SIZE);
  const [sx, sy] = [region.width / view.width, region.height / view.height];
  return (await detectFaces(detector, view)).map((f) => ({
    x: region.x + f.x * sx,
    y: region.y + f.y * sy,
    width: f.width * sx,
    height: f.height * sy,
    score: f.score,
  }));
}

/**
 * `region` of the analysis-size photo as a network that sees `side` pixels should see it: cut from the
 * full-resolution photo where there is one (a face 20 analysis pixels wide is 75 at 1920 px) and shrunk, by area
 * averaging, to `side` on its longer side where it is larger. Shrunk below the segmenter's 256 px, a small person's
 * view at `fast`'s 224-px analysis made it take the bush beside her for her; shrunk straight to the detector's 128,
 * a view costs no second resize (this runs on every frame where part of the subject has no face yet).
 */
function lookAt(cv: CV, photo: Photo, region: Box, side: number): FloatImage {
  const { image, detail } = photo;
  if (!detail) return crop(image, region);
  const [sx, sy] = [detail.width / image.width, detail.height / image.height];
  const x = Math.floor(region.x * sx);
  const y = Math.floor(region.y * sy);
  const width = Math.min(detail.width, Math.ceil((region.x + region.width) * sx)) - x;
  const height = Math.min(detail.height, Math.ceil((region.y + region.height) * sy)) - y;
  const view = crop(detail, { x, y, width, height });
  const k = Math.min(1, side / Math.max(width, height));
  return shrinkImage(cv, view, Math.max(1, Math.round(k * width)), Math.max(1, Math.round(k * height)));
}

/**
 * Where person `k` of `label` has their head: a square as wide as the person (no taller than they are) at their top,
 * centred on their top rows. Null when it is most of the frame.
 */
function headRegion(label: Int32Array, k: number, width: number, height: number): Box | null {
  const box = boxWhere(width, height, (p) => label[p] === k);
  if (!box) return null;
  const side = Math.min(box.width, box.height);
  if (side > HEAD_OF_FRAME * Math.min(width, height)) return null;
  let [sum, count] = [0, 0];
  for (let y = box.y; y < box.y + Math.max(1, side / 4); y++)
    for (let x = box.x; x < box.x + box.width; x++)
      if (label[y * width + x] === k) {
        sum += x;
        count++;
      }
  const x = Math.round(sum / count - side / 2);
  return { x: Math.min(width - side, Math.max(0, x)), y: box.y, width: side, height: side };
}

/** `ids` sorted by `size`, largest first, at most LOOKED_AGAIN of them. */
function largestFirst(ids: number[], size: ArrayLike<number>): number[] {
  return ids.sort((a, b) => size[b] - size[a]).slice(0, LOOKED_AGAIN);
}

/** Whether face `a`'s centre lies in face `b`'s box: the same face, found twice. */
function inside(a: Face, b: Face): boolean {
  const [x, y] = [a.x + a.width / 2, a.y + a.height / 2];
  return x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height;
}

/** Whether `mask` (the frame's aspect, any size) holds the centre of `face` (in a width × height frame). */
function holds(mask: FloatImage, face: Face, width: number, height: number): boolean {
  const [kx, ky] = [mask.width / width, mask.height / height];
  const at = { x: face.x * kx, y: face.y * ky, width: face.width * kx, height: face.height * ky };
  return mask.data[centreOf(at, mask.width, mask.height)] > 0.5;
}

/** The pixel index of a face's centre, inside a width × height frame. */
function centreOf(f: Box, width: number, height: number): number {
  const x = Math.min(width - 1, Math.max(0, Math.round(f.x + f.width / 2)));
  const y = Math.min(height - 1, Math.max(0, Math.round(f.y + f.height / 2)));
  return y * width + x;
}
