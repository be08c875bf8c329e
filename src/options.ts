/** The one schema for the library's options: validation, defaults and types come from here. */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { BgmatteError } from "./errors.js";
import { DEFAULT_MAX_PIXELS } from "./image/codec-node.js";
import { DEVICES, MODE_NAMES, REFINE_METHODS, SUBJECTS } from "./vocabulary.js";

export const matterOptionsSchema = z
  .object({
    /** A model name from models/manifest.json, or a path to an .onnx file. */
    model: z.string().min(1).optional(),
    device: z.enum(DEVICES).default("cpu"),
    /** Threads for the network; measured best on 2 cores: 2. */
    threads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(() => Math.min(4, availableParallelism())),
    /** Speed/quality trade-off; sets the working size and the refinement budget (src/modes.ts). */
    mode: z.enum(MODE_NAMES).default("balanced"),
    /** Longer side of the network input in pixels; overrides the mode's choice. */
    workingSize: z.number().int().min(64).max(2048).optional(),
    margin: z.number().min(0).max(1).default(0.1),
    refine: z.enum(REFINE_METHODS).default("auto"),
    /** Prior S: person segmenter, image–plate difference (any subject), or auto (person when one is found). */
    subject: z.enum(SUBJECTS).default("any"),
    cleanup: z.boolean().default(true),
    align: z.enum(["auto", "on", "off"]).default("auto"),
    exposure: z.boolean().default(true),
    maxPixels: z.number().int().positive().default(DEFAULT_MAX_PIXELS),
  })
  .strict();

export type MatterOptions = z.input<typeof matterOptionsSchema>;

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
    return `Expected ${issue.message.replace(/^Invalid input: expected /, "")} for option ${key} but received ${JSON.stringify(received)}`;
  });
  throw new BgmatteError(
    "INVALID_OPTION",
    lines.join("; "),
    "see the option list in the README (or `bgmatte image --help`)",
  );
}
