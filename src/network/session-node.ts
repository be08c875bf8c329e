/**
 * MattingNetwork (with its refiner), the person segmenter and the face detector in Node: on onnxruntime-node, or, where that optional
 * dependency could not be installed (on linux-x64 its installer fetches CUDA libraries from api.nuget.org, which
 * machines that reach only the npm registry cannot), on onnxruntime-web's WebAssembly build: the same .onnx files,
 * the same results, about 3× slower.
 */
import { existsSync, readFileSync } from "node:fs";
import type * as OrtNode from "onnxruntime-node";
import { BgmatteError } from "../errors.js";
import type { Device } from "../vocabulary.js";
import { parseContract, refinerLocationOf, type Contract, type RawTensor } from "./contract.js";
import type { FaceDetectorNetwork, MattingNetwork, SegmenterNetwork } from "./network.js";
import { wrapFaceDetector, wrapMattingNetwork, wrapSegmenter } from "./wrap-session.js";

// onnxruntime's Linux build otherwise opens /tmp/mat-debug-<pid>.log for its telemetry on the first session:
// created without O_EXCL or O_NOFOLLOW (a planted symlink truncates its target) and inherited by ffmpeg children.
// It reads the variable when its environment is created, so setting it here, before any session, is enough.
if (!process.env.ORT_DISABLE_TELEMETRY) process.env.ORT_DISABLE_TELEMETRY = "1";

type Ort = typeof OrtNode;
interface Runtime {
  ort: Ort;
  /** false: onnxruntime-web's WebAssembly build stands in for the native runtime. */
  native: boolean;
}

let runtime: Promise<Runtime> | undefined;

const webAssembly = async (): Promise<Runtime> => ({
  ort: (await import("onnxruntime-web")) as unknown as Ort,
  native: false,
});

/**
 * Which ONNX Runtime runs the networks in this process (loaded once). BGMATTE_RUNTIME=wasm chooses the WebAssembly
 * build even where the native one is installed (to compare them).
 */
export function nodeRuntime(): Promise<Runtime> {
  if (process.env.BGMATTE_RUNTIME === "wasm") return (runtime ??= webAssembly());
  runtime ??= import("onnxruntime-node").then(
    (ort): Runtime => ({ ort, native: true }),
    async (e: Error): Promise<Runtime> => {
      process.emitWarning(
        `the native ONNX Runtime (onnxruntime-node) is not installed (${e.message.split("\n")[0]}); running on ` +
          "its WebAssembly build, about 3× slower. To install the native one without its CUDA download: " +
          "npm install onnxruntime-node --onnxruntime-node-install=skip",
        { code: "BGMATTE_WASM_RUNTIME" },
      );
      return webAssembly();
    },
  );
  return runtime;
}

function sessionOptions(
  opts: { threads: number; device: Device; spin?: boolean },
  native: boolean,
): OrtNode.InferenceSession.SessionOptions {
  return {
    executionProviders: native ? ["cpu"] : ["wasm"],
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    // The crop (so the input shape) changes from frame to frame; ORT's arena would keep a block per shape seen,
    // letting a long video's memory creep. Plain allocations keep it flat.
    enableCpuMemArena: false,
    // onnxruntime's threads spin for a while after each run. The segmenter runs once per frame just before the
    // matting network, whose threads its spinning ones starved: 38 → 21 ms for the network of a 640×360 frame in
    // `fast` on 2 cores. The matting network keeps spinning between its own operators.
    ...(opts.spin === false ? { extra: { session: { intra_op: { allow_spinning: "0" } } } } : {}),
  };
}

async function tensorMaker() {
  const { ort } = await nodeRuntime();
  return (t: RawTensor) => new ort.Tensor("float32", t.data, t.dims);
}

/** An onnxruntime session for `path`, or an error that says whether the file is missing or unreadable as ONNX. */
async function openSession(
  path: string,
  what: string,
  opts: { threads: number; device: Device; spin?: boolean },
): Promise<OrtNode.InferenceSession> {
  if (!existsSync(path)) {
    throw new BgmatteError(
      "MODEL_NOT_FOUND",
      `the ${what} file ${path} does not exist`,
      "check the --model path, or omit it to use the bundled default model",
    );
  }
  const { ort, native } = await nodeRuntime();
  if (!native) (ort.env.wasm as { numThreads?: number }).numThreads = opts.threads;
  try {
    // The WebAssembly build takes the model's bytes, the native one its path.
    const options = sessionOptions(opts, native);
    return native
      ? await ort.InferenceSession.create(path, options)
      : await ort.InferenceSession.create(readFileSync(path), options);
  } catch (e) {
    throw new BgmatteError(
      "MODEL_INVALID",
      `onnxruntime cannot load the ${what} ${path}: ${(e as Error).message}`,
      "the file is not a complete ONNX model (a truncated copy?): export it again with training/bgmatte_train/export.py",
    );
  }
}

/** models/contract.json, read and validated. */
export function readContract(path: string): Contract {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BgmatteError(
      "MODEL_NOT_FOUND",
      `cannot read the model contract ${path}: ${(e as Error).message}`,
      "reinstall bgmatte: models/contract.json ships with the package",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BgmatteError(
      "MODEL_CONTRACT",
      `${path} is not valid JSON: ${(e as Error).message}`,
      "reinstall bgmatte: models/contract.json ships with the package",
    );
  }
  return parseContract(json, path);
}

export async function createNodeNetwork(
  modelPath: string,
  contractPath: string,
  opts: { threads: number; device: Device; name: string },
): Promise<MattingNetwork> {
  const contract = readContract(contractPath);
  const session = await openSession(modelPath, "model", opts);
  const refinerPath = refinerLocationOf(modelPath);
  const makeTensor = await tensorMaker();
  return wrapMattingNetwork(session, makeTensor, contract, opts.name, {
    exists: existsSync(refinerPath),
    open: () => openSession(refinerPath, "refiner", opts),
  });
}

/** The person segmenter on onnxruntime-node. */
export async function createNodeSegmenter(path: string, threads: number): Promise<SegmenterNetwork> {
  const session = await openSession(path, "person segmenter", { threads, device: "cpu", spin: false });
  return wrapSegmenter(session, await tensorMaker());
}

/** The face detector on onnxruntime-node. */
export async function createNodeFaceDetector(path: string, threads: number): Promise<FaceDetectorNetwork> {
  const session = await openSession(path, "face detector", { threads, device: "cpu", spin: false });
  return wrapFaceDetector(session, await tensorMaker());
}
