/**
 * Browser benchmark: the live page in headless Chromium (WASM backend, the page's default settings: working size
 * "auto") fed by a fake camera at 512×288 and 640×360 — the real hand-held person photo and its plate
 * (../shared/data/person, scaled to cover the frame) when present, else the synthetic scene. After warm-up it reads
 * the page's own model and end-to-end fps and working size, then samples the composite canvas over a still subject
 * seen through sensor noise (σ 2 grey levels): dtSSD (the root mean square of the change between consecutive
 * processed frames of the composite, ×100; the input's noise on the subject counts too, so 0 is out of reach). Writes
 * bench-results/web.json.
 *
 *   node --import tsx bench/web.ts
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cover } from "../src/composite/composite.js";
import { decodeImage } from "../src/image/codec-node.js";
import { tempDir } from "../test/fixtures.js";
import { launchWithFakeCamera, startServer, writeY4m } from "../test/web-harness.js";

const person = join(import.meta.dirname, "..", "..", "shared", "data", "person");
const real = existsSync(person);
const results: Record<string, unknown> = {
  scene: real ? "person photo and plate (../shared/data/person)" : "synthetic",
};
const server = await startServer();
for (const [w, h] of [
  [512, 288],
  [640, 360],
]) {
  const y4m = join(tempDir(), `cam-${w}.y4m`);
  const scene = real
    ? {
        photo: cover(await decodeImage(join(person, "0001_img.png")), w, h),
        plate: cover(await decodeImage(join(person, "back.png")), w, h),
      }
    : undefined;
  writeY4m(y4m, w, h, 10, 10, 120, scene, 2);
  const browser = await launchWithFakeCamera(y4m);
  const page = await browser.newPage();
  await page.goto(`${server.url}?countdown=0&backend=wasm`);
  await page.click("#start");
  await page.click("#capture");
  await page.waitForFunction("window.__bgmatte.framesDone >= 12", null, { timeout: 300_000 });
  const isolated = await page.evaluate("crossOriginIsolated");
  const model = await page.textContent("#model-fps");
  const e2e = await page.textContent("#e2e-fps");
  // The camera loops plate → subject: sample consecutive processed frames while the subject stands still (it covers
  // part of the frame: pixels away from the default green target).
  const grab = async () =>
    (await page.evaluate(`(() => {
      const c = document.getElementById("output");
      return { done: window.__bgmatte.framesDone, px: Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data) };
    })()`)) as { done: number; px: number[] };
  const subjectShare = (px: number[]) => {
    let n = 0;
    for (let p = 0; p < px.length; p += 4)
      if (Math.abs(px[p + 1] - 0xb1) + px[p] + Math.abs(px[p + 2] - 0x40) > 60) n++;
    return n / (px.length / 4);
  };
  const samples: number[][] = [];
  let last = -1;
  for (const deadline = Date.now() + 120_000; samples.length < 12 && Date.now() < deadline;) {
    const g = await grab();
    if (g.done !== last && subjectShare(g.px) > 0.01) samples.push(g.px);
    else if (subjectShare(g.px) <= 0.01) samples.length = 0; // the loop went back to the empty room: start again
    last = g.done;
    await page.waitForTimeout(100);
  }
  const changes = samples.slice(1).map((s, i) => {
    let sum = 0;
    for (let p = 0; p < s.length; p += 4)
      for (let c = 0; c < 3; c++) sum += ((s[p + c] - samples[i][p + c]) / 255) ** 2;
    return Math.sqrt(sum / ((3 * s.length) / 4)) * 100;
  });
  // Over the composite, not α (the page shows no α): the input's own noise on the subject counts too.
  const dtSSD = changes.length ? +(changes.reduce((a, b) => a + b, 0) / changes.length).toFixed(3) : null;
  results[`${w}x${h}`] = {
    model,
    endToEnd: e2e,
    dtSSD,
    stillFrames: samples.length,
    crossOriginIsolated: isolated,
  };
  console.log(
    `${w}×${h}: ${model}, ${e2e}, dtSSD ${dtSSD ?? "n/a (no two consecutive frames of the still subject sampled)"} ` +
      `over ${samples.length} frames (crossOriginIsolated: ${isolated})`,
  );
  await browser.close();
}
server.stop();
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/web.json", JSON.stringify(results, null, 2));
