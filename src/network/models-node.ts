/** Where the shipped models live (models/ at the package root) and what the manifest says about them. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BgmatteError } from "../errors.js";
import type { ModeName } from "../vocabulary.js";
import { defaultModelName, type Manifest } from "./manifest.js";

/** Walk up from this file to the package root (works from src/ under tsx and from dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "models", "manifest.json"))) return dir;
    dir = dirname(dir);
  }
  throw new BgmatteError(
    "MODEL_NOT_FOUND",
    "cannot find the package's models/ folder (models/manifest.json)",
    "reinstall bgmatte: its models/ folder ships with the package",
  );
}

export function modelsDir(): string {
  return join(packageRoot(), "models");
}

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(modelsDir(), "manifest.json"), "utf8")) as Manifest;
}

/** A name from the manifest, or a path to an .onnx file; none: the default of `mode`. */
export function resolveModel(model: string | undefined, mode?: ModeName): { name: string; path: string } {
  const manifest = readManifest();
  const name = model ?? defaultModelName(manifest, mode);
  const entry = manifest.models[name];
  if (entry) {
    const path = join(modelsDir(), entry.file);
    // Research variants are listed for reference but left out of the npm package (its size): say where they are.
    if (!existsSync(path))
      throw new BgmatteError(
        "MODEL_NOT_FOUND",
        `the model "${name}" is not installed: ${entry.file} ships with bgmatte's source repository, not its npm package`,
        `copy models/${entry.file} from the repository and pass its path with --model, or use ${manifest.default}`,
      );
    return { name, path };
  }
  if (model && (model.endsWith(".onnx") || isAbsolute(model) || model.includes("/"))) {
    const path = resolve(model);
    if (!existsSync(path)) {
      throw new BgmatteError(
        "MODEL_NOT_FOUND",
        `model file not found: ${path}`,
        "check the path passed as --model",
      );
    }
    return { name: path, path };
  }
  throw new BgmatteError(
    "MODEL_NOT_FOUND",
    `unknown model "${name}"`,
    `use one of: ${Object.keys(manifest.models).join(", ")}, or a path to an .onnx file`,
  );
}

export function contractPath(): string {
  return join(modelsDir(), "contract.json");
}

export function segmenterPath(): string {
  return join(modelsDir(), readManifest().segmenter.file);
}

export function faceDetectorPath(): string {
  return join(modelsDir(), readManifest().faceDetector.file);
}
