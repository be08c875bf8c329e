/* eslint-disable no-control-regex -- the terminal escapes are what these tests check */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress } from "../src/cli/progress.js";

function capture(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  return { writes, stream };
}

test("not on a terminal: sparse plain lines (one per tenth and the last), no bar, one unit", () => {
  const { writes, stream } = capture(false);
  const p = createProgress(40, true, { unit: "photos", stream });
  for (let i = 0; i < 40; i++) p.tick(`item ${i}`);
  p.done();
  assert.equal(writes.length, 10);
  assert.ok(
    writes.every((w) => w.endsWith("\n") && !/[█░\r\x1b]/.test(w)),
    writes.join(""),
  );
  assert.match(writes[0], /^4\/40 item 3 .* photos\/s, ~\d+s left\n$/);
  assert.match(writes[9], /^40\/40 item 39 .* photos\/s\n$/);
});

test("on a terminal: drawn at 0/N at once, redrawn in place, and messages go on their own line", () => {
  const { writes, stream } = capture(true);
  const p = createProgress(3, true, { unit: "photos", stream });
  assert.equal(writes.length, 1);
  assert.match(writes[0], /^\r\x1b\[2K░{24} 0\/3 {2}/);
  p.tick("a.jpg");
  p.log("warning: a.jpg: something");
  // The bar line is cleared before the message, and drawn again after it.
  assert.equal(writes[2], "\r\x1b[2Kwarning: a.jpg: something\n");
  assert.match(writes[3], /^\r\x1b\[2K█{8}░{16} 1\/3 a\.jpg/);
  p.tick("b.jpg");
  p.tick("c.jpg");
  p.done();
  assert.match(writes.at(-2)!, /█{24} 3\/3 c\.jpg .* photos\/s$/);
  assert.equal(writes.at(-1), "\n");
});

test("a clip's speed is given against real time; the rate is what the summary quotes", async () => {
  const { writes, stream } = capture(false);
  const p = createProgress(2, true, { unit: "frames", fps: 25, stream });
  await new Promise((r) => setTimeout(r, 50));
  p.tick("");
  p.tick("");
  const rate = p.rate();
  assert.ok(rate > 0 && rate < 100, `${rate}`);
  assert.match(writes.at(-1)!, /^2\/2 {2}[\d.]+s elapsed, [\d.]+ frames\/s \(speed [\d.]+x\)\n$/);
});

test("more steps than announced (a clip of variable frame rate) grow the total instead of crashing", () => {
  const { writes, stream } = capture(false);
  const p = createProgress(2, true, { stream });
  for (let i = 0; i < 5; i++) p.tick(`frame ${i + 1}`);
  assert.match(writes.at(-1)!, /^5\/5 frame 5/);
});

test("quiet: nothing is written, but the rate is still counted", () => {
  const { writes, stream } = capture(true);
  const p = createProgress(2, false, { stream });
  p.tick("a");
  p.done();
  assert.deepEqual(writes, []);
  assert.ok(p.rate() > 0);
});
