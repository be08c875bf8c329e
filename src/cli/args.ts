/** The command line's one flag table: the flags every matting command shares, their help lines, their meaning. */
import { BgmatteError } from "../errors.js";
import { MODES } from "../modes.js";
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

/** How the matting is done: `image`, `video` and `eval` take these. */
export const MATTING_FLAGS = {
  model: { type: "string" },
  threads: { type: "string" },
  mode: { type: "string", short: "m" },
  subject: { type: "string" },
  "working-size": { type: "string" },
  refine: { type: "string" },
  "no-guard-people": { type: "boolean", default: false },
} as const;

export const MATTING_HELP = `      --model <name|file>   model name from models/manifest.json or an .onnx path (default: the mode's:
                            bm-live in fast mode, built and trained for its size; bm-lite otherwise)
      --threads <n>         inference threads (default: min(4, cores))
  -m, --mode <mode>         fast | balanced (default) | best: network input size and how much of the frame
                            is re-predicted at full resolution (fast: whole frame at ${MODES.fast.maxSide} px;
                            balanced: crop at ${MODES.balanced.maxSide} px; best: ${MODES.best.maxSide} and again at
                            ${MODES.best.secondSize}, combined)
      --subject <kind>      what the prior S comes from: any (default: the image–plate difference, any
                            subject), person (the person segmenter), or auto (the segmenter when it sees a
                            person filling 3 % of the frame that differs from the plate; it misfires on objects)
      --working-size <px>   network input size, longer side (default: the mode's)
      --refine <method>     plate (the default, also named auto: guided upsampling + per-pixel solve against
                            the plate), refiner (the model's refiner network re-predicts uncertain patches at
                            full resolution, then the solve), guided (edges follow the photo) or bilinear
      --no-guard-people     let the network decide inside a found person too (by default, where the person
                            segmenter is sure of a face or torso, it stays opaque; wholly where the face
                            detector also sees their face)`;

/** How the plate is prepared for a still: `image` and `eval` take these (video aligns per frame itself). */
export const PLATE_FLAGS = {
  align: { type: "boolean", default: false },
  "no-align": { type: "boolean", default: false },
  "no-exposure": { type: "boolean", default: false },
} as const;

export const PLATE_HELP = `      --align               require plate alignment (fail if the plate cannot be aligned)
      --no-align            never align the plate (default: align when it is off by more than 0.5 px)
      --no-exposure         do not match the plate's exposure to the photo`;

/** How a clip is matted and which videos come out: `video` and `queue add` take these. */
export const VIDEO_FLAGS = {
  "motion-seconds": { type: "string", default: "0.67" },
  "hand-held": { type: "boolean", default: false },
  "no-exposure": { type: "boolean", default: false },
  "no-temporal": { type: "boolean", default: false },
  "no-fg": { type: "boolean", default: false },
  "no-alpha": { type: "boolean", default: false },
  only: { type: "string" },
  "accept-short": { type: "boolean", default: false },
} as const;

/** Where the inputs and outputs of `image` and `video` are. */
export const IO_FLAGS = {
  plate: { type: "string", short: "p" },
  target: { type: "string", short: "t" },
  out: { type: "string", short: "o", default: "bgmatte-out" },
} as const;

/** The library options the matting flags set (the schema in src/options.ts validates them). */
export function mattingOptionsFromFlags(values: {
  model?: string;
  threads?: string;
  mode?: string;
  subject?: string;
  "working-size"?: string;
  refine?: string;
  "no-guard-people"?: boolean;
}) {
  return {
    model: values.model,
    mode: values.mode as ModeName | undefined,
    subject: values.subject as Subject | undefined,
    threads: numberFlag("threads", values.threads),
    workingSize: numberFlag("working-size", values["working-size"]),
    refine: values.refine as RefineMethod | undefined,
    guardPeople: values["no-guard-people"] ? false : undefined,
  };
}

/** The library options the plate flags set. */
export function plateOptionsFromFlags(values: {
  align?: boolean;
  "no-align"?: boolean;
  "no-exposure"?: boolean;
}) {
  return {
    align: values["no-align"] ? ("off" as const) : values.align ? ("on" as const) : ("auto" as const),
    exposure: !values["no-exposure"],
  };
}
