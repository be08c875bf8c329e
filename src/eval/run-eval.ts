/** Run the network and the baselines over a dataset and score them (SAD, MSE, Grad, Conn). */
import { sideBySide, stackRows } from "../composite/composite.js";
import type { CV } from "../cv/opencv.js";
import { throwIfAborted } from "../errors.js";
import { resize } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import type { Matter } from "../node/matter.js";
import { backgroundSubtraction, knownBackgroundMatting } from "./baselines.js";
import type { EvalItemSource } from "./dataset.js";
import {
  binaryMaskOf,
  conn,
  gapFill,
  grad,
  mse,
  sad,
  seeThrough,
  solidInterior,
  unknownRegion,
} from "./metrics.js";

export const METHODS = ["model", "bgsub", "known-bg", "oracle"] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  model: "bgmatte network",
  bgsub: "background subtraction (thresholded colour distance)",
  "known-bg": "known-background least squares + guided smoothing",
  oracle: "binary mask of the reference (the bound for any segmenter)",
};

export interface Score {
  item: string;
  method: Method;
  sad: number;
  mse: number;
  grad?: number;
  conn?: number;
  /** Share of the solid interior (true α > 0.99, eroded 10 px) where α̂ < 0.9; whole image. */
  seeThrough?: number;
  /** Share of the true background inside the subject's bounding box where α̂ > 0.1; whole image. */
  gapFill?: number;
  ms: number;
  region: "trimap-unknown" | "whole-image";
  /** The network's prior for this item (user, person or plate-difference). */
  prior?: string;
}

export interface EvalOptions {
  methods: Method[];
  /** Grad and Conn are slow on large images; they can be left out. */
  slowMetrics: boolean;
  /** Downscale items whose longer side exceeds this before scoring (all methods see the same pixels). */
  maxSide: number;
  onItem?: (name: string, scores: Score[]) => void;
  /** Stops before the next item (the promise rejects with an ABORTED error). */
  signal?: AbortSignal;
}

function asRaw(im: FloatImage) {
  return { data: im.data, width: im.width, height: im.height, channels: 3 as const };
}

function errorMap(pred: FloatImage, truth: FloatImage): FloatImage {
  const out = createImage(pred.width, pred.height, 3);
  for (let p = 0; p < pred.data.length; p++) {
    const e = Math.min(1, Math.abs(pred.data[p] - truth.data[p]) * 2);
    out.data.set([e, e * 0.2, e * 0.2], 3 * p); // red = wrong
  }
  return out;
}

export async function evaluate(cv: CV, matter: Matter, sources: EvalItemSource[], opts: EvalOptions) {
  const scores: Score[] = [];
  const sheetRows: FloatImage[] = [];
  for (const source of sources) {
    throwIfAborted(opts.signal, "the evaluation");
    const item = await source.load();
    const long = Math.max(item.image.width, item.image.height);
    const scale = Math.min(1, opts.maxSide / long);
    const w = Math.round(item.image.width * scale);
    const h = Math.round(item.image.height * scale);
    const image = resize(item.image, w, h);
    const plate = resize(item.plate, w, h);
    const truth = item.alpha ? resize(item.alpha, w, h) : undefined;
    const region = item.trimap ? unknownRegion(resize(item.trimap, w, h)) : undefined;
    const interior = truth ? solidInterior(cv, truth) : undefined;
    const itemScores: Score[] = [];
    let modelAlpha: FloatImage | undefined;
    let prior: string | undefined;
    for (const method of opts.methods) {
      const t0 = performance.now();
      let alpha: FloatImage;
      if (method === "model") {
        const result = await matter.matte({ image: asRaw(image), plate: asRaw(plate) });
        alpha = modelAlpha = result.alpha;
        prior = result.meta.prior;
      } else if (method === "bgsub") alpha = backgroundSubtraction(cv, image, plate);
      else if (method === "known-bg") alpha = knownBackgroundMatting(cv, image, plate);
      else if (truth) alpha = binaryMaskOf(truth);
      else continue;
      const ms = performance.now() - t0;
      if (!truth) continue;
      itemScores.push({
        item: item.name,
        method,
        sad: sad(alpha, truth, region),
        mse: mse(alpha, truth, region),
        grad: opts.slowMetrics ? grad(alpha, truth, region) : undefined,
        conn: opts.slowMetrics ? conn(cv, alpha, truth, region) : undefined,
        seeThrough: seeThrough(alpha, interior!),
        gapFill: gapFill(alpha, truth),
        ms,
        region: region ? "trimap-unknown" : "whole-image",
        ...(method === "model" ? { prior } : {}),
      });
    }
    scores.push(...itemScores);
    opts.onItem?.(item.name, itemScores);
    if (truth && modelAlpha)
      sheetRows.push(sideBySide([image, modelAlpha, truth, errorMap(modelAlpha, truth)], 160));
  }
  return { scores, contactSheet: sheetRows.length ? stackRows(sheetRows) : undefined };
}

export interface Summary {
  method: Method;
  items: number;
  sad: number;
  mse: number;
  grad?: number;
  conn?: number;
  seeThrough?: number;
  gapFill?: number;
  ms: number;
}

export function summarise(scores: Score[]): Summary[] {
  const methods = [...new Set(scores.map((s) => s.method))];
  const mean = (xs: (number | undefined)[]) =>
    xs.every((x) => x !== undefined) ? xs.reduce((a, b) => a! + b!, 0)! / xs.length : undefined;
  // Items without a solid interior or without gaps have no value: average over those that have one.
  const meanOfDefined = (xs: (number | undefined)[]) => {
    const defined = xs.filter((x) => x !== undefined);
    return defined.length ? mean(defined) : undefined;
  };
  return methods.map((method) => {
    const s = scores.filter((x) => x.method === method);
    return {
      method,
      items: s.length,
      sad: mean(s.map((x) => x.sad))!,
      mse: mean(s.map((x) => x.mse))!,
      grad: mean(s.map((x) => x.grad)),
      conn: mean(s.map((x) => x.conn)),
      seeThrough: meanOfDefined(s.map((x) => x.seeThrough)),
      gapFill: meanOfDefined(s.map((x) => x.gapFill)),
      ms: mean(s.map((x) => x.ms))!,
    };
  });
}

export function markdownTable(title: string, summary: Summary[]): string {
  const f = (v: number | undefined, d = 2) => (v === undefined ? "–" : v.toFixed(d));
  const pct = (v: number | undefined) => (v === undefined ? "–" : (v * 100).toFixed(2));
  const lines = [
    `**${title}** (mean per image; MSE ×10⁻³; see-through and gap fill in %)`,
    "",
    "| method | items | SAD | MSE | Grad | Conn | see-through | gap fill | time (ms) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...summary.map(
      (s) =>
        `| ${METHOD_LABELS[s.method]} | ${s.items} | ${f(s.sad)} | ${f(s.mse * 1000)} | ${f(s.grad)} | ${f(s.conn)} | ${pct(s.seeThrough)} | ${pct(s.gapFill)} | ${f(s.ms, 0)} |`,
    ),
  ];
  return lines.join("\n");
}
