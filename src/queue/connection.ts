/**
 * The Redis behind the queue: BullMQ's connection options from a URL, and a check that it answers, since BullMQ
 * would otherwise retry an unreachable server forever without a word.
 */
import { Redis } from "ioredis";
import { BgmatteError } from "../errors.js";

export const DEFAULT_REDIS = "redis://127.0.0.1:6379";
export const DEFAULT_QUEUE = "bgmatte";

export interface QueueConnection {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS). */
  redis?: string;
  /** The queue's name: several batches share one; separate names keep projects apart. */
  queue?: string;
}

export function redisUrl(connection: QueueConnection): string {
  return connection.redis ?? process.env.BGMATTE_REDIS ?? DEFAULT_REDIS;
}

/** BullMQ's options for the URL (workers need maxRetriesPerRequest null for their blocking reads). */
export function bullConnection(url: string) {
  return { url, maxRetriesPerRequest: null };
}

/** A plain client for the batch records, after checking the server answers within a few seconds. */
export async function openRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 4000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => {}); // reported by the failed ping below
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new BgmatteError(
      "QUEUE_UNREACHABLE",
      `cannot reach Redis at ${url}: ${(e as Error).message}`,
      "start a Redis server (e.g. `redis-server`), or give its address with --redis redis://host:6379",
    );
  }
  return redis;
}

/** Where a batch's record lives (beside BullMQ's own keys, under the queue's name). */
export function batchKey(queue: string, batch: string): string {
  return `bgmatte:${queue}:batch:${batch}`;
}

export function batchesKey(queue: string): string {
  return `bgmatte:${queue}:batches`;
}
