/**
 * Progress and cancellation while a matter loads its parts (OpenCV, the model, the person segmenter, the face
 * detector, the second-opinion network): each part reports "loading" then "ready", as transformers.js's progress
 * callback does, and an AbortSignal stops the loading once the part under way has finished (a part already fetching
 * cannot be interrupted).
 */
import { throwIfAborted } from "./errors.js";

export interface LoadingProgress {
  part: "opencv" | "contract" | "model" | "segmenter" | "faces" | "second-opinion";
  status: "loading" | "ready";
}

export interface LoadingOptions {
  onProgress?: (progress: LoadingProgress) => void;
  signal?: AbortSignal;
}

/** Wrap each part's loading so that it reports its progress and honours the signal. */
export function loadingSteps({ onProgress, signal }: LoadingOptions = {}) {
  return async <T>(part: LoadingProgress["part"], load: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal, "loading the matter");
    onProgress?.({ part, status: "loading" });
    const value = await load();
    throwIfAborted(signal, "loading the matter");
    onProgress?.({ part, status: "ready" });
    return value;
  };
}
