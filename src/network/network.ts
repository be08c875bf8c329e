/** The runtime-agnostic view of a matting network: the pipeline needs nothing more. */
import { BgmatteError } from "../errors.js";
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
  /** Whether a refiner ships beside the model: its coarse graph has the `error` and `hidden` outputs and, where that
   * can be known without fetching it (Node), its file exists. */
  readonly hasRefiner: boolean;
  /** The refiner, opened on first use: only `refine: "refiner"` runs it, so other runs never pay for its session.
   * Rejects where the model has none. */
  loadRefiner(): Promise<RefinerNetwork>;
  dispose(): Promise<void>;
}

/** What a run that asks for the refiner of a model without one is told. */
export const noRefiner = (model: string) =>
  new BgmatteError(
    "INVALID_OPTION",
    `the model ${model} has no refiner (refine: "refiner")`,
    'use refine "auto", "plate", "guided" or "bilinear", or a model that ships <name>-refiner.onnx',
  );

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
