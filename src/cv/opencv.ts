/**
 * OpenCV (WASM build, Node and browser) for morphology, connected components and geometry.
 * The module object has a self-resolving `then`, so it must never be awaited directly: we poll for `cv.Mat`,
 * then drop that `then` so the ready module can travel through promises.
 */
import { removeListenersAddedSince } from "./process-listeners.js";
// After the snapshot above: ES modules are evaluated in the order they are imported.
import cvModule from "@techstark/opencv-js";

// The package's own types are incomplete; we type the handful of calls we make where they are used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CV = any;

let ready: Promise<CV> | undefined;

export function loadOpenCV(timeoutMs = 60_000): Promise<CV> {
  ready ??= new Promise<CV>((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const cv = cvModule as any;
      if (cv && typeof cv.Mat === "function") {
        // Its `then` resolves to the module itself, so resolving a promise with it would recurse forever.
        delete cv.then;
        removeListenersAddedSince();
        resolve(cv);
      } else if (Date.now() - started > timeoutMs)
        reject(new Error("OpenCV (WASM) did not initialise in time"));
      else setTimeout(poll, 5);
    };
    poll();
  });
  return ready;
}

/** Run `fn` and free every Mat it registers, even if it throws. */
export function withMats<T>(fn: (track: <M extends { delete(): void }>(m: M) => M) => T): T {
  const mats: { delete(): void }[] = [];
  try {
    return fn((m) => {
      mats.push(m);
      return m;
    });
  } finally {
    for (const m of mats) m.delete();
  }
}
