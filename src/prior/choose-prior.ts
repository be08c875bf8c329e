/**
 * Which prior S the network gets: the user's mask, the person segmenter, or the image–plate difference.
 *
 * `auto` uses the person segmenter only where it is reliable: MediaPipe's selfie model is made for people close to
 * the camera. On distant pedestrians (../shared/data/video/vtest.avi) it paints blobs in the wrong places, so a
 * person must cover a fair part of the frame and mostly lie where the photo differs from its plate.
 */
import type { CV } from "../cv/opencv.js";
import { boxOfMask, type Box } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import type { SegmenterNetwork } from "../network/network.js";
import type { Subject } from "../vocabulary.js";
import { personArea, personProbability } from "./person.js";
import { interiorOf } from "../cv/mask-ops.js";
import { differenceMask, type DifferenceMask } from "../cv/plate-difference.js";

/** `person` asked for explicitly: any detection above noise is used. */
const MIN_AREA_FORCED = 0.005;
/** `auto`: the person must fill at least this much of the frame… */
const MIN_AREA_AUTO = 0.03;
/** …and at least this share of it must differ from the plate. */
const MIN_AGREEMENT_AUTO = 0.5;
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

export async function choosePrior(
  cv: CV,
  images: { image: FloatImage; plate: FloatImage; user?: FloatImage; difference?: DifferenceMask },
  subject: Subject,
  segmenter?: SegmenterNetwork,
  /** Find where a person is surely solid (PriorChoice.solid), running the segmenter for it also with `any`. */
  guardPeople = false,
): Promise<PriorChoice> {
  const warnings: string[] = [];
  if (images.user) return { kind: "user", mask: images.user, box: boxOfMask(images.user, 0.5), warnings };
  const diff = images.difference ?? differenceMask(cv, images.image, images.plate);
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
  const found = area >= MIN_AREA_AUTO && agree >= MIN_AGREEMENT_AUTO;
  const seen = {
    personArea: area,
    personAgreement: agree,
    solid: found && guardPeople ? solidInterior(cv, person) : undefined,
  };
  if (subject === "any") return fromDifference(seen);
  const usable = subject === "person" ? area >= MIN_AREA_FORCED : found;
  if (!usable) {
    if (subject === "person")
      warnings.push("no person found by the segmenter; the plate difference was used as the prior");
    return fromDifference(seen);
  }
  return { kind: "person", mask: person, box: boxOfMask(person, 0.5), warnings, ...seen };
}
