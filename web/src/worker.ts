/// <reference lib="webworker" />
import "./opencv-shim.js";
/** Inference worker: the library's browser entry (`bgmatte/web`), the same pipeline as Node, on onnxruntime-web. */
import {
  compositeOnRgbaBytes,
  conformPlate,
  createMatter,
  foregroundRgba,
  rgbFromRgbaBytes,
  toRgbaBytes,
  type FloatImage,
  type MatteResult,
  type WebMatter,
} from "../../src/web/index.js";
import type { FromWorker, Rgba, ToWorker } from "./protocol.js";

/** Set by "init"; a photo dropped while the models still load waits for them. */
let matter: Promise<WebMatter> | undefined;
let livePlate: FloatImage | undefined;
let last: MatteResult | undefined;
/** The background the page sent last (it sends a colour or an image once). */
let background: Uint8ClampedArray | undefined;
const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

const rgb = ({ rgba, width, height }: Rgba) => rgbFromRgbaBytes(rgba, width, height);

async function matte(m: Extract<ToWorker, { type: "matte" }>) {
  const t0 = performance.now();
  background = m.background ?? background;
  const image = rgb(m.frame);
  const given = m.plate ? rgb(m.plate) : livePlate;
  if (!given) throw new Error("capture the plate first");
  // A dropped photo's plate of another aspect is kept for the alignment to bring onto it.
  const warnings: string[] = [];
  const plate = conformPlate(given, image, warnings, m.align);
  if (!matter) throw new Error("the worker was not initialised");
  const result = await (
    await matter
  ).matteImages(
    { image, plate },
    { mode: m.mode, workingSize: m.workingSize, align: m.align ? "auto" : "off" },
  );
  last = result;
  if (!background || background.length !== 4 * image.width * image.height)
    throw new Error("the page sent no background for this frame size");
  const rgba = compositeOnRgbaBytes(result, background);
  post(
    {
      type: "result",
      id: m.id,
      rgba,
      width: image.width,
      height: image.height,
      networkMs: result.meta.timings.network,
      totalMs: performance.now() - t0,
      timings: result.meta.timings,
      workingSize: Math.max(result.meta.workingSize.width, result.meta.workingSize.height),
      warnings: [...warnings, ...result.meta.warnings],
    },
    [rgba.buffer],
  );
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      // A person in front of a webcam is what the selfie segmenter was made for (the library default is "any"): it
      // makes S, and the people guard (on by default) keeps a found face solid; where the face detector sees the
      // face, it also fills that person's wide and closed holes whatever their colour.
      // The camera does not move, and frames come fast: no plate alignment.
      const { threads, modelUrl, wasmModelUrl, contractUrl, segmenterUrl, faceDetectorUrl, wasmPaths } = m;
      matter = createMatter(
        {
          ...{ threads, modelUrl, wasmModelUrl, contractUrl, segmenterUrl, faceDetectorUrl, wasmPaths },
          preferWebGPU: m.preferWebGPU,
          ...{ subject: "auto", align: "off", mode: "fast" },
        },
        { onProgress: ({ part, status }) => post({ type: "loading", part, status }) },
      );
      const { backend, personPrior, faceDetector } = await matter;
      post({ type: "ready", backend, personPrior, faceDetector });
    } else if (m.type === "plate") {
      livePlate = rgb(m);
    } else if (m.type === "matte") {
      await matte(m);
    } else if (m.type === "snapshot" && last) {
      const rgba = toRgbaBytes(foregroundRgba(last));
      post({ type: "snapshot", rgba, width: last.alpha.width, height: last.alpha.height }, [rgba.buffer]);
    }
  } catch (err) {
    post({ type: "error", message: (err as Error).message });
  }
};
