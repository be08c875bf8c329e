/**
 * The refiner and the segmenter as runtime-neutral objects around an onnxruntime session: the same code for
 * onnxruntime-node and onnxruntime-web, which differ only in their Tensor class.
 */
import { refinerFeeds, type PatchBatch, type RawTensor } from "./contract.js";
import { SEGMENTER_SIZE, type RefinerNetwork, type SegmenterNetwork } from "./network.js";

/** What both runtimes' InferenceSession offer (structurally). */
export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

export type TensorMaker = (t: RawTensor) => unknown;

export const toOrtFeeds = (feeds: [string, RawTensor][], makeTensor: TensorMaker) =>
  Object.fromEntries(feeds.map(([name, t]) => [name, makeTensor(t)]));

export function wrapRefiner(session: OrtSession, makeTensor: TensorMaker, context: number): RefinerNetwork {
  return {
    context,
    async run(batch: PatchBatch) {
      const out = await session.run(toOrtFeeds(refinerFeeds(batch), makeTensor));
      return { alpha: out.alpha.data as Float32Array, fg: out.fg.data as Float32Array };
    },
    dispose: () => session.release(),
  };
}

export function wrapSegmenter(session: OrtSession, makeTensor: TensorMaker): SegmenterNetwork {
  return {
    size: SEGMENTER_SIZE,
    async run(image: RawTensor) {
      const out = await session.run(toOrtFeeds([["image", image]], makeTensor));
      return { data: out.person.data as Float32Array, dims: out.person.dims };
    },
    dispose: () => session.release(),
  };
}
