/**
 * The option schemas of the Node and the browser matters: validation, defaults and types come from here, and the
 * matting options themselves are one shape shared by both. No Node APIs: the browser entry uses this file too.
 */
import { z } from "zod";
import { BgmatteError } from "./errors.js";
import { DEVICES, MODE_NAMES, REFINE_METHODS, SUBJECTS } from "./vocabulary.js";

/** Images above this many pixels are refused unless `maxPixels` says otherwise. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/** The options a single call may change (a live page adapts its working size to the measured frame rate). */
const callShape = {
  /** Speed/quality trade-off; sets the working size and the full-resolution stages (src/modes.ts). */
  mode: z.enum(MODE_NAMES),
  /** Longer side of the network input in pixels; overrides the mode's choice. */
  workingSize: z.number().int().min(64).max(2048).optional(),
};

/** Plate alignment: when the plate is off by more than half a pixel, always, or never. */
const alignChoice = z.enum(["auto", "on", "off"]);

/** How the matting is done: the same in Node and in the browser. */
const mattingShape = {
  ...callShape,
  // The matter's own default; a call without a mode keeps the matter's (no default there).
  mode: callShape.mode.default("balanced"),
  margin: z.number().min(0).max(1).default(0.1),
  refine: z.enum(REFINE_METHODS).default("auto"),
  /** Prior S: person segmenter, image–plate difference (any subject), or auto (person when one is found). */
  subject: z.enum(SUBJECTS).default("any"),
  cleanup: z.boolean().default(true),
  align: alignChoice.default("auto"),
  exposure: z.boolean().default(true),
  /** A found person's face and torso are never see-through (pipeline.ts PipelineOptions.guardPeople); default on. */
  guardPeople: z.boolean().optional(),
};

/** Threads for the networks: min(4, the machine's); measured best on 2 cores: 2. */
const threads = (hardwareThreads: number) =>
  z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(() => Math.min(4, Math.max(1, hardwareThreads)));

/** The Node matter (`createMatter` of `bgmatte`); `hardwareThreads` is the machine's parallelism. */
export function matterOptionsSchema(hardwareThreads: number) {
  return z
    .object({
      /** A model name from models/manifest.json, or a path to an .onnx file. */
      model: z.string().min(1).optional(),
      device: z.enum(DEVICES).default("cpu"),
      threads: threads(hardwareThreads),
      ...mattingShape,
      maxPixels: z.number().int().positive().default(DEFAULT_MAX_PIXELS),
    })
    .strict();
}

/** The browser matter (`createMatter` of `bgmatte/web`): the models come as URLs. */
export function webMatterOptionsSchema(hardwareThreads: number) {
  return z
    .object({
      modelUrl: z.string().min(1),
      /** The same network for the WASM backend (a manifest entry's `wasmFile`); default: `modelUrl`. */
      wasmModelUrl: z.string().min(1).optional(),
      contractUrl: z.string().min(1),
      /** The person segmenter; without it the plate difference still works. */
      segmenterUrl: z.string().min(1).optional(),
      /** The face detector, which confirms the people the segmenter finds; optional as the segmenter is. */
      faceDetectorUrl: z.string().min(1).optional(),
      /** `fast`'s network (bm-live), for `balanced` and `best`'s second opinion on large dropped parts; optional. */
      secondOpinionUrl: z.string().min(1).optional(),
      /** Where onnxruntime-web's .wasm files are served. */
      wasmPaths: z.string().min(1),
      /** WebGPU when the browser has it, else WASM. */
      preferWebGPU: z.boolean().default(true),
      threads: threads(hardwareThreads),
      ...mattingShape,
    })
    .strict();
}

export const callOptionsSchema = z
  .object({
    ...callShape,
    /** Plate alignment for this call (a live page's fixed camera skips it; a dropped photo needs it). */
    align: alignChoice,
    /** Stops the call between stages (its promise rejects with an ABORTED error). */
    signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, "an AbortSignal"),
  })
  .partial()
  .strict();

export type MatterOptions = z.input<ReturnType<typeof matterOptionsSchema>>;
export type WebMatterOptions = z.input<ReturnType<typeof webMatterOptionsSchema>>;
/** Per-call changes to a matter's options. */
export type CallOptions = z.input<typeof callOptionsSchema>;

/** What an option should have been, as the middle of one sentence ("one of "fast", "balanced"", "a number ≥ 64"). */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "number" || issue.origin === "int"
        ? `a number ${issue.inclusive ? "≥" : ">"} ${issue.minimum}`
        : `at least ${issue.minimum} ${issue.origin === "string" ? "characters" : "items"}`;
    case "too_big":
      return issue.origin === "number" || issue.origin === "int"
        ? `a number ${issue.inclusive ? "≤" : "<"} ${issue.maximum}`
        : `at most ${issue.maximum} ${issue.origin === "string" ? "characters" : "items"}`;
    case "invalid_type":
      return issue.expected === "int" ? "a whole number" : `a ${issue.expected}`;
    default:
      return issue.message.replace(/^Invalid input: expected /i, "").replace(/^./, (c) => c.toLowerCase());
  }
}

/** Parse options; every problem reads "Expected … for option X but received …". */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.join(".") || "(options)";
    const received = issue.path.reduce<unknown>(
      (v, k) =>
        v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined,
      input,
    );
    if (issue.code === "unrecognized_keys") return `unknown option(s): ${issue.keys.join(", ")}`;
    return `Expected ${expectation(issue)} for option ${key} but received ${JSON.stringify(received)}`;
  });
  throw new BgmatteError(
    "INVALID_OPTION",
    lines.join("; "),
    "see the option list in the README (or `bgmatte image --help`)",
  );
}
