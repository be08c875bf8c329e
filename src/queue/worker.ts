/**
 * `bgmatte worker`: takes jobs from the queue until stopped, on as many machines as there are. A job whose worker
 * dies (killed, machine lost) keeps its lock only `lockSeconds`; then BullMQ's stalled-job check hands it to
 * another worker. A job that throws is retried with backoff; bad input (a missing file, a plate that does not fit)
 * fails at once, for good, with its reason.
 */
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { BgmatteError, type ErrorCode } from "../errors.js";
import { createMatter, type Matter } from "../node/matter.js";
import type { MatterOptions } from "../options.js";
import { runChunk } from "./chunk-job.js";
import { bullConnection, DEFAULT_QUEUE, openRedis, redisUrl, type QueueConnection } from "./connection.js";
import type { JobData } from "./job-data.js";
import { runJoin } from "./join-job.js";
import { runPhoto } from "./photo-job.js";
import { FolderStore } from "./store.js";

export interface WorkerOptions extends QueueConnection {
  /** Jobs at once in this process (default 1: one job already uses the inference threads). */
  concurrency?: number;
  /** How long a job stays locked to a worker that stopped answering (default 30 s). */
  lockSeconds?: number;
  /** Inference threads, overriding what the batch asked for (to fit this machine). */
  threads?: number;
  /** A line per job started, finished or failed. */
  onEvent?: (line: string) => void;
}

export interface QueueWorker {
  /** Stop taking jobs; `force` drops the running ones (they are picked up again elsewhere). */
  close(force?: boolean): Promise<void>;
}

/** Errors no retry can fix. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  "INVALID_OPTION",
  "INPUT_NOT_FOUND",
  "INPUT_UNREADABLE",
  "INPUT_TOO_LARGE",
  "INPUT_EMPTY",
  "SIZE_MISMATCH",
  "OUTPUT_IS_INPUT",
  "MODEL_NOT_FOUND",
  "MODEL_INVALID",
  "MODEL_CONTRACT",
]);

export async function startWorker(options: WorkerOptions = {}): Promise<QueueWorker> {
  const url = redisUrl(options);
  (await openRedis(url)).disconnect(); // fail now, clearly, rather than retry silently
  const log = options.onEvent ?? (() => {});
  const matters = new Map<string, Promise<Matter>>();
  const matterFor = (wanted: MatterOptions) => {
    const opts = options.threads ? { ...wanted, threads: options.threads } : wanted;
    const key = JSON.stringify(opts);
    if (!matters.has(key)) matters.set(key, createMatter(opts));
    return matters.get(key)!;
  };

  const handle = async (job: Job<JobData>) => {
    const data = job.data;
    let last = 0;
    const progress = (p: { done: number; total?: number }) => {
      // A Redis round trip per frame would be wasteful: twice a second is enough to watch.
      if (Date.now() - last < 500 && p.done !== p.total) return;
      last = Date.now();
      void job.updateProgress(p).catch(() => {});
    };
    try {
      switch (data.kind) {
        case "chunk":
          return await runChunk(
            data,
            await matterFor(data.matting.matter),
            new FolderStore(data.store),
            progress,
          );
        case "join":
          return await runJoin(data, new FolderStore(data.store), progress);
        case "photo":
          return await runPhoto(data, await matterFor(data.matter));
      }
    } catch (e) {
      if (e instanceof BgmatteError && PERMANENT.has(e.code)) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  const lock = (options.lockSeconds ?? 30) * 1000;
  const worker = new Worker<JobData>(options.queue ?? DEFAULT_QUEUE, handle, {
    connection: bullConnection(url),
    concurrency: options.concurrency ?? 1,
    lockDuration: lock,
    stalledInterval: lock,
    maxStalledCount: 2,
  });
  worker.on("active", (job) =>
    log(`started ${job.id} (${job.name}${job.attemptsMade ? `, try ${job.attemptsMade + 1}` : ""})`),
  );
  worker.on("completed", (job) => log(`done ${job.id}`));
  worker.on("failed", (job, err) => {
    const tries = job ? ` (${job.name}, try ${job.attemptsMade} of ${job.opts.attempts ?? 1})` : "";
    log(`failed ${job?.id ?? "a job"}${tries}: ${err.message.split("\n")[0]}`);
  });
  worker.on("error", (err) => log(`queue error: ${err.message}`));
  await worker.waitUntilReady();
  return {
    async close(force = false) {
      await worker.close(force);
      for (const m of matters.values()) await (await m).dispose();
    },
  };
}
