import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { createImage, type FloatImage } from "../src/image/types.js";
import { bilinearTaps, resize } from "../src/image/geometry.js";
import {
  parseContract,
  refinerLocationOf,
  type Contract,
  type NetworkOutputs,
  type PatchBatch,
  type RefinementMaps,
} from "../src/network/contract.js";
import { contractPath, modelsDir, readManifest } from "../src/network/models-node.js";
import type { RefinerNetwork } from "../src/network/network.js";
import { createNodeNetwork } from "../src/network/session-node.js";
import { wrapMattingNetwork, type OrtSession } from "../src/network/wrap-session.js";
import { refineUncertainPatches } from "../src/refine/patch-refiner.js";
import { lcg } from "./fixtures.js";

function randomImage(width: number, height: number, channels: number, seed: number): FloatImage {
  const rnd = lcg(seed);
  const im = createImage(width, height, channels);
  for (let i = 0; i < im.data.length; i++) im.data[i] = rnd();
  return im;
}

function coarseMaps(
  width: number,
  height: number,
  hidden: number,
  seed: number,
): NetworkOutputs & { refinement: RefinementMaps } {
  return {
    alpha: randomImage(width, height, 1, seed),
    fg: randomImage(width, height, 3, seed + 1),
    refinement: {
      error: randomImage(width, height, 1, seed + 2),
      hidden: randomImage(width, height, hidden, seed + 3),
    },
  };
}

