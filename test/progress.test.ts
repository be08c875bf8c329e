import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress } from "../src/cli/progress.js";

function capture() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { lines, stream };
}

test("progress counts up to its total and says how long is left", () => {
  const { lines, stream } = capture();
  const p = createProgress(4, true, stream);
  for (let i = 0; i < 4; i++) p.tick(`item ${i}`);
  p.done();
  assert.equal(lines.length, 4);
  assert.match(lines[0], /1\/4 item 0 .*left/);
  assert.match(lines[3], /████████████████████████ 4\/4 item 3/);
  assert.doesNotMatch(lines[3], /left/);
});

test("more steps than announced (a clip of variable frame rate) grow the total instead of crashing", () => {
  const { lines, stream } = capture();
  const p = createProgress(2, true, stream);
  for (let i = 0; i < 5; i++) p.tick(`frame ${i + 1}`);
  assert.match(lines[4], /5\/5 frame 5/);
});
