/** MattingNetwork on onnxruntime-web (WebGPU when available, else WASM with SIMD and threads): same .onnx file. */
import * as ort from "onnxruntime-web";
import { fromOutputs, toFeeds, type Contract, type NetworkInputs } from "./contract.js";
import type { MattingNetwork } from "./network.js";

export type WebBackend = "webgpu" | "wasm";

export async function createWebNetwork(
  modelUrl: string,
  contract: Contract,
  opts: { wasmPaths: string; threads: number; preferWebGPU: boolean },
): Promise<MattingNetwork & { backend: WebBackend }> {
  ort.env.wasm.wasmPaths = opts.wasmPaths;
  ort.env.wasm.numThreads = opts.threads;
  const hasWebGPU = typeof navigator !== "undefined" && "gpu" in navigator;
  const backends: WebBackend[] = opts.preferWebGPU && hasWebGPU ? ["webgpu", "wasm"] : ["wasm"];
  let session: ort.InferenceSession | undefined;
  let backend: WebBackend = "wasm";
  for (const b of backends) {
    try {
      session = await ort.InferenceSession.create(modelUrl, {
        executionProviders: [b],
        graphOptimizationLevel: "all",
      });
      backend = b;
      break;
    } catch (e) {
      if (b === backends[backends.length - 1]) throw e;
    }
  }
  const s = session!;
  return {
    name: modelUrl,
    backend,
    async run(inputs: NetworkInputs) {
      const feeds = Object.fromEntries(
        toFeeds(contract, inputs).map(([name, t]) => [name, new ort.Tensor("float32", t.data, t.dims)]),
      );
      return fromOutputs(await s.run(feeds));
    },
    async dispose() {
      await s.release();
    },
  };
}