/** Bilinear upsampling with half-pixel centres, written out independently of the code under test. */
function upsampleReference(m: FloatImage, width: number, height: number): FloatImage {
  const out = createImage(width, height, m.channels);
  const src = (x: number, n: number, N: number) => Math.max(0, (x + 0.5) * (n / N) - 0.5);
  for (let y = 0; y < height; y++) {
    const sy = src(y, m.height, height);
    const y0 = Math.min(Math.floor(sy), m.height - 1);
    const y1 = Math.min(y0 + 1, m.height - 1);
    const wy = y0 < m.height - 1 ? sy - y0 : 0;
    for (let x = 0; x < width; x++) {
      const sx = src(x, m.width, width);
      const x0 = Math.min(Math.floor(sx), m.width - 1);
      const x1 = Math.min(x0 + 1, m.width - 1);
      const wx = x0 < m.width - 1 ? sx - x0 : 0;
      for (let c = 0; c < m.channels; c++) {
        const v = (yy: number, xx: number) => m.data[(yy * m.width + xx) * m.channels + c];
        const top = v(y0, x0) * (1 - wx) + v(y0, x1) * wx;
        const bot = v(y1, x0) * (1 - wx) + v(y1, x1) * wx;
        out.data[(y * width + x) * m.channels + c] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return out;
}

/** A refiner that returns its coarse inputs' centre: the gathered inputs become visible in the output. */
const echoRefiner: RefinerNetwork = {
  context: 4,
  async run(b: PatchBatch) {
    const P = b.side - 8;
    const alpha = new Float32Array(b.count * P * P);
    const fg = new Float32Array(b.count * 3 * P * P);
    for (let k = 0; k < b.count; k++)
      for (let y = 0; y < P; y++)
        for (let x = 0; x < P; x++) {
          const q = (y + 4) * b.side + x + 4;
          alpha[k * P * P + y * P + x] = b.coarseAlpha[k * b.side * b.side + q];
          for (let c = 0; c < 3; c++)
            fg[(k * 3 + c) * P * P + y * P + x] = b.image[(k * 3 + c) * b.side * b.side + q];
        }
    return { alpha, fg };
  },
  async dispose() {},
};

test("bilinear taps follow PyTorch's align_corners=False (clamped at both ends)", () => {
  const t = bilinearTaps(2, 4); // source 0.5*(x+0.5)-0.5 = -0.25→0, 0.25, 0.75, 1.25→1 (clamped)
  assert.deepEqual([...t.i0], [0, 0, 0, 1]);
  assert.deepEqual([...t.i1], [1, 1, 1, 1]);
  assert.deepEqual([...t.w], [0, 0.25, 0.75, 0]);
});

test("patch gathering: upsampled coarse maps and photo pixels land where a dense computation puts them", async () => {
  const W = 45,
    H = 30; // not multiples of the patch: the last row and column of patches are partial
  const image = randomImage(W, H, 3, 1);
  const coarse = coarseMaps(12, 8, 2, 5);
  const alpha = createImage(W, H, 1);
  const fg = createImage(W, H, 3);
  const plate = { image, exposure: null }; // the photo as its own plate, no exposure matching
  const report = await refineUncertainPatches(echoRefiner, image, plate, coarse, alpha, fg, {
    threshold: -1,
    maxFraction: 1,
    patch: 8,
  });
  assert.equal(report.patches, 6 * 4);
  assert.equal(report.refinedFraction, 1);
  const expected = upsampleReference(coarse.alpha, W, H);
  for (let i = 0; i < W * H; i++) assert.ok(Math.abs(alpha.data[i] - expected.data[i]) < 1e-6, `pixel ${i}`);
  assert.deepEqual(fg.data, image.data);
});

test("only the most uncertain patches are refined, within the budget", async () => {
  const W = 64,
    H = 64;
  const image = randomImage(W, H, 3, 2);
  const coarse = coarseMaps(16, 16, 2, 9);
  const { error } = coarse.refinement;
  error.data.fill(0);
  error.data[5 * 16 + 5] = 0.9; // one uncertain coarse pixel → the patch that covers it (x, y in 20..23)
  error.data[12 * 16 + 1] = 0.5;
  const alpha = createImage(W, H, 1, 0.25);
  const fg = createImage(W, H, 3);
  const plate = { image, exposure: null };
  const report = await refineUncertainPatches(echoRefiner, image, plate, coarse, alpha, fg, {
    threshold: 0.1,
    maxFraction: 1 / 64, // one patch of the 64
    patch: 8,
  });
  assert.equal(report.candidates, 2);
  assert.equal(report.patches, 1);
  assert.notEqual(alpha.data[21 * W + 21], 0.25); // inside patch (2, 2): refined
  assert.equal(alpha.data[50 * W + 5], 0.25); // the second candidate was over budget
});

const manifest = readManifest();
const shipped = join(modelsDir(), manifest.models[manifest.default].file);
const refinerShipped = existsSync(refinerLocationOf(shipped));

test(
  "the shipped refiner: patch-wise equals dense, deterministic, and follows the contract",
  { skip: !refinerShipped },
  async () => {
    const contract = JSON.parse(readFileSync(contractPath(), "utf8")) as Contract;
    const session = await ort.InferenceSession.create(refinerLocationOf(shipped));
    assert.deepEqual(
      session.inputNames,
      contract.refinement.refinerInputs.map((s) => s.name),
    );
    assert.deepEqual(
      session.outputNames,
      contract.refinement.refinerOutputs.map((s) => s.name),
    );
    await session.release();

    const network = await createNodeNetwork(shipped, contractPath(), {
      threads: 2,
      device: "cpu",
      name: "default",
    });
    assert.ok(network.hasRefiner, "the default model ships a refiner");
    const refiner = await network.loadRefiner();
    const W = 40,
      H = 40;
    const image = randomImage(W, H, 3, 3);
    const plate = resize(randomImage(10, 10, 3, 4), W, H);
    const coarseOut = await network.run({
      image: resize(image, 20, 20),
      plate: resize(plate, 20, 20),
      prior: randomImage(20, 20, 1, 6),
      motion: randomImage(20, 20, 4, 7),
    });
    assert.ok(coarseOut.refinement, "the coarse graph gives the refinement maps");
    const coarse = coarseOut;
    const run = async (patch: number) => {
      const alpha = createImage(W, H, 1);
      const fg = createImage(W, H, 3);
      const pending = { image: plate, exposure: null };
      await refineUncertainPatches(refiner, image, pending, coarse, alpha, fg, {
        threshold: -1,
        maxFraction: 1,
        patch,
      });
      return { alpha, fg };
    };
    const patches = await run(8);
    const dense = await run(40); // one patch covering everything = the dense refiner
    const again = await run(8);
    for (let i = 0; i < W * H; i++) assert.ok(Math.abs(patches.alpha.data[i] - dense.alpha.data[i]) < 1e-4);
    for (let i = 0; i < W * H * 3; i++) assert.ok(Math.abs(patches.fg.data[i] - dense.fg.data[i]) < 1e-4);
    assert.deepEqual(again.alpha.data, patches.alpha.data);
    await network.dispose();
  },
);

test("the refiner's session opens on first use only, once, and a missing one is a clear error", async () => {
  const contract = parseContract(JSON.parse(readFileSync(contractPath(), "utf8")), contractPath());
  const fakeSession = (outputNames: string[]): OrtSession => ({
    inputNames: contract.inputs.map((s) => s.name),
    outputNames,
    run: async () => ({}),
    release: async () => {},
  });
  const withRefinement = ["alpha", "fg", ...contract.refinement.coarseExtraOutputs.map((o) => o.name)];
  let opened = 0;
  const source = (exists: boolean, file: boolean) => ({
    exists,
    open: async () => {
      opened++;
      return file ? fakeSession(["alpha", "fg"]) : undefined;
    },
  });
  const wrap = (outputs: string[], exists: boolean, file: boolean) =>
    wrapMattingNetwork(fakeSession(outputs), (t) => t, contract, "m", source(exists, file));

  const network = await wrap(withRefinement, true, true);
  assert.equal(network.hasRefiner, true);
  assert.equal(opened, 0, "wrapping the model does not open its refiner");
  const [a, b] = await Promise.all([network.loadRefiner(), network.loadRefiner()]);
  assert.equal(a, b);
  assert.equal(opened, 1, "opened once for every caller");
  await network.dispose();

  // A file known missing (Node), a coarse graph without the refinement outputs, a file found missing when fetched.
  for (const [outputs, exists, file] of [
    [withRefinement, false, false],
    [["alpha", "fg"], true, true],
    [withRefinement, true, false],
  ] as const) {
    const n = await wrap([...outputs], exists, file);
    assert.equal(n.hasRefiner, exists && outputs.length > 2);
    await assert.rejects(n.loadRefiner(), /has no refiner/);
    await n.dispose();
  }
});
