/**
 * Which prior S the network gets: the user's mask, the person segmenter, or the image–plate difference.
 *
 * `auto` uses the person segmenter only where it is reliable: MediaPipe's selfie model is made for people close to
 * the camera. On distant pedestrians (../shared/data/video/vtest.avi) it paints blobs in the wrong places, so a
 * person must cover a fair part of the frame and mostly lie where the photo differs from its plate, or show a face
 * (prior/faces.ts): a person dressed in the colours of the wall behind differs from it over less than half.
 */
import { boxOfMask, type Box } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import type { FaceDetectorNetwork, SegmenterNetwork } from "../network/network.js";
import type { Subject } from "../vocabulary.js";
import { detectFaces, type Face } from "./faces.js";
import { personArea, personProbability } from "./person.js";
import { interiorOf, labelComponents } from "../cv/mask-ops.js";
import type { CV } from "../cv/opencv.js";
import { differenceMask, type DifferenceMask } from "../cv/plate-difference.js";

/** `person` asked for explicitly: any detection above noise is used. */
const MIN_AREA_FORCED = 0.005;
/** `auto`: the person must fill at least this much of the frame… */
const MIN_AREA_AUTO = 0.03;
/** …and at least this share of it must differ from the plate. */
const MIN_AGREEMENT_AUTO = 0.5;
/** A face this sure (prior/faces.ts) on a person the segmenter found confirms that person… */
const FACE_SCORE = 0.7;
/** …if at least this share of that person differs from the plate (not a bystander who is in the plate too). */
const MIN_AGREEMENT_WITH_FACE = 0.2;
/** A found person's solid interior: where the segmenter is this sure… */
const SOLID_PROBABILITY = 0.9;
/** …farther than this share of the frame's longer side from anywhere it is less sure (hair and edges stay out). */
const SOLID_MARGIN = 0.01;

export interface PriorChoice {
  kind: "user" | "person" | "plate-difference";
  /** Rough subject mask or probability at analysis size (soft-segmentation.ts turns it into S). */
  mask: FloatImage;
  box: Box | null;
  /** Colour-distance threshold of the difference prior, when it was used. */
  threshold?: number;
  /** What the segmenter saw, when it ran: share of the frame, and share of that which differs from the plate. */
  personArea?: number;
  personAgreement?: number;
  /** Where a person was found (the `auto` rule) and is surely solid (face, torso), at analysis size: 1 there. */
  solid?: FloatImage;
  /**
   * The part of `solid` on people whose face the detector finds: surely a person, so surely opaque there (null:
   * none). Asked for only when the matte leaves holes there: the detector runs once, on demand.
   */
  certain?: () => Promise<FloatImage | null>;
  warnings: string[];
}

/** The person's solid interior: probability above SOLID_PROBABILITY, eroded by SOLID_MARGIN of the frame. */
export function solidInterior(cv: CV, person: FloatImage): FloatImage {
  const margin = SOLID_MARGIN * Math.max(person.width, person.height);
  const interior = interiorOf(cv, person, SOLID_PROBABILITY, margin);
  return { width: person.width, height: person.height, channels: 1, data: Float32Array.from(interior) };
}

function agreement(person: FloatImage, difference: FloatImage): number {
  let inPerson = 0,
    both = 0;
  for (let i = 0; i < person.data.length; i++) {
    if (person.data[i] <= 0.5) continue;
    inPerson++;
    if (difference.data[i] > 0.5) both++;
  }
  return inPerson ? both / inPerson : 0;
}

/**
 * The people (connected regions of probability > 0.5) on which a sure face lies and which differ enough from the
 * plate: 1 over them. Null when there is none.
 */
function peopleWithFaces(
  cv: CV,
  person: FloatImage,
  difference: FloatImage,
  faces: Face[],
): FloatImage | null {
  const sure = faces.filter((f) => f.score >= FACE_SCORE);
  if (sure.length === 0) return null;
  const { width, height } = person;
  const { label, count: n } = labelComponents(cv, width, height, (p) => person.data[p] > 0.5);
  const size = new Uint32Array(n);
  const differs = new Uint32Array(n);
  for (let i = 0; i < label.length; i++) {
    size[label[i]]++;
    if (difference.data[i] > 0.5) differs[label[i]]++;
  }
  const chosen = new Uint8Array(n);
  for (const f of sure) {
    const x = Math.min(width - 1, Math.max(0, Math.round(f.x + f.width / 2)));
    const y = Math.min(height - 1, Math.max(0, Math.round(f.y + f.height / 2)));
    const k = label[y * width + x];
    if (k > 0 && differs[k] >= MIN_AGREEMENT_WITH_FACE * size[k]) chosen[k] = 1;
  }
  if (!chosen.some(Boolean)) return null;
  const out = createImage(width, height, 1);
  for (let i = 0; i < label.length; i++) out.data[i] = chosen[label[i]];
  return out;
}

export async function choosePrior(
  cv: CV,
  images: { image: FloatImage; plate: FloatImage; user?: FloatImage; difference?: DifferenceMask },
  subject: Subject,
  segmenter?: SegmenterNetwork,
  /** Find where a person is surely solid (PriorChoice.solid), running the segmenter for it also with `any`. */
  guardPeople = false,
  faceDetector?: FaceDetectorNetwork,
): Promise<PriorChoice> {
  const warnings: string[] = [];
  if (images.user) return { kind: "user", mask: images.user, box: boxOfMask(images.user, 0.5), warnings };
  const diff = images.difference ?? differenceMask(cv, images.image, images.plate, true);
  const fromDifference = (extra: Partial<PriorChoice> = {}): PriorChoice => ({
    kind: "plate-difference",
    mask: diff.mask,
    box: diff.box,
    threshold: diff.threshold,
    warnings,
    ...extra,
  });
  if (subject === "any" && !(guardPeople && segmenter)) return fromDifference();
  if (!segmenter) {
    warnings.push(`subject "${subject}": the person segmenter is not loaded; the plate difference was used`);
    return fromDifference();
  }
  const person = await personProbability(segmenter, images.image);
  const area = personArea(person);
  const agree = agreement(person, diff.mask);
  // The detector runs at most once, and only where its answer changes something: a person worth the question who
  // differs from the plate over less than half, or holes in a found person's sure interior (PriorChoice.certain).
  let people: Promise<FloatImage | null> | undefined;
  const withFaces = faceDetector
    ? () =>
        (people ??= detectFaces(faceDetector, images.image).then((f) =>
          peopleWithFaces(cv, person, diff.mask, f),
        ))
    : undefined;
  const worthAsking = area >= MIN_AREA_AUTO;
  const found =
    worthAsking && (agree >= MIN_AGREEMENT_AUTO || (withFaces !== undefined && (await withFaces()) !== null));
  const solid = found && guardPeople ? solidInterior(cv, person) : undefined;
  // A smaller margin for them closed the shadowed side of a neck but made the person photo's hair a solid blob in
  // `fast`: the same margin.
  const certain =
    solid && withFaces
      ? async () => {
          const on = await withFaces();
          return on && { ...solid, data: solid.data.map((v, i) => v * on.data[i]) };
        }
      : undefined;
  const seen = { personArea: area, personAgreement: agree, solid, certain };
  if (subject === "any") return fromDifference(seen);
  const usable = subject === "person" ? area >= MIN_AREA_FORCED : found;
  if (!usable) {
    if (subject === "person")
      warnings.push("no person found by the segmenter; the plate difference was used as the prior");
    return fromDifference(seen);
  }
  return { kind: "person", mask: person, box: boxOfMask(person, 0.5), warnings, ...seen };
}
