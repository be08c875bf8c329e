/** Messages between the page and the inference worker. Pixel buffers are transferred, not copied. */

/** An RGBA picture as the canvas API gives it. */
export interface Rgba {
  rgba: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

export type ToWorker =
  | {
      type: "init";
      /** onnxruntime's threads in this worker. */
      threads: number;
      modelUrl: string;
      /** The same network for the WASM backend (the manifest entry's `wasmFile`). */
      wasmModelUrl?: string;
      contractUrl: string;
      segmenterUrl: string;
      faceDetectorUrl: string;
      wasmPaths: string;
      preferWebGPU: boolean;
    }
  | ({ type: "plate" } & Rgba)
  /** A camera frame (live, `fast` mode) or a dropped photo with its own plate (`balanced`), and the background
   * to composite on (a colour, an image or the blurred room, drawn by the page at the frame's size); without one,
   * the worker's last (a colour or an image is sent only when it changes). */
  | {
      type: "matte";
      id: number;
      frame: Rgba;
      background?: Uint8ClampedArray<ArrayBuffer>;
      plate?: Rgba;
      mode: "fast" | "balanced";
      workingSize?: number;
      /** Align the plate to the frame (a dropped photo's plate was shot by hand; the live camera stands still). */
      align: boolean;
    }
  | { type: "snapshot" };

export type FromWorker =
  /** A part of the matter (OpenCV, the model, the person segmenter) started or finished loading. */
  | { type: "loading"; part: string; status: "loading" | "ready" }
  | { type: "ready"; backend: string; personPrior: boolean; faceDetector: boolean }
  /** `workingSize`: the longer side the network saw; `warnings`: what the pipeline said (e.g. plate not aligned). */
  | ({
      type: "result";
      id: number;
      networkMs: number;
      totalMs: number;
      /** Milliseconds per pipeline stage (MatteMetadata.timings). */
      timings: Record<string, number>;
      workingSize: number;
      warnings: string[];
    } & Rgba)
  /** The last result's foreground with α, as a PNG with transparency would hold it. */
  | ({ type: "snapshot" } & Rgba)
  | { type: "error"; message: string };
