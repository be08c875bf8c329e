/** MattingNetwork on onnxruntime-node. */
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { BgmatteError } from "../errors.js";
import { fromOutputs, toFeeds, type Contract, type NetworkInputs } from "./contract.js";
import type { Device, MattingNetwork } from "./network.js";

const EXECUTION_PROVIDERS: Record<Device, string[]> = { cpu: ["cpu"] };

export async function createNodeNetwork(
  modelPath: string,
  contractPath: string,
  opts: { threads: number; device: Device; name: string },
): Promise<MattingNetwork> {
  const contract = JSON.parse(readFileSync(contractPath, "utf8")) as Contract;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      executionProviders: EXECUTION_PROVIDERS[opts.device],
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // The crop (so the input shape) changes from frame to frame; ORT's arena would keep a block per shape seen,
      // letting a long video's memory creep. Plain allocations keep it flat.
      enableCpuMemArena: false,
    });
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
  return {
    name: opts.name,
    async run(inputs: NetworkInputs) {
      const feeds = Object.fromEntries(
        toFeeds(contract, inputs).map(([name, t]) => [name, new ort.Tensor("float32", t.data, t.dims)]),
      );
      return fromOutputs(await session.run(feeds));
    },
    async dispose() {
      await session.release();
    },
  };
}
