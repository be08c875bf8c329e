/// <reference lib="webworker" />
import "./opencv-shim.js";
/** Inference worker: the same pipeline as the Node library (src/pipeline.ts), on onnxruntime-web. */
import { loadOpenCV, type CV } from "../../src/cv/opencv.js";
import { fitSize, resize } from "../../src/image/geometry.js";
import { fromUint8, selectChannels, type FloatImage } from "../../src/image/types.js";
import type { Contract } from "../../src/network/contract.js";
import type { MattingNetwork, SegmenterNetwork } from "../../src/network/network.js";
import { createWebNetwork, createWebSegmenter } from "../../src/network/session-web.js";
import type { ModeName } from "../../src/vocabulary.js";
import { PlateCache, runPipeline } from "../../src/pipeline.js";
import type { FromWorker, ToWorker } from "./protocol.js";

let cv: CV;
let network: MattingNetwork;
let segmenter: SegmenterNetwork | undefined;
let plate: FloatImage | undefined;
const plateCache = new PlateCache();
const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

function rgbaToRgb(rgba: Uint8ClampedArray, width: number, height: number): FloatImage {
  return selectChannels(fromUint8(rgba, width, height, 4), [0, 1, 2]);
}

async function bitmapToRgb(bitmap: ImageBitmap, maxSide: number): Promise<FloatImage> {
  const size = fitSize(
    bitmap.width,
    bitmap.height,
    Math.min(maxSide, Math.max(bitmap.width, bitmap.height)),
    1,
  );
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(bitmap, 0, 0, size.width, size.height);
  return rgbaToRgb(ctx.getImageData(0, 0, size.width, size.height).data, size.width, size.height);
}

async function matte(
  id: number,
  image: FloatImage,
  platePx: FloatImage,
  workingSize: number,
  mode: ModeName,
) {
  const t0 = performance.now();
  const p =
    platePx.width === image.width && platePx.height === image.height
      ? platePx
      : resize(platePx, image.width, image.height);
  const result = await runPipeline(
    { cv, network, segmenter, plateCache },
    { image, plate: p },
    {
      mode,
      workingSize,
      margin: 0.1,
      refine: "auto",
      // A person in front of a webcam is what the selfie segmenter was made for (the library default is "any").
      subject: segmenter ? "auto" : "any",
      cleanup: true,
      align: "off",
      exposure: true,
    },
  );
  const alpha = result.alpha.data;
  const fg = result.foreground.data;
  post(
    {
      type: "result",
      id,
      alpha,
      fg,
      width: image.width,
      height: image.height,
      networkMs: result.meta.timings.network,
      totalMs: performance.now() - t0,
    },
    [alpha.buffer, fg.buffer],
  );
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      const contract = (await (await fetch(m.contractUrl)).json()) as Contract;
      cv = await loadOpenCV();
      const net = await createWebNetwork(m.modelUrl, contract, {
        wasmPaths: m.wasmPaths,
        threads: m.threads,
        preferWebGPU: m.preferWebGPU,
        refinerUrl: m.modelUrl.replace(/\.onnx$/, "-refiner.onnx"),
      });
      network = net;
      // The person prior is optional in the browser: without it, the plate difference still works.
      segmenter = await createWebSegmenter(m.segmenterUrl).catch(() => undefined);
      post({ type: "ready", backend: net.backend });
    } else if (m.type === "plate") {
      plate = rgbaToRgb(m.rgba, m.width, m.height);
    } else if (m.type === "frame") {
      if (!plate) throw new Error("capture the plate first");
      await matte(m.id, rgbaToRgb(m.rgba, m.width, m.height), plate, m.workingSize, "fast");
    } else if (m.type === "still") {
      const image = await bitmapToRgb(m.image, 1280);
      await matte(m.id, image, await bitmapToRgb(m.plate, 1280), m.workingSize, "balanced");
    }
  } catch (err) {
    post({ type: "error", message: (err as Error).message });
  }
};
