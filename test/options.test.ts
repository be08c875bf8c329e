import assert from "node:assert/strict";
import { test } from "node:test";
import { BgmatteError } from "../src/errors.js";
import { matterOptionsSchema, parseOptions } from "../src/options.js";

test("defaults come from the schema", () => {
  const o = parseOptions(matterOptionsSchema, {});
  assert.equal(o.device, "cpu");
  assert.equal(o.mode, "balanced");
  assert.equal(o.workingSize, undefined); // chosen by the mode
  assert.equal(o.refine, "auto");
  assert.ok(o.threads >= 1);
});

test("invalid options read 'Expected … for option … but received …'", () => {
  assert.throws(
    () => parseOptions(matterOptionsSchema, { device: "tpu", workingSize: 10 }),
    (e: unknown) => {
      assert.ok(e instanceof BgmatteError);
      assert.equal(e.code, "INVALID_OPTION");
      assert.match(e.message, /for option device but received "tpu"/);
      assert.match(e.message, /for option workingSize but received 10/);
      return true;
    },
  );
  assert.throws(() => parseOptions(matterOptionsSchema, { colour: "red" }), /unknown option\(s\): colour/);
});
