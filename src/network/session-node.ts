/** MattingNetwork (with its refiner) and the person segmenter on onnxruntime-node. */
import { existsSync, readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { BgmatteError } from "../errors.js";
import {
  fromOutputs,
  hasRefinementOutputs,
  toFeeds,
  type Contract,
  type NetworkInputs,
  type RawTensor,
} from "./contract.js";
import type { Device } from "../vocabulary.js";
import type { MattingNetwork, SegmenterNetwork } from "./network.js";
import { toOrtFeeds, wrapRefiner, wrapSegmenter } from "./wrap-session.js";

const EXECUTION_PROVIDERS: Record<Device, string[]> = { cpu: ["cpu"] };

const makeTensor = (t: RawTensor) => new ort.Tensor("float32", t.data, t.dims);

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
      ? wrapRefiner(
          await ort.InferenceSession.create(refinerPath, sessionOptions(opts)),
          makeTensor,
          contract.refinement.context,
        )
      : undefined;
  return {
    name: opts.name,
    refiner,
    async run(inputs: NetworkInputs) {
      return fromOutputs(
        await session.run(
          toOrtFeeds(toFeeds(contract, inputs), makeTensor) as ort.InferenceSession.FeedsType,
        ),
      );
    },
    async dispose() {
      await Promise.all([session.release(), refiner?.dispose()]);
    },
  };
}

/** The person segmenter on onnxruntime-node. */
export async function createNodeSegmenter(path: string, threads: number): Promise<SegmenterNetwork> {
  return wrapSegmenter(
    await ort.InferenceSession.create(path, sessionOptions({ threads, device: "cpu" })),
    makeTensor,
  );
}
