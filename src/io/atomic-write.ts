/**
 * Outputs appear under their final name only when complete: write a temporary file beside it, then rename
 * (atomic on one filesystem). Temporaries still pending when the process is interrupted are removed by
 * `removePendingTemporaries`, which the CLI calls on SIGINT/SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const pending = new Set<string>();

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
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
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]{8}\.tmp/.exec(name.slice(prefix.length)) : null;
    if (m && !isRunning(Number(m[1]))) rmSync(join(dirname(path), name), { force: true });
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
