/**
 * The inference workers. Live frames alternate between them: most of a frame's pipeline (prior, upsampling,
 * clean-up, compositing) is single-threaded JavaScript, so one worker leaves the other core idle for most of a frame.
 * Each worker's onnxruntime gets its share of the cores.
 */
import type { FromWorker, ToWorker } from "./protocol.js";

export class WorkerPool {
  private readonly workers: Worker[];
  private readonly busy: boolean[];

  constructor(count: number, onMessage: (worker: number, message: FromWorker) => void) {
    this.workers = Array.from({ length: count }, () => new Worker("worker.js", { type: "module" }));
    this.busy = this.workers.map(() => false);
    this.workers.forEach((worker, i) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        if (e.data.type === "result" || e.data.type === "error") this.busy[i] = false;
        onMessage(i, e.data);
      };
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** The same message to every worker (initialisation, the plate); buffers are copied. */
  broadcast(message: ToWorker): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  /** A worker with no frame in hand, or -1. */
  free(): number {
    return this.busy.indexOf(false);
  }

  /** A frame to worker `i`, which counts as busy until its result (or error) comes back. */
  matte(i: number, message: Extract<ToWorker, { type: "matte" }>, transfer: Transferable[]): void {
    this.busy[i] = true;
    this.workers[i].postMessage(message, transfer);
  }

  post(i: number, message: ToWorker): void {
    this.workers[i].postMessage(message);
  }
}
