/** MattingNetwork on onnxruntime-node. */
import { existsSync, readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { BgmatteError } from "../errors.js";
import {
  fromOutputs,
  hasRefinementOutputs,
  refinerFeeds,
  toFeeds,
  type Contract,
  type NetworkInputs,
  type RawTensor,
} from "./contract.js";
import {
  SEGMENTER_SIZE,
  type Device,
  type MattingNetwork,
  type PatchBatch,
  type RefinerNetwork,
  type SegmenterNetwork,
} from "./network.js";

const EXECUTION_PROVIDERS: Record<Device, string[]> = { cpu: ["cpu"] };

/** `models/bm-lite.onnx` → `models/bm-lite-refiner.onnx`. */
export function refinerPathOf(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, "") + "-refiner.onnx";
}

function sessionOptions(opts: { threads: number; device: Device }): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: EXECUTION_PROVIDERS[opts.device],
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    // The crop (so the input shape) changes from frame to frame; ORT's arena would keep a block per shape seen,
    // letting a long video's memory creep. Plain allocations keep it flat.
    enableCpuMemArena: false,
  };
}

const toOrtFeeds = (feeds: [string, RawTensor][]) =>
  Object.fromEntries(feeds.map(([name, t]) => [name, new ort.Tensor("float32", t.data, t.dims)]));

async function createNodeRefiner(
  path: string,
  contract: Contract,
  opts: { threads: number; device: Device },
): Promise<RefinerNetwork> {
  const session = await ort.InferenceSession.create(path, sessionOptions(opts));
  return {
    context: contract.refinement.context,
    async run(batch: PatchBatch) {
      const out = await session.run(toOrtFeeds(refinerFeeds(batch)));
      return { alpha: out.alpha.data as Float32Array, fg: out.fg.data as Float32Array };
    },
    async dispose() {
      await session.release();
    },
  };
}

export async function createNodeNetwork(
  modelPath: string,
  contractPath: string,
  opts: { threads: number; device: Device; name: string },
): Promise<MattingNetwork> {
  const contract = JSON.parse(readFileSync(contractPath, "utf8")) as Contract;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, sessionOptions(opts));
  } catch (e) {
    throw new BgmatteError(
      "MODEL_NOT_FOUND",
      `cannot load the model ${modelPath}: ${(e as Error).message}`,
      "check the --model path, or omit it to use the bundled default model",
    );
  }
  const expected = contract.inputs.map((s) => s.name).join(",");
  if (session.inputNames.join(",") !== expected) {
    throw new BgmatteError(
      "MODEL_CONTRACT",
      `model ${modelPath} takes inputs [${session.inputNames.join(", ")}], the contract says [${expected}]`,
      "use a model exported by training/bgmatte_train/export.py",
    );
  }
  const refinerPath = refinerPathOf(modelPath);
  const refiner =
    hasRefinementOutputs(contract, session.outputNames) && existsSync(refinerPath)
      ? await createNodeRefiner(refinerPath, contract, opts)
      : undefined;
  return {
    name: opts.name,
    refiner,
    async run(inputs: NetworkInputs) {
      return fromOutputs(await session.run(toOrtFeeds(toFeeds(contract, inputs))));
    },
    async dispose() {
      await Promise.all([session.release(), refiner?.dispose()]);
    },
  };
}

/** The person segmenter on onnxruntime-node (its input size is read from the graph). */
export async function createNodeSegmenter(path: string, threads: number): Promise<SegmenterNetwork> {
  const session = await ort.InferenceSession.create(path, sessionOptions({ threads, device: "cpu" }));
  return {
    size: SEGMENTER_SIZE,
    async run(image: RawTensor) {
      const out = await session.run(toOrtFeeds([["image", image]]));
      return { data: out.person.data as Float32Array, dims: out.person.dims };
    },
    async dispose() {
      await session.release();
    },
  };
}
