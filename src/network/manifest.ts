/** models/manifest.json: the shipped models, read by Node (models-node.ts) and by the live page alike. */
import type { ModeName } from "../vocabulary.js";

export interface ManifestEntry {
  file: string;
  /**
   * The same network stored for onnxruntime-web's WebAssembly backend: 8-bit convolutions, which that backend runs
   * about twice as fast as float ones (the WebGPU backend mattes such a graph wrongly, so it keeps `file`).
   */
  wasmFile?: string;
  architecture: string;
  parameters: number;
  [key: string]: unknown;
}

export interface Manifest {
  default: string;
  /** The model a mode uses when none is named (modes not listed use `default`). */
  modeDefaults?: Partial<Record<ModeName, string>>;
  /** The live page's model, built for its frame budget (absent: the `fast` mode's). */
  live?: string;
  models: Record<string, ManifestEntry>;
  /** The person segmenter used for the prior S (not a matting model: its own contract). */
  segmenter: ManifestEntry;
  /** The face detector that confirms a person the segmenter found (src/prior/faces.ts). */
  faceDetector: ManifestEntry;
}

/** The model `mode` uses when none is named. */
export function defaultModelName(manifest: Manifest, mode?: ModeName): string {
  return (mode && manifest.modeDefaults?.[mode]) || manifest.default;
}

/** The model the live page runs when none is named. */
export function liveModelName(manifest: Manifest): string {
  return manifest.live ?? defaultModelName(manifest, "fast");
}

/** The live model's file per onnxruntime-web backend. */
export function liveModelFiles(manifest: Manifest): { file: string; wasmFile: string } {
  const entry = manifest.models[liveModelName(manifest)];
  return { file: entry.file, wasmFile: entry.wasmFile ?? entry.file };
}
