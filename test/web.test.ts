/** The browser app end to end in real headless Chromium with a fake camera (skipped where no Chromium is installed, except in CI). */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "./fixtures.js";
import { hasChromium, launchWithFakeCamera, startServer, writeY4m } from "./web-harness.js";

const skip = !hasChromium() && !process.env.CI ? "no Chromium here (CI installs it)" : false;

test(
  "live green screen: plate capture, then the target where the room is and the subject where the subject is",
  { skip, timeout: 240_000 },
  async () => {
    const W = 320,
      H = 180;
    const y4m = join(tempDir(), "camera.y4m");
    writeY4m(y4m, W, H, 10, 30, 120); // 3 s of empty room, then 12 s with the subject
    const server = await startServer();
    const browser = await launchWithFakeCamera(y4m);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}?countdown=0`);
      await page.fill("#colour", "#ff00ff");
      await page.click("#start");
      await page.click("#capture");
      await page.waitForFunction(
        () => (window as unknown as { __bgmatte: { plateCaptured: boolean } }).__bgmatte.plateCaptured,
      );
      await page.waitForFunction(
        () => (window as unknown as { __bgmatte: { backend: string } }).__bgmatte.backend !== "",
        null,
        { timeout: 120_000 },
      );
      // Sample the composite until the subject phase shows: subject centre blue, room corner the magenta target.
      // Plain-string page code: the TS loader adds helpers to named functions that do not exist in the page.
      const sample = () =>
        page.evaluate(`(() => {
        const c = document.getElementById("output");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height);
        const px = (x, y) => { const i = 4 * (Math.round(y * d.height / ${H}) * d.width + Math.round(x * d.width / ${W})); return [d.data[i], d.data[i + 1], d.data[i + 2]]; };
        return { centre: px(${W * 0.5}, ${H * 0.55}), corner: px(8, 8), right: px(${W - 10}, ${H / 2}), done: window.__bgmatte.framesDone };
      })()`) as Promise<{ centre: number[]; corner: number[]; right: number[]; done: number }>;
      let s = await sample();
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        s = await sample();
        const [r, g, b] = s.centre;
        if (s.done > 2 && b > r + 60 && b > g + 60) break;
        await page.waitForTimeout(300);
      }
      assert.ok(s.done > 2, "frames were processed");
      const [r, g, b] = s.centre;
      assert.ok(b > r + 60 && b > g + 60, `subject centre should be the blue subject, got ${s.centre}`);
      for (const px of [s.corner, s.right])
        assert.ok(px[0] > 200 && px[1] < 70 && px[2] > 200, `room should show the magenta target, got ${px}`);
      const fpsText = await page.textContent("#e2e-fps");
      assert.match(fpsText ?? "", /end-to-end \d+(\.\d+)? fps/);
      mkdirSync("test-artifacts", { recursive: true });
      await page.screenshot({ path: "test-artifacts/web-e2e.png" });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      server.stop();
    }
  },
);
