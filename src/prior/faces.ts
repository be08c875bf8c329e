/**
 * Faces: MediaPipe's short-range face detector (BlazeFace, converted to ONNX with its box decoding,
 * models/face-detector.onnx). A face is the surest sign that what the person segmenter found is a person: the
 * segmenter alone also takes a plush toy or a wicker ball for one, and its probability says nothing about which.
 */
import { paste, resize } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { toNCHW } from "../network/contract.js";
import type { FaceDetectorNetwork } from "../network/network.js";

export interface Face {
  /** Box in the image's pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The detector's probability that this is a face. */
  score: number;
}

/** Candidates below this probability are dropped (MediaPipe's own threshold for this model). */
const MIN_SCORE = 0.5;
/** Overlap (intersection over union) above which two candidates are the same face: the weaker one goes. */
const SAME_FACE = 0.3;

/**
 * The faces in `image` (RGB), strongest first. The detector sees the image letterboxed onto its square (black
 * borders), so a face keeps its shape whatever the image's aspect.
 */
export async function detectFaces(detector: FaceDetectorNetwork, image: FloatImage): Promise<Face[]> {
  const side = detector.size;
  const scale = side / Math.max(image.width, image.height);
  const inner = resize(image, Math.round(image.width * scale), Math.round(image.height * scale));
  const square = createImage(side, side, 3);
  const offset = { x: Math.floor((side - inner.width) / 2), y: Math.floor((side - inner.height) / 2) };
  paste(square, inner, { ...offset, width: inner.width, height: inner.height });
  const out = await detector.run(toNCHW(square));
  const f = out.data;
  const candidates: Face[] = [];
  for (let k = 0; k + 4 < f.length; k += 5) {
    if (f[k] < MIN_SCORE) continue;
    const [cx, cy, w, h] = [f[k + 1] * side, f[k + 2] * side, f[k + 3] * side, f[k + 4] * side];
    candidates.push({
      x: (cx - w / 2 - offset.x) / scale,
      y: (cy - h / 2 - offset.y) / scale,
      width: w / scale,
      height: h / scale,
      score: f[k],
    });
  }
  candidates.sort((a, b) => b.score - a.score);
  const faces: Face[] = [];
  for (const c of candidates) if (faces.every((f) => overlap(f, c) <= SAME_FACE)) faces.push(c);
  return faces;
}

function overlap(a: Face, b: Face): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const both = w * h;
  return both / (a.width * a.height + b.width * b.height - both);
}
