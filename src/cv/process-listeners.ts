/**
 * The process's error listeners before OpenCV.js loads. Its Emscripten runtime adds an `uncaughtException` listener
 * that rethrows, which makes Node print the whole 7.6 MB bundle with any uncaught error of the process, and an
 * `unhandledRejection` one; opencv.ts removes what was added after this snapshot. Imported by opencv.ts before the
 * OpenCV module, so it is evaluated first. In a browser there is no `process`: nothing to do.
 */
type Listener = (...args: unknown[]) => void;
interface Emitter {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): unknown;
}
const EVENTS = ["uncaughtException", "unhandledRejection"] as const;

const proc = (globalThis as { process?: Emitter }).process;
const before = new Map(EVENTS.map((e) => [e, new Set<Listener>(proc?.listeners?.(e))]));

/** Remove the error listeners added since this module was evaluated. */
export function removeListenersAddedSince(): void {
  if (!proc?.listeners) return;
  for (const event of EVENTS)
    for (const listener of proc.listeners(event))
      if (!before.get(event)!.has(listener)) proc.removeListener(event, listener);
}
