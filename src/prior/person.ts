/**
 * Person prior (the paper's segmentation S from a person model): MediaPipe's selfie segmentation (converted to ONNX, models/person-segmenter.onnx)
 * gives a person probability; the paper's post-processing (soft-segmentation.ts) turns it into the hint S.
 */
import { resize } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import { fromNCHW, toNCHW } from "../network/contract.js";
import type { SegmenterNetwork } from "../network/network.js";

/** Person probability at the image's size (the segmenter sees the image squeezed to its square input). */
export async function personProbability(segmenter: SegmenterNetwork, image: FloatImage): Promise<FloatImage> {
  const input = resize(image, segmenter.size, segmenter.size);
  const out = fromNCHW(await segmenter.run(toNCHW(input)));
  return resize(out, image.width, image.height);
}

/** Fraction of the frame the segmenter is confident is a person (probability > 0.5). */
export function personArea(probability: FloatImage): number {
  let n = 0;
  for (const v of probability.data) if (v > 0.5) n++;
  return n / probability.data.length;
}
