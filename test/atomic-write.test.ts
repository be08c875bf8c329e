import assert from "node:assert/strict";
import { existsSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { removeStaleTemporaries, temporaryPathFor } from "../src/io/atomic-write.js";
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

test("on a shared folder, another machine's temporaries are left alone until a day old; this machine's name its host", () => {
  const dir = tempDir();
  const out = join(dir, "chunk-00001.mkv");
  const mine = temporaryPathFor(out) + ".mkv";
  assert.match(mine, /\.chunk-00001\.mkv\.\d+-[0-9a-f]{8}\.[0-9a-f]{8}\.tmp\.mkv$/);
  const deadHere = mine.replace(/\.(\d+)-/, ".999999999-");
  const otherHost = join(dir, ".chunk-00001.mkv.999999999-00000000.0123abcd.tmp.mkv"); // pid unknowable here
  const abandoned = join(dir, ".chunk-00001.mkv.999999999-00000000.4567abcd.tmp.mkv");
  for (const f of [mine, deadHere, otherHost, abandoned]) writeFileSync(f, "x");
  const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
  utimesSync(abandoned, twoDaysAgo, twoDaysAgo);
  removeStaleTemporaries(out);
  assert.ok(existsSync(mine), "a running process's temporary is kept");
  assert.equal(existsSync(deadHere), false, "this machine's dead process's temporary is removed");
  assert.ok(existsSync(otherHost), "another machine's fresh temporary is kept");
  assert.equal(existsSync(abandoned), false, "another machine's day-old temporary is removed");
});
