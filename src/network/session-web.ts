/** MattingNetwork on onnxruntime-web (WebGPU when available, else WASM with SIMD and threads): same .onnx files. */
import * as ort from "onnxruntime-web";
import { BgmatteError } from "../errors.js";
import { parseContract, refinerLocationOf, type Contract, type RawTensor } from "./contract.js";
import type { FaceDetectorNetwork, MattingNetwork, SegmenterNetwork } from "./network.js";
import { wrapFaceDetector, wrapMattingNetwork, wrapSegmenter } from "./wrap-session.js";

export type WebBackend = "webgpu" | "wasm";

const makeTensor = (t: RawTensor) => new ort.Tensor("float32", t.data, t.dims);

/**
 * A session on the first backend that loads the model (`url`, or its file for that backend); the error names the
 * model and every failure.
 */
async function createSession(
  url: string | ((backend: WebBackend) => string),
  what: string,
  backends: WebBackend[],
): Promise<{ session: ort.InferenceSession; backend: WebBackend }> {
  const failures: string[] = [];
  const urlFor = typeof url === "string" ? () => url : url;
  for (const backend of backends) {
    try {
      const session = await ort.InferenceSession.create(urlFor(backend), {
        executionProviders: [backend],
        graphOptimizationLevel: "all",
      });
      return { session, backend };
    } catch (e) {
      failures.push(`${backend}, ${urlFor(backend)}: ${(e as Error).message}`);
    }
  }
  throw new BgmatteError(
    "MODEL_INVALID",
    `cannot load the ${what} (${failures.join("; ")})`,
    "check that the page can fetch the model files (bgmatte serve serves them under models/)",
  );
}

/** models/contract.json fetched and validated. */
export async function fetchContract(url: string): Promise<Contract> {
  const response = await fetch(url).catch((e: Error) => {
    throw new BgmatteError(
      "MODEL_NOT_FOUND",
      `cannot fetch the model contract ${url}: ${e.message}`,
      "check the URL",
    );
  });
  if (!response.ok) {
    throw new BgmatteError(
      "MODEL_NOT_FOUND",
      `cannot fetch the model contract ${url}: HTTP ${response.status}`,
      "check the URL (bgmatte serve serves it as models/contract.json)",
    );
  }
  return parseContract(await response.json(), url);
}

export async function createWebNetwork(
  modelUrl: string,
  contract: Contract,
  opts: { wasmPaths: string; threads: number; preferWebGPU: boolean; wasmModelUrl?: string },
): Promise<MattingNetwork & { backend: WebBackend }> {
  ort.env.wasm.wasmPaths = opts.wasmPaths;
  ort.env.wasm.numThreads = opts.threads;
  const hasWebGPU = typeof navigator !== "undefined" && "gpu" in navigator;
  const backends: WebBackend[] = opts.preferWebGPU && hasWebGPU ? ["webgpu", "wasm"] : ["wasm"];
  const wasmModelUrl = opts.wasmModelUrl ?? modelUrl;
  const { session, backend } = await createSession(
    (b) => (b === "wasm" ? wasmModelUrl : modelUrl),
    "model",
    backends,
  );
  // Small patch batches: WASM avoids WebGPU's per-call upload cost. Whether the file is there is known only once it
  // is fetched, on the first run that asks for the refiner.
  const refiner = {
    exists: true,
    open: async () =>
      (await createSession(refinerLocationOf(modelUrl), "refiner", ["wasm"]).catch(() => undefined))?.session,
  };
  const network = await wrapMattingNetwork(session, makeTensor, contract, modelUrl, refiner);
  return { ...network, backend };
}

/** The person segmenter on onnxruntime-web (WASM: a small graph, where WebGPU's upload cost dominates). */
export async function createWebSegmenter(url: string): Promise<SegmenterNetwork> {
  return wrapSegmenter((await createSession(url, "person segmenter", ["wasm"])).session, makeTensor);
}

/** The face detector on onnxruntime-web (WASM, as the segmenter). */
export async function createWebFaceDetector(url: string): Promise<FaceDetectorNetwork> {
  return wrapFaceDetector((await createSession(url, "face detector", ["wasm"])).session, makeTensor);
}
