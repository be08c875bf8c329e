import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { removeStaleTemporaries } from "../src/io/atomic-write.js";
import { tempDir } from "./fixtures.js";

test("stale temporaries of a killed run are removed; a running process's and other files are kept", () => {
  const dir = tempDir();
  const out = join(dir, "clip.composite.mp4");
  const dead = join(dir, ".clip.composite.mp4.999999999.0123abcd.tmp.mp4"); // no such pid
  const live = join(dir, `.clip.composite.mp4.${process.pid}.89abcdef.tmp.mp4`);
  const other = join(dir, ".clip.alpha.mp4.999999999.0123abcd.tmp.mp4"); // another output's
  const user = join(dir, ".clip.composite.mp4.notes"); // not ours
  for (const f of [dead, live, other, user]) writeFileSync(f, "x");
  removeStaleTemporaries(out);
  assert.equal(existsSync(dead), false);
  assert.ok(existsSync(live) && existsSync(other) && existsSync(user));
  removeStaleTemporaries(join(dir, "missing-folder", "x.mp4")); // nothing to do, no error
});
