/** MattingNetwork (with its refiner) and the person segmenter on onnxruntime-node. */
import { existsSync, readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { BgmatteError } from "../errors.js";
import type { Device } from "../vocabulary.js";
import { parseContract, refinerLocationOf, type Contract, type RawTensor } from "./contract.js";
import type { MattingNetwork, SegmenterNetwork } from "./network.js";
import { wrapMattingNetwork, wrapSegmenter } from "./wrap-session.js";

// onnxruntime's Linux build otherwise opens /tmp/mat-debug-<pid>.log for its telemetry on the first session:
// created without O_EXCL or O_NOFOLLOW (a planted symlink truncates its target) and inherited by ffmpeg children.
// It reads the variable when its environment is created, so setting it here, before any session, is enough.
if (!process.env.ORT_DISABLE_TELEMETRY) process.env.ORT_DISABLE_TELEMETRY = "1";

const EXECUTION_PROVIDERS: Record<Device, string[]> = { cpu: ["cpu"] };

const makeTensor = (t: RawTensor) => new ort.Tensor("float32", t.data, t.dims);

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

/** An onnxruntime session for `path`, or an error that says whether the file is missing or unreadable as ONNX. */
async function openSession(
  path: string,
  what: string,
  opts: { threads: number; device: Device },
): Promise<ort.InferenceSession> {
  if (!existsSync(path)) {
    throw new BgmatteError(
      "MODEL_NOT_FOUND",
      `the ${what} file ${path} does not exist`,
      "check the --model path, or omit it to use the bundled default model",
    );
  }
  try {
    return await ort.InferenceSession.create(path, sessionOptions(opts));
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
  return wrapMattingNetwork(session, makeTensor, contract, opts.name, async () =>
    existsSync(refinerPath) ? openSession(refinerPath, "refiner", opts) : undefined,
  );
}

/** The person segmenter on onnxruntime-node. */
export async function createNodeSegmenter(path: string, threads: number): Promise<SegmenterNetwork> {
  return wrapSegmenter(await openSession(path, "person segmenter", { threads, device: "cpu" }), makeTensor);
}
