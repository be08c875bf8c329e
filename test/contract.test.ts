import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { BgmatteError } from "../src/errors.js";
import { fromNCHW, parseContract, refinerFeeds, toNCHW, type Contract } from "../src/network/contract.js";
import { createNodeNetwork } from "../src/network/session-node.js";
import { tempDir } from "./fixtures.js";
import { defaultModelName, liveModelName } from "../src/network/manifest.js";
import { modelsDir, readManifest, resolveModel } from "../src/network/models-node.js";
import { MODE_NAMES } from "../src/vocabulary.js";
import { createImage } from "../src/image/types.js";

const contract = JSON.parse(readFileSync(join(modelsDir(), "contract.json"), "utf8")) as Contract;

/** An orange disc in front of a striped plate, its prior the disc, as network feeds (NCHW). */
function discScene(h: number, w: number): Record<string, ort.Tensor> {
  const n = h * w;
  const [image, plate, prior, motion] = [3, 3, 1, 4].map((c) => new Float32Array(c * n));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const inside = Math.hypot(x - w / 2, y - h / 2) < h / 3;
      for (let c = 0; c < 3; c++) {
        plate[c * n + p] = 0.3 + (0.4 * ((x + 7 * c) % 32)) / 32;
        image[c * n + p] = inside ? [0.8, 0.5, 0.3][c] : plate[c * n + p];
      }
      prior[p] = inside ? 1 : 0;
      const grey = (image[p] + image[n + p] + image[2 * n + p]) / 3;
      for (let k = 0; k < 4; k++) motion[k * n + p] = grey;
    }
  const tensor = (data: Float32Array) => new ort.Tensor("float32", data, [1, data.length / n, h, w]);
  return { image: tensor(image), plate: tensor(plate), prior: tensor(prior), motion: tensor(motion) };
}

test("every shipped model follows the ONNX contract: names, shapes and value ranges", async () => {
  const manifest = readManifest();
  assert.ok(manifest.models[manifest.default], "the default model is in the manifest");
  for (const [name, entry] of Object.entries(manifest.models)) {
    const files = [entry.file, ...(entry.wasmFile ? [entry.wasmFile] : [])];
    const discAlphas: Float32Array[] = [];
    for (const file of files) {
      const session = await ort.InferenceSession.create(join(modelsDir(), file));
      assert.deepEqual(
        session.inputNames,
        contract.inputs.map((s) => s.name),
        file,
      );
      // The contract's outputs first; a model with a refiner adds the refinement's extra outputs.
      const base = contract.outputs.map((s) => s.name);
      const extra = contract.refinement.coarseExtraOutputs.map((s) => s.name);
      assert.ok(
        [base, [...base, ...extra]].some((names) => names.join() === session.outputNames.join()),
        `${file}: outputs ${session.outputNames.join(", ")}`,
      );
      for (const [h, w] of [
        [64, 96],
        [36, 20],
      ]) {
        const feeds: Record<string, ort.Tensor> = {};
        for (const s of contract.inputs) {
          const c = s.shape[1];
          const data = new Float32Array(c * h * w).map((_, i) => ((i * 2654435761) % 1000) / 1000);
          feeds[s.name] = new ort.Tensor("float32", data, [1, c, h, w]);
        }
        const out = await session.run(feeds);
        for (const s of contract.outputs) {
          assert.deepEqual(out[s.name].dims, [1, s.shape[1], h, w], `${file} ${s.name} at ${h}×${w}`);
          for (const v of out[s.name].data as Float32Array) assert.ok(v >= s.range[0] && v <= s.range[1]);
        }
      }
      discAlphas.push((await session.run(discScene(64, 96))).alpha.data as Float32Array);
      await session.release();
    }
    // The WASM backend's file is the same network: on a disc in front of a plate, its α stays within a third of
    // what separates bm-live-cam from bm-live, the model it was fine-tuned from (0.0023).
    if (discAlphas.length === 2) {
      const [a, b] = discAlphas;
      const meanDiff = a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
      assert.ok(
        meanDiff < 0.0015,
        `${name}: ${entry.wasmFile} differs from ${entry.file} by ${meanDiff} in α`,
      );
    }
  }
});

test("each mode's default model is a shipped manifest entry; a named model overrides it", () => {
  const manifest = readManifest();
  for (const mode of MODE_NAMES) {
    const name = defaultModelName(manifest, mode);
    assert.ok(manifest.models[name], `${mode}: ${name} is in the manifest`);
    assert.equal(resolveModel(undefined, mode).path, join(modelsDir(), manifest.models[name].file));
    assert.equal(resolveModel(manifest.default, mode).name, manifest.default);
  }
  const listed = { ...manifest, modeDefaults: { fast: "other" } };
  assert.equal(defaultModelName(listed, "fast"), "other");
  assert.equal(defaultModelName(listed, "best"), manifest.default);
  assert.equal(defaultModelName(listed), manifest.default);
  assert.equal(liveModelName({ ...listed, live: undefined }), "other"); // no live model: fast mode's
  assert.equal(liveModelName({ ...listed, live: "live" }), "live");
  if (manifest.live) assert.ok(manifest.models[manifest.live], `live: ${manifest.live} is in the manifest`);
});

