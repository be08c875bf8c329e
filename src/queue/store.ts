/**
 * Where the queue's workers leave their chunks for the step that joins them. Every machine must reach it under the
 * same path: a shared folder (NFS, SMB, a mounted bucket). The interface is the seam for object storage: a writer
 * gets a local path and publishes it with `commit`; a reader gets a local copy.
 */
import { mkdir, readFile, rm, rmdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";

export interface ChunkStore {
  /** Where it is, for messages. */
  readonly location: string;
  /** Where `key` is written locally; the writer must write it atomically, then call `commit`. */
  writePath(key: string): Promise<string>;
  commit(key: string): Promise<void>;
  /** A local path holding `key`, to read. */
  readPath(key: string): Promise<string>;
  /** A small JSON record (a chunk's frame count), written atomically. */
  putRecord(key: string, value: unknown): Promise<void>;
  /** The record, or undefined when none was written (the chunk is not done). */
  getRecord<T>(key: string): Promise<T | undefined>;
  /** Remove everything under `prefix` (a joined clip's chunks). */
  removeAll(prefix: string): Promise<void>;
}

export class FolderStore implements ChunkStore {
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  async writePath(key: string): Promise<string> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    return path;
  }

  async commit(): Promise<void> {
    // The writer's rename into place is the publication.
  }

  async readPath(key: string): Promise<string> {
    return join(this.root, key);
  }

  async putRecord(key: string, value: unknown): Promise<void> {
    await writeFileAtomic(await this.writePath(key), JSON.stringify(value));
  }

  async getRecord<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(join(this.root, key), "utf8")) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async removeAll(prefix: string): Promise<void> {
    await rm(join(this.root, prefix), { recursive: true, force: true });
    // Then the folders it leaves empty, up to the store itself (other batches' chunks keep theirs).
    for (let dir = dirname(join(this.root, prefix)); dir.startsWith(this.root); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, or gone
      }
      if (dir === this.root) return;
    }
  }
}
