/**
 * `bgmatte/queue`: batch matting across machines on BullMQ (Redis). Submit clips and photos, run workers anywhere
 * that sees the same shared folder, and follow a batch to its end. The command line's `queue` and `worker` are
 * these functions.
 */
export { submitBatch, type SubmitOptions, type SubmitResult } from "./submit.js";
export { startWorker, type QueueWorker, type WorkerOptions } from "./worker.js";
export { batchStatus, listBatches, waitForBatch, type BatchStatus, type JobStatus } from "./status.js";
export { DEFAULT_CHUNK_FRAMES, planChunks, warmupFrames } from "./chunk-plan.js";
export { FolderStore, type ChunkStore } from "./store.js";
export { DEFAULT_QUEUE, DEFAULT_REDIS, type QueueConnection } from "./connection.js";
