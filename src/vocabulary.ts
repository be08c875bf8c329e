/**
 * The names users choose between: modes, refine methods, subjects and devices. A leaf: it imports nothing, so
 * option schemas, the CLI and the browser can name these without pulling in the stages that implement them.
 */
export const MODE_NAMES = ["fast", "balanced", "best"] as const;
export type ModeName = (typeof MODE_NAMES)[number];

/**
 * Full-resolution restoration of the coarse matte: `plate` = guided upsampling then the compositing-equation
 * refinement against the plate (`auto`, the default, is `plate` in every mode: docs/modes.md has the measurements);
 * `refiner` = the model's refiner network on uncertain patches (balanced and best then also solve against the
 * plate); `guided` = guided upsampling only; `bilinear` = plain resize.
 */
export const REFINE_METHODS = ["auto", "refiner", "plate", "guided", "bilinear"] as const;
export type RefineMethod = (typeof REFINE_METHODS)[number];

/** What the prior S is made from (pipeline.ts PipelineOptions.subject). */
export const SUBJECTS = ["auto", "person", "any"] as const;
export type Subject = (typeof SUBJECTS)[number];

/** Where the networks run (network/ maps each to onnxruntime execution providers). */
export const DEVICES = ["cpu"] as const;
export type Device = (typeof DEVICES)[number];
