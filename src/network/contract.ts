/**
 * The ONNX contract (models/contract.json) as types, and conversion between FloatImage (HWC) and tensors (NCHW).
 * Both runtimes (onnxruntime-node, onnxruntime-web) go through this file.
 */
import { z } from "zod";
import { BgmatteError } from "../errors.js";
import { createImage, type FloatImage } from "../image/types.js";

const dimension = z.union([z.string().min(1), z.number().int().positive()]);
const tensorSpec = z.object({
  name: z.string().min(1),
  dtype: z.literal("float32"),
  shape: z.tuple([z.string(), dimension, z.string(), z.string()]),
  range: z.tuple([z.number(), z.number().nullable()]),
  meaning: z.string(),
});
// The network's own inputs and outputs: a fixed channel count and a closed value range.
const channelSpec = tensorSpec.extend({
  shape: z.tuple([z.string(), z.number().int().positive(), z.string(), z.string()]),
  range: z.tuple([z.number(), z.number()]),
});

/** models/contract.json: what the product checks on load, in Node and in the browser alike. */
const contractSchema = z.object({
  version: z.number().int(),
  minOpset: z.number().int(),
  spatialMultiple: z.number().int().positive(),
  inputs: z.array(channelSpec).min(1),
  outputs: z.array(channelSpec).min(1),
  refinement: z.object({
    context: z.number().int().nonnegative(),
    coarseExtraOutputs: z.array(tensorSpec).min(1),
    refinerInputs: z.array(tensorSpec).min(1),
    refinerOutputs: z.array(tensorSpec).min(1),
  }),
});

export type Contract = z.infer<typeof contractSchema>;
export type TensorSpec = Contract["inputs"][number];

/** Validate a parsed contract.json (`source` names it in the error): every field the product reads. */
export function parseContract(json: unknown, source: string): Contract {
  const result = contractSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new BgmatteError(
    "MODEL_CONTRACT",
    `${source} is not a valid model contract: ${problems.join("; ")}`,
    "use the contract.json that ships with bgmatte's models (training exports against it)",
  );
}

/** Where a coarse model's refiner lies: `models/bm-lite.onnx` → `models/bm-lite-refiner.onnx` (a path or a URL). */
export function refinerLocationOf(model: string): string {
  return model.replace(/\.onnx$/i, "") + "-refiner.onnx";
}

export type NetworkInputs = Record<"image" | "plate" | "prior" | "motion", FloatImage>;

/** The coarse network's output, at its own resolution. */
export interface NetworkOutputs {
  alpha: FloatImage;
  fg: FloatImage;
  /** Models with a refiner also give the predicted error map and hidden channels (contract "refinement"). */
  refinement?: RefinementMaps;
}

export interface RefinementMaps {
  error: FloatImage;
  hidden: FloatImage;
}

/** N patches of side P + 2·context, planar NCHW: the refiner graph's inputs (contract "refinement"). */
export interface PatchBatch {
  count: number;
  side: number;
  hiddenChannels: number;
  image: Float32Array;
  plate: Float32Array;
  coarseAlpha: Float32Array;
  coarseFg: Float32Array;
  hidden: Float32Array;
}

/** Raw tensor: what either ONNX runtime takes and gives. */
export interface RawTensor {
  data: Float32Array;
  dims: readonly number[];
}

export function toNCHW(image: FloatImage): RawTensor {
  const { width, height, channels } = image;
  const n = width * height;
  const out = new Float32Array(n * channels);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < channels; c++) out[c * n + p] = image.data[p * channels + c];
  return { data: out, dims: [1, channels, height, width] };
}

export function fromNCHW(t: RawTensor): FloatImage {
  const [, channels, height, width] = t.dims;
  const out = createImage(width, height, channels);
  const n = width * height;
  for (let c = 0; c < channels; c++)
    for (let p = 0; p < n; p++) out.data[p * channels + c] = t.data[c * n + p];
  return out;
}

/** Check inputs against the contract before they reach the runtime, with a message a user can act on. */
export function checkInputs(contract: Contract, inputs: NetworkInputs): void {
  const { width, height } = inputs.image;
  if (width % contract.spatialMultiple || height % contract.spatialMultiple) {
    throw new BgmatteError(
      "MODEL_CONTRACT",
      `network input is ${width}×${height}; the model needs sides that are multiples of ${contract.spatialMultiple}`,
      "this is a bug in the pipeline's resizing; please report it",
    );
  }
  for (const spec of contract.inputs) {
    const im = inputs[spec.name as keyof NetworkInputs];
    if (!im || im.channels !== spec.shape[1] || im.width !== width || im.height !== height) {
      throw new BgmatteError(
        "MODEL_CONTRACT",
        `network input "${spec.name}" must be ${spec.shape[1]}×${height}×${width}, got ${im ? `${im.channels}×${im.height}×${im.width}` : "nothing"}`,
        "this is a bug in the pipeline; please report it",
      );
    }
  }
}

/** Runtime-neutral feeds: one raw NCHW tensor per contract input, in contract order. */
export function toFeeds(contract: Contract, inputs: NetworkInputs): [string, RawTensor][] {
  checkInputs(contract, inputs);
  return contract.inputs.map((spec) => [spec.name, toNCHW(inputs[spec.name as keyof NetworkInputs])]);
}

export function fromOutputs(out: Record<string, { data: unknown; dims: readonly number[] }>): NetworkOutputs {
  const get = (name: string) => fromNCHW({ data: out[name].data as Float32Array, dims: out[name].dims });
  const result: NetworkOutputs = { alpha: get("alpha"), fg: get("fg") };
  if (out.error && out.hidden) result.refinement = { error: get("error"), hidden: get("hidden") };
  return result;
}

/** Runtime-neutral feeds of the refiner graph, in contract order. */
export function refinerFeeds(batch: PatchBatch): [string, RawTensor][] {
  const { count: n, side: s } = batch;
  const t = (data: Float32Array, c: number): RawTensor => ({ data, dims: [n, c, s, s] });
  return [
    ["image", t(batch.image, 3)],
    ["plate", t(batch.plate, 3)],
    ["coarse_alpha", t(batch.coarseAlpha, 1)],
    ["coarse_fg", t(batch.coarseFg, 3)],
    ["hidden", t(batch.hidden, batch.hiddenChannels)],
  ];
}

/** Does this coarse graph have what a refiner needs? (Output names, from either runtime's session.) */
export function hasRefinementOutputs(contract: Contract, outputNames: readonly string[]): boolean {
  return contract.refinement.coarseExtraOutputs.every((o) => outputNames.includes(o.name));
}
