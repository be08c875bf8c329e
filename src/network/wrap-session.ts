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
  noRefiner,
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

/** Where a model's refiner comes from: `exists` is false where its file is known to be missing. */
export interface RefinerSource {
  exists: boolean;
  /** Opens it; may give nothing (a file found missing only when fetched). */
  open(): Promise<OrtSession | undefined>;
}

/**
 * The coarse model as a MattingNetwork, checked against the contract. Its refiner is opened on the first call to
 * `loadRefiner`, and only where the coarse graph has the refinement outputs.
 */
export async function wrapMattingNetwork(
  session: OrtSession,
  makeTensor: TensorMaker,
  contract: Contract,
  name: string,
  refinerSource: RefinerSource,
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
  const hasRefiner = refinerSource.exists && hasRefinementOutputs(contract, session.outputNames);
  let refiner: Promise<RefinerNetwork> | undefined;
  const openRefiner = async () => {
    const refinerSession = hasRefiner ? await refinerSource.open() : undefined;
    if (!refinerSession) throw noRefiner(name);
    return wrapRefiner(refinerSession, makeTensor, contract.refinement.context);
  };
  return {
    name,
    hasRefiner,
    loadRefiner: () => (refiner ??= openRefiner()),
    async run(inputs: NetworkInputs) {
      return fromOutputs(await session.run(toOrtFeeds(toFeeds(contract, inputs), makeTensor)));
    },
    async dispose() {
      // A refiner that failed to open has nothing to release.
      const opened = await refiner?.catch(() => undefined);
      await Promise.all([session.release(), opened?.dispose()]);
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
