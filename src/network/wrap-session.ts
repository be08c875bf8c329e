/**
 * The refiner and the segmenter as runtime-neutral objects around an onnxruntime session: the same code for
 * onnxruntime-node and onnxruntime-web, which differ only in their Tensor class.
 */
import { BgmatteError } from "../errors.js";
import {
  fromOutputs,
  hasRefinementOutputs,
  refinerFeeds,
  toFeeds,
  type Contract,
  type NetworkInputs,
  type PatchBatch,
  type RawTensor,
} from "./contract.js";
import {
  FACE_DETECTOR_SIZE,
  SEGMENTER_SIZE,
  type FaceDetectorNetwork,
  type MattingNetwork,
  type RefinerNetwork,
  type SegmenterNetwork,
} from "./network.js";

/** What both runtimes' InferenceSession offer (structurally). */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/**
 * The coarse model as a MattingNetwork, checked against the contract; `openRefiner` is called only when the
 * coarse graph has the refinement outputs, and may give nothing (a model without a refiner file).
 */
export async function wrapMattingNetwork(
  session: OrtSession,
  makeTensor: TensorMaker,
  contract: Contract,
  name: string,
  openRefiner: () => Promise<OrtSession | undefined>,
): Promise<MattingNetwork> {
  const expected = contract.inputs.map((s) => s.name).join(",");
  if (session.inputNames.join(",") !== expected) {
    await session.release();
    throw new BgmatteError(
      "MODEL_CONTRACT",
      `model ${name} takes inputs [${session.inputNames.join(", ")}], the contract says [${expected}]`,
      "use a model exported by training/bgmatte_train/export.py",
    );
  }
  const refinerSession = hasRefinementOutputs(contract, session.outputNames)
    ? await openRefiner()
    : undefined;
  const refiner = refinerSession && wrapRefiner(refinerSession, makeTensor, contract.refinement.context);
  return {
    name,
    refiner,
    async run(inputs: NetworkInputs) {
      return fromOutputs(await session.run(toOrtFeeds(toFeeds(contract, inputs), makeTensor)));
    },
    async dispose() {
      await Promise.all([session.release(), refiner?.dispose()]);
    },
  };
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

/** A one-input, one-output graph (`image` → `output`) as a network of side `size`. */
function wrapImageGraph(session: OrtSession, makeTensor: TensorMaker, size: number, output: string) {
  return {
    size,
    async run(image: RawTensor): Promise<RawTensor> {
      const out = await session.run(toOrtFeeds([["image", image]], makeTensor));
      return { data: out[output].data as Float32Array, dims: out[output].dims };
    },
    dispose: () => session.release(),
  };
}

export const wrapSegmenter = (session: OrtSession, makeTensor: TensorMaker): SegmenterNetwork =>
  wrapImageGraph(session, makeTensor, SEGMENTER_SIZE, "person");

export const wrapFaceDetector = (session: OrtSession, makeTensor: TensorMaker): FaceDetectorNetwork =>
  wrapImageGraph(session, makeTensor, FACE_DETECTOR_SIZE, "faces");
