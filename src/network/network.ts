/** The runtime-agnostic view of a matting network: the pipeline needs nothing more. */
import type { NetworkInputs, NetworkOutputs, PatchBatch, RawTensor } from "./contract.js";

/** The full-resolution refiner that ships beside a coarse model (<model>-refiner.onnx). */
export interface RefinerNetwork {
  /** Context pixels each side of a patch that the refiner consumes. */
  readonly context: number;
  /** Refined alpha (N×1×P×P) and fg (N×3×P×P) of the patch centres. */
  run(batch: PatchBatch): Promise<{ alpha: Float32Array; fg: Float32Array }>;
  dispose(): Promise<void>;
}

export interface MattingNetwork {
  /** Model name and where it came from, for result metadata. */
  readonly name: string;
  run(inputs: NetworkInputs): Promise<NetworkOutputs>;
  /** Present when the model ships a refiner and its coarse graph has the `error` and `hidden` outputs. */
  readonly refiner?: RefinerNetwork;
  dispose(): Promise<void>;
}

/**
 * A person segmenter (models/person-segmenter.onnx): `image` 1×3×side×side RGB in [0,1] → `person` 1×1×side×side, for
 * any side that is a multiple of 32 up to `size`, the side it was trained at.
 */
export const SEGMENTER_SIZE = 256;

export interface SegmenterNetwork {
  readonly size: number;
  run(image: RawTensor): Promise<RawTensor>;
  dispose(): Promise<void>;
}

/**
 * A face detector (models/face-detector.onnx): `image` 1×3×size×size RGB in [0,1] → `faces` 1×N×5, per anchor the
 * face's probability and its box (centre x, centre y, width, height) as shares of the input's side.
 */
export const FACE_DETECTOR_SIZE = 128;

export interface FaceDetectorNetwork {
  readonly size: number;
  run(image: RawTensor): Promise<RawTensor>;
  dispose(): Promise<void>;
}
