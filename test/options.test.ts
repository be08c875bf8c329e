import assert from "node:assert/strict";
import { test } from "node:test";
import { BgmatteError } from "../src/errors.js";
import { matterOptionsSchema, parseOptions, webMatterOptionsSchema } from "../src/options.js";

const schema = matterOptionsSchema(8);

test("defaults come from the schema", () => {
  const o = parseOptions(schema, {});
  assert.equal(o.device, "cpu");
  assert.equal(o.mode, "balanced");
  assert.equal(o.workingSize, undefined); // chosen by the mode
  assert.equal(o.refine, "auto");
  assert.equal(o.threads, 4); // min(4, the machine's)
  assert.equal(parseOptions(matterOptionsSchema(2), {}).threads, 2);
});

test("invalid options read 'Expected … for option … but received …'", () => {
  assert.throws(
    () => parseOptions(schema, { device: "tpu", workingSize: 10 }),
    (e: unknown) => {
      assert.ok(e instanceof BgmatteError);
      assert.equal(e.code, "INVALID_OPTION");
      assert.match(e.message, /for option device but received "tpu"/);
      assert.match(e.message, /for option workingSize but received 10/);
      return true;
    },
  );
  assert.throws(() => parseOptions(schema, { colour: "red" }), /unknown option\(s\): colour/);
});

test("the browser's options share the matting options and their defaults, and take the models as URLs", () => {
  const urls = { modelUrl: "m.onnx", contractUrl: "c.json", wasmPaths: "ort/" };
  const web = parseOptions(webMatterOptionsSchema(2), urls);
  const node = parseOptions(schema, {});
  for (const k of ["mode", "margin", "refine", "subject", "cleanup", "align", "exposure"] as const)
    assert.equal(web[k], node[k], k);
  assert.equal(web.preferWebGPU, true);
  assert.throws(
    () => parseOptions(webMatterOptionsSchema(2), { ...urls, model: "bm-lite" }),
    /unknown option/,
  );
  assert.throws(() => parseOptions(webMatterOptionsSchema(2), { contractUrl: "c.json" }), /modelUrl/);
});
