/**
 * Outputs appear under their final name only when complete: write a temporary file beside it, then rename
 * (atomic on one filesystem). Temporaries still pending when the process is interrupted are removed by
 * `removePendingTemporaries`, which the CLI calls on SIGINT/SIGTERM.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const pending = new Set<string>();

/** This machine in temporaries' names: on a shared folder, a pid only says something to the machine that made it. */
const HOST = createHash("sha1").update(hostname()).digest("hex").slice(0, 8);

/** Another machine's temporary is only judged abandoned after this long (its process cannot be seen from here). */
const FOREIGN_STALE_MS = 24 * 3600 * 1000;

export function temporaryPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}-${HOST}.${randomBytes(4).toString("hex")}.tmp`,
  );
}

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = temporaryPathFor(path);
  pending.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}

/** Register a temporary written by someone else (e.g. ffmpeg) so an interrupt removes it too. */
export function trackTemporary(path: string): () => void {
  pending.add(path);
  return () => pending.delete(path);
}

/**
 * Remove the temporaries of `path` that a killed process left behind (its pid no longer runs): SIGKILL gives no
 * chance to clean up, and an encoder that outlived its parent may even have finished one into a playable file.
 * Another machine's (a queue worker's on a shared folder) are removed only when a day old.
 */
export function removeStaleTemporaries(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return; // no folder yet: nothing stale
  }
  for (const name of names) {
    const m = name.startsWith(prefix)
      ? /^(\d+)(?:-([0-9a-f]{8}))?\.[0-9a-f]{8}\.tmp/.exec(name.slice(prefix.length))
      : null;
    if (!m) continue;
    const file = join(dirname(path), name);
    const ours = m[2] === undefined || m[2] === HOST;
    if (ours ? !isRunning(Number(m[1])) : isOlderThan(file, FOREIGN_STALE_MS)) rmSync(file, { force: true });
  }
}

function isOlderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false; // already gone
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

const kept = new Set<string>();

/** A complete output of a job that may still be interrupted (a clip's estimated plate, its PNG frames). */
export function noteKeptOnInterrupt(path: string): void {
  kept.add(path);
}

/** What an interrupt leaves of the unfinished job: complete files, listed so that the message can say so. */
export function keptOnInterrupt(): string[] {
  return [...kept];
}

export function removePendingTemporaries(): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
}
