import { BgmatteError } from "../errors.js";
import type { ModeName, RefineMethod, Subject } from "../vocabulary.js";

/** A numeric flag's value, or undefined when absent; anything else is a usage error naming the flag. */
export function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected a number for option --${flag} but received "${value}"`,
      "see --help",
    );
  }
  return n;
}

/** Flags shared by the commands that matte (image, video): where the inputs and outputs are, and the model. */
export const MATTING_FLAGS = {
  plate: { type: "string", short: "p" },
  target: { type: "string", short: "t" },
  out: { type: "string", short: "o", default: "bgmatte-out" },
  model: { type: "string" },
  threads: { type: "string" },
  mode: { type: "string", short: "m" },
  subject: { type: "string" },
  "working-size": { type: "string" },
  refine: { type: "string" },
} as const;

/** The library options those flags set (the schema in src/options.ts validates them). */
export function modelOptionsFromFlags(values: {
  model?: string;
  threads?: string;
  mode?: string;
  subject?: string;
  "working-size"?: string;
  refine?: string;
}) {
  return {
    model: values.model,
    mode: values.mode as ModeName | undefined,
    subject: values.subject as Subject | undefined,
    threads: numberFlag("threads", values.threads),
    workingSize: numberFlag("working-size", values["working-size"]),
    refine: values.refine as RefineMethod | undefined,
  };
}
