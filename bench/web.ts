/**
 * Browser benchmark: the live page in headless Chromium (WASM backend, the page's default settings: working size
 * "auto") fed by a fake camera at 512×288 and 640×360 — the real hand-held person photo and its plate
 * (../shared/data/person, the plate aligned to the photo as a still webcam would see the room, scaled to cover the
 * frame) when present, else the synthetic scene, at 30 fps. After 120 frames (the browser compiles WebAssembly's hot
 * functions again, optimised, over the first few seconds) it counts the frames the page shows per second over 10 s,
 * then reads the page's own model and end-to-end fps and working size, the worker's milliseconds per
 * pipeline stage and the split of a frame's round trip, then samples the composite canvas over a still subject seen
 * through sensor noise (σ 2 grey levels): dtSSD (the root mean square of the change between consecutive
 * processed frames of the composite, ×100; the input's noise on the subject counts too, so 0 is out of reach), and
 * on the person photo the share of its hand-drawn face/neck/torso interior that shows the target through. Writes
 * bench-results/web.json, and the last sampled composite per size (web-WxH.png, see-through pixels in red).
 *
 *   node --import tsx bench/web.ts [--model name|path.onnx] [--workers N]     (default: the page's own)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writePng } from "../src/image/codec-node.js";
import { tempDir } from "../test/fixtures.js";
import {
  consecutiveSubjectFrames,
  faceSeeThrough,
  hasPersonPhoto,
  personCameraScene,
  personInterior,
  rgbOf,
} from "../test/person-camera.js";
import { launchWithFakeCamera, openPage, startServer, writeY4m } from "../test/web-harness.js";

const real = hasPersonPhoto();
const results: Record<string, unknown> = {
  scene: real ? "person photo and plate (../shared/data/person)" : "synthetic",
};

const { values } = parseArgs({ options: { model: { type: "string" }, workers: { type: "string" } } });
mkdirSync("bench-results", { recursive: true });
const server = await startServer(values.model ? ["--model", values.model] : []);
if (values.model) results.model = values.model;
if (values.workers) results.workers = Number(values.workers);
// The server's address carries ?model= when one was named.
const pageUrl = (query: string) => server.url + (server.url.includes("?") ? "&" : "?") + query;
for (const [w, h] of [
  [512, 288],
  [640, 360],
]) {
  const y4m = join(tempDir(), `cam-${w}.y4m`);
  const scene = real ? await personCameraScene(w, h) : undefined;
  // A webcam's 30 fps, so the camera does not cap the page: 1 s of the empty room, then 20 s of the subject.
  writeY4m(y4m, w, h, 30, 30, 600, scene, 2);
  const browser = await launchWithFakeCamera(y4m);
  const page = await browser.newPage();
  await openPage(
    page,
    pageUrl(`countdown=0&backend=wasm${values.workers ? `&workers=${values.workers}` : ""}`),
  );
  await page.click("#start");
  await page.click("#capture");
  // The first frames pay for compiling the models and, for a few seconds more, for the browser's optimising
  // recompilation of onnxruntime's WebAssembly: the steady rate is what a user sees.
  await page.waitForFunction("window.__bgmatte.framesDone >= 120", null, { timeout: 300_000 });
  const isolated = await page.evaluate("crossOriginIsolated");
  // Frames shown per second over 10 s, counted here; then the page's own counters (over its last 20 frames).
  const framesAt = async () => [
    performance.now(),
    (await page.evaluate("window.__bgmatte.framesDone")) as number,
  ];
  const [t0, n0] = await framesAt();
  await page.waitForTimeout(10_000);
  const [t1, n1] = await framesAt();
  const shownFps = +((1000 * (n1 - n0)) / (t1 - t0)).toFixed(1);
  const model = await page.textContent("#model-fps");
  const backend = (await page.evaluate("window.__bgmatte.backend")) as string;
  const e2e = await page.textContent("#e2e-fps");
  const stages = (await page.evaluate("window.__bgmatte.timings")) as Record<string, number>;
  const frameMs = (await page.evaluate("window.__bgmatte.frameMs")) as Record<string, number>;
  // Consecutive processed frames while the subject stands still.
  const samples = await consecutiveSubjectFrames(page, 12, 120_000);
  const changes = samples.slice(1).map((s, i) => {
    let sum = 0;
    for (let p = 0; p < s.length; p += 4)
      for (let c = 0; c < 3; c++) sum += ((s[p + c] - samples[i][p + c]) / 255) ** 2;
    return Math.sqrt(sum / ((3 * s.length) / 4)) * 100;
  });
  // Over the composite, not α (the page shows no α): the input's own noise on the subject counts too.
  const dtSSD = changes.length ? +(changes.reduce((a, b) => a + b, 0) / changes.length).toFixed(3) : null;
  // The last sampled composite, with the interior's see-through pixels in red, for viewing.
  const shown = samples.length ? rgbOf(samples.at(-1)!, w, h) : undefined;
  const seeThrough =
    real && shown ? faceSeeThrough(samples.at(-1)!, scene!.photo, await personInterior(w, h), shown) : null;
  if (shown) await writePng(join("bench-results", `web-${w}x${h}.png`), shown);
  results[`${w}x${h}`] = {
    backend,
    model,
    endToEnd: e2e,
    shownFps,
    dtSSD,
    stillFrames: samples.length,
    seeThrough,
    stagesMs: stages,
    frameMs,
    crossOriginIsolated: isolated,
  };
  const holes = seeThrough === null ? "n/a" : `${(100 * seeThrough).toFixed(2)} %`;
  const flicker = dtSSD ?? "n/a (no two consecutive frames of the still subject sampled)";
  console.log(
    `${w}×${h} (${backend}): ${model}, ${e2e}, ${shownFps} frames shown per second, dtSSD ${flicker} over ${samples.length} frames, face/torso see-through ${holes} ` +
      `(crossOriginIsolated: ${isolated})`,
  );
  const ms = Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(0)}`);
  console.log(`  in the worker, mean per frame, ms: ${ms.join(", ")}`);
  const split = Object.entries(frameMs).map(([k, v]) => `${k} ${v.toFixed(0)}`);
  console.log(`  mean per frame, ms: ${split.join(", ")}`);
  await browser.close();
}
server.stop();
writeFileSync("bench-results/web.json", JSON.stringify(results, null, 2));
