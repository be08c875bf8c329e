/**
 * Which prior S the network gets: the user's mask, the person segmenter, or the image–plate difference.
 *
 * `auto` uses the person segmenter only where it is reliable: MediaPipe's selfie model is made for people close to
 * the camera. On distant pedestrians (../shared/data/video/vtest.avi) it paints blobs in the wrong places, so a
 * person must cover a fair part of the frame and mostly lie where the photo differs from its plate, or show a face
 * (prior/faces.ts): a person dressed in the colours of the wall behind differs from it over less than half.
 */
import { boxOfMask, resize, type Box } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import type { FaceDetectorNetwork, SegmenterNetwork } from "../network/network.js";
import type { Subject } from "../vocabulary.js";
import { personArea, personProbability } from "./person.js";
import { peopleWithFaces, sureInterior, type Certain, type FaceConfirmed } from "./people-with-faces.js";
import type { CV } from "../cv/opencv.js";
import { differenceMask, type DifferenceMask } from "../cv/plate-difference.js";

/** A trusted person's face is looked for at once where the frame's sure interior holds less than this share of the
 * top third of them. */
const HEAD_HELD = 0.1;
/** `person` asked for explicitly: any detection above noise is used. */
const MIN_AREA_FORCED = 0.005;
/** `auto`: the person must fill at least this much of the frame… */
const MIN_AREA_AUTO = 0.03;
/** …and at least this share of it must differ from the plate. */
const MIN_AGREEMENT_AUTO = 0.5;

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
   * Where people whose face the detector finds are surely solid: each one's sure interior in their own view
   * (prior/people-with-faces), within `solid` for a face the whole frame showed; a small person's may reach past it,
   * and is also `small`. Surely a person, so surely opaque there (null: none). Asked for only when the matte leaves
   * holes there: the faces are looked for once, on demand.
   */
  certain?: () => Promise<Certain | null>;
  warnings: string[];
}

/** The larger of two masks of the frame's aspect at each pixel, the smaller enlarged (the faces' sure interiors are
 * drawn finer than the frame's); either alone if the other is null. */
function maxOf(a: FloatImage | null, b: FloatImage | null): FloatImage | null {
  if (!a || !b) return a ?? b;
  if (a.width < b.width) a = resize(a, b.width, b.height);
  if (b.width < a.width) b = resize(b, a.width, a.height);
  return { ...a, data: a.data.map((v, i) => Math.max(v, b.data[i])) };
}

/** `person` within the top third of its box (probability above a half), where their head is; 0 elsewhere. */
function topThird(person: FloatImage): FloatImage {
  const box = boxOfMask(person, 0.5);
  const end = box ? box.y + box.height / 3 : 0;
  return { ...person, data: person.data.map((v, i) => (Math.floor(i / person.width) < end ? v : 0)) };
}

/** The share of the person (probability above a half) that `mask` holds. */
function agreement(person: FloatImage, mask: FloatImage): number {
  let inPerson = 0,
    both = 0;
  for (let i = 0; i < person.data.length; i++) {
    if (person.data[i] <= 0.5) continue;
    inPerson++;
    if (mask.data[i] > 0.5) both++;
  }
  return inPerson ? both / inPerson : 0;
}

export async function choosePrior(
  cv: CV,
  images: {
    image: FloatImage;
    plate: FloatImage;
    user?: FloatImage;
    difference?: DifferenceMask;
    /** The photo at full resolution, to look closer at a small person's face. */
    detail?: FloatImage;
  },
  subject: Subject,
  segmenter?: SegmenterNetwork,
  /** Find where a person is surely solid (PriorChoice.solid), running the segmenter for it also with `any`. */
  guardPeople = false,
  faceDetector?: FaceDetectorNetwork,
  /** Look for people too small for the segmenter too: a face over the top of each part of the subject. */
  smallPeople = false,
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
  // Faces are looked for at most once, and only where the answer changes something: a person worth the question who
  // differs from the plate over less than half (or, with `smallPeople`, none the segmenter trusts), or holes in a
  // found person's sure interior (PriorChoice.certain).
  let people: Promise<FaceConfirmed | null> | undefined;
  const photo = { image: images.image, detail: images.detail };
  // The frame's sure interior, made once: here for a trusted person, there to cap a face the whole frame showed.
  let frameSure: FloatImage | undefined;
  const frameSureOf = () => (frameSure ??= sureInterior(cv, person));
  const frame = { person, sure: frameSureOf };
  const withFaces = faceDetector
    ? () => (people ??= peopleWithFaces(cv, photo, frame, diff.mask, faceDetector, segmenter, smallPeople))
    : undefined;
  const worthAsking = area >= MIN_AREA_AUTO;
  const trusted = worthAsking && agree >= MIN_AGREEMENT_AUTO;
  // The frame's sure interior of a trusted person. Where it holds almost none of the top third of the person the
  // segmenter sees (at 224 px, before a brick wall: a ring of her chest, not her face), their face is asked for now,
  // as for a person who mostly matches the plate, or one too small for the segmenter: found only if a face vouches.
  const unsure = trusted && agreement(topThird(person), frameSureOf()) < HEAD_HELD;
  const faces =
    ((!trusted && (worthAsking || smallPeople)) || unsure) && withFaces ? await withFaces() : null;
  const found = trusted || faces !== null;
  // The frame's sure interior where the frame shows the person well enough (the segmenter trusted, or a face found in
  // the whole frame); a person only a closer look found is sure where that look says: around a small person the
  // segmenter takes dunes or foliage for them. A smaller margin closed the shadowed side of a neck but made the
  // person photo's hair a solid blob in `fast`: the same margin.
  const inFrame = trusted || faces?.inFrame ? frameSureOf() : null;
  const solid = (found && guardPeople && maxOf(inFrame, faces?.sure ?? null)) || undefined;
  const certain =
    solid && withFaces
      ? async () => {
          const found = await withFaces();
          return found?.sure ? { sure: found.sure, small: found.small } : null;
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
