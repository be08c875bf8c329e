/**
 * `queue status` and `queue wait`: a batch's jobs as their workers report them: state, frames done, tries, and why
 * a job failed for good.
 */
import { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { BgmatteError } from "../errors.js";
import {
  batchesKey,
  batchKey,
  bullConnection,
  DEFAULT_QUEUE,
  openRedis,
  redisUrl,
  type QueueConnection,
} from "./connection.js";
import type { BatchManifest } from "./job-data.js";

export type JobState =
  "waiting" | "active" | "completed" | "failed" | "delayed" | "waiting-children" | "unknown";

export interface JobStatus {
  id: string;
  kind: "clip" | "photo";
  input: string;
  state: JobState;
  /** Clips: frames matted across their chunks, and the frames expected. */
  framesDone?: number;
  framesExpected?: number;
  chunks?: { total: number; completed: number; active: number; failed: number };
  attempts: number;
  failedReason?: string;
  /** What the job returned: the outputs written. */
  outputs?: string[];
}

export interface BatchStatus {
  batch: string;
  created: string;
  jobs: JobStatus[];
  completed: number;
  failed: number;
  /** Every job completed or failed for good. */
  finished: boolean;
}

/** The batches this queue has seen, newest first. */
export async function listBatches(connection: QueueConnection = {}): Promise<string[]> {
  const redis = await openRedis(redisUrl(connection));
  try {
    return (await redis.smembers(batchesKey(connection.queue ?? DEFAULT_QUEUE))).sort().reverse();
  } finally {
    redis.disconnect();
  }
}

export async function batchStatus(batch: string, connection: QueueConnection = {}): Promise<BatchStatus> {
  return withQueue(connection, (redis, queue) => readStatus(redis, queue, batch));
}

/** Poll (on one connection) until every job of the batch completed or failed for good; `onStatus` sees each poll. */
export async function waitForBatch(
  batch: string,
  connection: QueueConnection & {
    intervalMs?: number;
    signal?: AbortSignal;
    onStatus?: (s: BatchStatus) => void;
  } = {},
): Promise<BatchStatus> {
  return withQueue(connection, async (redis, queue) => {
    for (;;) {
      const status = await readStatus(redis, queue, batch);
      connection.onStatus?.(status);
      if (status.finished) return status;
      if (connection.signal?.aborted)
        throw new BgmatteError("ABORTED", `waiting for ${batch} was aborted`, "");
      await new Promise((r) => setTimeout(r, connection.intervalMs ?? 1000));
    }
  });
}

/** A plain client and the BullMQ queue for `connection`, open for the duration of `use`. */
async function withQueue<T>(
  connection: QueueConnection,
  use: (redis: Redis, queue: Queue) => Promise<T>,
): Promise<T> {
  const url = redisUrl(connection);
  const redis = await openRedis(url);
  const queue = new Queue(connection.queue ?? DEFAULT_QUEUE, { connection: bullConnection(url) });
  try {
    return await use(redis, queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/**
 * A job and its state, the state read first: a job that finishes between the two reads is then seen finished with its
 * final data (tries, result, reason), never finished with the data of its last try still running.
 */
async function jobAndState(queue: Queue, id: string): Promise<{ job?: Job; state: JobState }> {
  const state = (await queue.getJobState(id)) as JobState;
  const job = state === "unknown" ? undefined : await Job.fromId(queue, id);
  return { job, state: job ? state : "unknown" };
}

async function readStatus(redis: Redis, queue: Queue, batch: string): Promise<BatchStatus> {
  const name = queue.name;
  const text = await redis.get(batchKey(name, batch));
  if (!text)
    throw new BgmatteError(
      "INVALID_OPTION",
      `no batch "${batch}" in the queue "${name}"`,
      "`bgmatte queue status` lists the batches",
    );
  const manifest = JSON.parse(text) as BatchManifest;
  const jobs: JobStatus[] = [];
  for (const entry of manifest.jobs) {
    const { job, state } = await jobAndState(queue, entry.id);
    const status: JobStatus = {
      id: entry.id,
      kind: entry.kind,
      input: entry.input,
      state,
      attempts: job?.attemptsMade ?? 0,
      failedReason: state === "failed" ? job?.failedReason : undefined,
      outputs: (job?.returnvalue as { outputs?: string[] } | undefined)?.outputs,
    };
    if (entry.kind === "clip") {
      const chunks = { total: entry.chunks.length, completed: 0, active: 0, failed: 0 };
      let frames = 0;
      for (const id of entry.chunks) {
        const { job: chunk, state: s } = await jobAndState(queue, id);
        if (s === "completed") chunks.completed++;
        if (s === "active") chunks.active++;
        if (s === "failed") {
          chunks.failed++;
          status.failedReason ??= `chunk ${id}: ${chunk?.failedReason}`;
        }
        const p = chunk?.progress as { done?: number } | undefined;
        frames +=
          s === "completed" ? ((chunk?.returnvalue as { frames?: number })?.frames ?? 0) : (p?.done ?? 0);
      }
      Object.assign(status, { chunks, framesDone: frames, framesExpected: entry.expectedFrames });
    }
    jobs.push(status);
  }
  const completed = jobs.filter((j) => j.state === "completed").length;
  const failed = jobs.filter((j) => j.state === "failed").length;
  return {
    batch,
    created: manifest.created,
    jobs,
    completed,
    failed,
    finished: completed + failed === jobs.length,
  };
}
