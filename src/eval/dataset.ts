/**
 * Evaluation datasets. Two layouts are read:
 *
 * 1. The bgmatte layout, one folder per item:  <dataset>/<item>/image.*  plate.*  [alpha.*]  [trimap.*]
 *    (alpha: grey, white = subject; trimap: 0 / 128 / 255). `python -m bgmatte_train.testset` writes it.
 * 2. Two-background captures (the realpairs layout): <dataset>/sceneNN/NNcompa.jpg NNbacka.jpg NNcompb.jpg
 *    NNbackb.jpg. The item is pair a or b (`pair`), and α comes from triangulating both pairs (backgrounds aligned to their
 *    composites and exposure-matched first, then cleaned); the item's plate is the capture as shot.
 *
 * Items are loaded one at a time, so memory does not grow with the dataset.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CV } from "../cv/opencv.js";
import { BgmatteError } from "../errors.js";
import { decodeImage } from "../image/codec-node.js";
import { selectChannels, type FloatImage } from "../image/types.js";
import { triangulateScene } from "./triangulation.js";

export interface EvalItem {
  name: string;
  image: FloatImage;
  plate: FloatImage;
  alpha?: FloatImage;
  trimap?: FloatImage;
  /** How the ground truth was obtained. */
  truth: "given" | "triangulated" | "none";
}

export interface EvalItemSource {
  name: string;
  load(): Promise<EvalItem>;
}

const EXT = [".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff"];

function findFile(dir: string, stem: string): string | undefined {
  return EXT.map((e) => join(dir, stem + e)).find((p) => existsSync(p));
}

const grey = async (path: string, label: string) => selectChannels(await decodeImage(path, label), [0]);

function triangulationSource(cv: CV, dir: string, scene: string, pair: "a" | "b"): EvalItemSource | null {
  const files = readdirSync(join(dir, scene));
  const id = files.map((f) => /^(\d+)compa\.(jpg|jpeg|png)$/i.exec(f)).find(Boolean)?.[1];
  if (!id) return null;
  const path = (kind: string) => findFile(join(dir, scene), `${id}${kind}`);
  const need = ["compa", "backa", "compb", "backb"].map((k) => [k, path(k)] as const);
  const missing = need.filter(([, p]) => !p).map(([k]) => `${id}${k}`);
  if (missing.length) {
    throw new BgmatteError(
      "INPUT_NOT_FOUND",
      `${join(dir, scene)} lacks ${missing.join(", ")}`,
      "a two-background scene needs compa, backa, compb and backb",
    );
  }
  return {
    name: `${scene}${pair}`,
    async load() {
      const [compA, backA, compB, backB] = await Promise.all(need.map(([k, p]) => decodeImage(p!, k)));
      const alpha = triangulateScene(cv, compA, compB, backA, backB);
      return pair === "a"
        ? { name: `${scene}${pair}`, image: compA, plate: backA, alpha, truth: "triangulated" }
        : { name: `${scene}${pair}`, image: compB, plate: backB, alpha, truth: "triangulated" };
    },
  };
}

function folderSource(dir: string, item: string): EvalItemSource | null {
  const at = join(dir, item);
  const image = findFile(at, "image");
  const plate = findFile(at, "plate");
  if (!image || !plate) return null;
  const alpha = findFile(at, "alpha");
  const trimap = findFile(at, "trimap");
  return {
    name: item,
    async load() {
      return {
        name: item,
        image: await decodeImage(image, "image"),
        plate: await decodeImage(plate, "plate"),
        alpha: alpha ? await grey(alpha, "alpha") : undefined,
        trimap: trimap ? await grey(trimap, "trimap") : undefined,
        truth: alpha ? "given" : "none",
      };
    },
  };
}

export function listDataset(
  cv: CV,
  dir: string,
  opts: { pair: "a" | "b"; only?: string[] },
): EvalItemSource[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BgmatteError(
      "INPUT_NOT_FOUND",
      `the dataset "${dir}" is not a directory`,
      "give a folder in the layout described in the README (Evaluation)",
    );
  }
  const sources: EvalItemSource[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (!statSync(join(dir, entry)).isDirectory()) continue;
    const src = folderSource(dir, entry) ?? triangulationSource(cv, dir, entry, opts.pair);
    if (src && (!opts.only || opts.only.some((o) => src.name.startsWith(o)))) sources.push(src);
  }
  if (sources.length === 0) {
    throw new BgmatteError(
      "INPUT_NOT_FOUND",
      `no evaluation items found in "${dir}"`,
      "each item is a folder with image.* and plate.* (optionally alpha.*, trimap.*), or a two-background scene",
    );
  }
  return sources;
}
