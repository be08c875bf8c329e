import assert from "node:assert/strict";
import { test } from "node:test";
import { AdaptiveWorkingSize, LIVE_POLICY } from "../web/src/working-size.js";

test("the live working size shrinks when slow, never below its floor, and grows when fluid", () => {
  const size = new AdaptiveWorkingSize();
  assert.equal(size.size, LIVE_POLICY.start);
  assert.equal(size.update(24, 0), false); // fluid enough: stays
  assert.equal(size.update(15, 1000), true);
  assert.equal(size.size, LIVE_POLICY.start - LIVE_POLICY.step);
  for (let t = 2000; t < 10_000; t += 1000) size.update(5, t);
  assert.equal(size.size, LIVE_POLICY.min);
  // Fast again long after: it grows one step per measurement, up to its ceiling.
  for (let t = 60_000; t < 200_000; t += 1000) size.update(40, t);
  assert.equal(size.size, LIVE_POLICY.max);
});

test("a size found too slow is not tried again for a while: no swinging between two sizes", () => {
  const size = new AdaptiveWorkingSize();
  size.update(18, 0); // 160 too slow → 144
  assert.equal(size.size, 144);
  // A burst of frames at 144 does not send it back to 160 within the retry time…
  assert.equal(size.update(30, 5000), false);
  assert.equal(size.size, 144);
  // …but does once that has passed.
  assert.equal(size.update(30, 5000 + LIVE_POLICY.retryMs), true);
  assert.equal(size.size, 160);
});
