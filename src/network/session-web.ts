/** MattingNetwork on onnxruntime-web (WebGPU when available, else WASM with SIMD and threads): same .onnx files. */
import * as ort from "onnxruntime-web";
import {
  fromOutputs,
  hasRefinementOutputs,
  toFeeds,
  type Contract,
  type NetworkInputs,
  type RawTensor,
} from "./contract.js";
import type { MattingNetwork, RefinerNetwork, SegmenterNetwork } from "./network.js";
import { toOrtFeeds, wrapRefiner, wrapSegmenter } from "./wrap-session.js";

export type WebBackend = "webgpu" | "wasm";

const makeTensor = (t: RawTensor) => new ort.Tensor("float32", t.data, t.dims);

async function createSession(
  url: string,
  backends: WebBackend[],
): Promise<{ session: ort.InferenceSession; backend: WebBackend }> {
  for (const b of backends) {
    try {
      const session = await ort.InferenceSession.create(url, {
        executionProviders: [b],
        graphOptimizationLevel: "all",
      });
      return { session, backend: b };
    } catch (e) {
      if (b === backends[backends.length - 1]) throw e;
    }
  }
  throw new Error("no backend to try");
}

export async function createWebNetwork(
  modelUrl: string,
  contract: Contract,
  opts: { wasmPaths: string; threads: number; preferWebGPU: boolean; refinerUrl?: string },
): Promise<MattingNetwork & { backend: WebBackend }> {
  ort.env.wasm.wasmPaths = opts.wasmPaths;
  ort.env.wasm.numThreads = opts.threads;
  const hasWebGPU = typeof navigator !== "undefined" && "gpu" in navigator;
  const backends: WebBackend[] = opts.preferWebGPU && hasWebGPU ? ["webgpu", "wasm"] : ["wasm"];
  const { session, backend } = await createSession(modelUrl, backends);
  let refiner: RefinerNetwork | undefined;
  if (opts.refinerUrl && hasRefinementOutputs(contract, session.outputNames)) {
    // Small patch batches: WASM avoids WebGPU's per-call upload cost.
    const r = (await createSession(opts.refinerUrl, ["wasm"]).catch(() => null))?.session;
    if (r) refiner = wrapRefiner(r, makeTensor, contract.refinement.context);
  }
  return {
    name: modelUrl,
    backend,
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

/** The person segmenter on onnxruntime-web (WASM: a small graph, where WebGPU's upload cost dominates). */
export async function createWebSegmenter(url: string): Promise<SegmenterNetwork> {
  return wrapSegmenter((await createSession(url, ["wasm"])).session, makeTensor);
}
