/** Messages between the page and the inference worker. Pixel buffers are transferred, not copied. */
export type ToWorker =
  | {
      type: "init";
      modelUrl: string;
      contractUrl: string;
      segmenterUrl: string;
      wasmPaths: string;
      threads: number;
      preferWebGPU: boolean;
    }
  | { type: "plate"; rgba: Uint8ClampedArray; width: number; height: number }
  | { type: "frame"; id: number; rgba: Uint8ClampedArray; width: number; height: number; workingSize: number }
  | { type: "still"; id: number; image: ImageBitmap; plate: ImageBitmap; workingSize: number };

export type FromWorker =
  | { type: "ready"; backend: string }
  | {
      type: "result";
      id: number;
      alpha: Float32Array;
      fg: Float32Array;
      width: number;
      height: number;
      networkMs: number;
      totalMs: number;
    }
  | { type: "error"; message: string };