test("HWC ↔ NCHW conversion round-trips", () => {
  const im = createImage(3, 2, 4);
  im.data.forEach((_, i) => (im.data[i] = i));
  const t = toNCHW(im);
  assert.deepEqual(t.dims, [1, 4, 2, 3]);
  assert.equal(t.data[1], 4); // channel 0 of pixel 1
  assert.deepEqual([...fromNCHW(t).data], [...im.data]);
});

test("the refiner's feeds are named and shaped as the contract's refinement section says", () => {
  const n = 2,
    side = 16,
    k = 3;
  const z = (c: number) => new Float32Array(n * c * side * side);
  const feeds = refinerFeeds({
    count: n,
    side,
    hiddenChannels: k,
    image: z(3),
    plate: z(3),
    coarseAlpha: z(1),
    coarseFg: z(3),
    hidden: z(k),
  });
  const specs = contract.refinement.refinerInputs;
  assert.deepEqual(
    feeds.map(([name]) => name),
    specs.map((s) => s.name),
  );
  for (const [i, [, t]] of feeds.entries()) {
    const c = specs[i].shape[1] === "K" ? k : specs[i].shape[1];
    assert.deepEqual(t.dims, [n, c, side, side]);
    assert.equal(t.data.length, n * (c as number) * side * side);
  }
});

test("contract.json is validated on load: a broken one names the field, a broken model says what failed", async () => {
  assert.doesNotThrow(() => parseContract(contract, "models/contract.json"));
  const broken = structuredClone(contract) as unknown as {
    inputs: { shape: unknown[] }[];
    refinement: object;
  };
  broken.inputs[1].shape[1] = "three";
  broken.refinement = {};
  assert.throws(
    () => parseContract(broken, "c.json"),
    (e: unknown) => {
      assert.ok(e instanceof BgmatteError && e.code === "MODEL_CONTRACT");
      assert.match(e.message, /c\.json is not a valid model contract/);
      assert.match(e.message, /inputs\.1\.shape\.1/);
      assert.match(e.message, /refinement\.context/);
      return true;
    },
  );
  const dir = tempDir();
  const contractFile = join(modelsDir(), "contract.json");
  const opts = { threads: 1, device: "cpu" as const, name: "x" };
  await assert.rejects(createNodeNetwork(join(dir, "none.onnx"), contractFile, opts), (e: unknown) => {
    assert.ok(e instanceof BgmatteError && e.code === "MODEL_NOT_FOUND", String(e));
    assert.match(e.message, /none\.onnx does not exist/);
    return true;
  });
  writeFileSync(join(dir, "garbage.onnx"), "not a model");
  await assert.rejects(createNodeNetwork(join(dir, "garbage.onnx"), contractFile, opts), (e: unknown) => {
    assert.ok(e instanceof BgmatteError && e.code === "MODEL_INVALID", String(e));
    assert.match(e.message, /onnxruntime cannot load the model .*garbage\.onnx/);
    return true;
  });
  writeFileSync(join(dir, "contract.json"), "{ not json");
  await assert.rejects(
    createNodeNetwork(join(dir, "garbage.onnx"), join(dir, "contract.json"), opts),
    /not valid JSON/,
  );
});

test("loading a model leaves no /tmp/mat-debug-<pid>.log behind (onnxruntime's telemetry is off)", () => {
  // A file of that name left by an earlier process with the same pid (Python's onnxruntime writes them too) is not
  // this run's: only one written since it started counts.
  const started = Date.now() - 1000;
  const code = `
    import { createNodeNetwork } from ${JSON.stringify(join(import.meta.dirname, "..", "src", "network", "session-node.ts"))};
    import { contractPath } from ${JSON.stringify(join(import.meta.dirname, "..", "src", "network", "models-node.ts"))};
    const n = await createNodeNetwork(${JSON.stringify(join(modelsDir(), "bm-lite.onnx"))}, contractPath(), { threads: 1, device: "cpu", name: "m" });
    await n.dispose();
    console.log(process.pid);`;
  const r = spawnSync(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", code],
    {
      encoding: "utf8",
      env: { ...process.env, ORT_DISABLE_TELEMETRY: "" },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const pid = r.stdout.trim().split("\n").pop();
  assert.ok(pid && /^\d+$/.test(pid), r.stdout);
  const log = join(tmpdir(), `mat-debug-${pid}.log`);
  assert.equal(existsSync(log) && statSync(log).mtimeMs >= started, false);
});
