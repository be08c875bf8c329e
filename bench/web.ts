/**
 * Browser benchmark: the live page in headless Chromium (WASM backend) fed by a fake camera at 512×288 and
 * 640×360; reads the page's own model and end-to-end fps after warm-up. Writes bench-results/web.json.
 *
 *   node --import tsx bench/web.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../test/fixtures.js";
import { launchWithFakeCamera, startServer, writeY4m } from "../test/web-harness.js";

const results: Record<string, unknown> = {};
const server = await startServer();
for (const [w, h] of [
  [512, 288],
  [640, 360],
]) {
  const y4m = join(tempDir(), `cam-${w}.y4m`);
  writeY4m(y4m, w, h, 10, 10, 40);
  const browser = await launchWithFakeCamera(y4m);
  const page = await browser.newPage();
  await page.goto(`${server.url}?countdown=0&backend=wasm`);
  await page.selectOption("#resolution", "256");
  await page.click("#start");
  await page.click("#capture");
  await page.waitForFunction("window.__bgmatte.framesDone >= 12", null, { timeout: 300_000 });
  const isolated = await page.evaluate("crossOriginIsolated");
  const model = await page.textContent("#model-fps");
  const e2e = await page.textContent("#e2e-fps");
  results[`${w}x${h}`] = { model, endToEnd: e2e, crossOriginIsolated: isolated };
  console.log(`${w}×${h}: ${model}, ${e2e} (crossOriginIsolated: ${isolated})`);
  await browser.close();
}
server.stop();
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/web.json", JSON.stringify(results, null, 2));
