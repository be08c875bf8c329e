/** The browser app end to end in real headless Chromium with a fake camera (skipped where no Chromium is installed, except in CI). */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { liveModelFiles } from "../src/network/manifest.js";
import { readManifest } from "../src/network/models-node.js";
import { writePng } from "../src/image/codec-node.js";
import { crop } from "../src/image/geometry.js";
import { makeScene, savePng, tempDir, texturedScene } from "./fixtures.js";
import {
  consecutiveSubjectFrames,
  faceSeeThrough,
  hasPersonPhoto,
  personCameraScene,
  personInterior,
  rgbOf,
} from "./person-camera.js";
import { hasChromium, launchWithFakeCamera, openPage, startServer, writeY4m } from "./web-harness.js";

const skip = !hasChromium() && !process.env.CI ? "no Chromium here (CI installs it)" : false;

for (const backend of ["wasm", "webgpu"] as const)
  test(
    `live green screen (${backend}): plate capture, then the target where the room is and the subject where the subject is`,
    { skip, timeout: 300_000 },
    async (t) => {
      const W = 320,
        H = 180;
      const y4m = join(tempDir(), "camera.y4m");
      writeY4m(y4m, W, H, 10, 70, 120); // 7 s of empty room (the plate's countdown runs in it), then 12 s with the subject
      const server = await startServer();
      const browser = await launchWithFakeCamera(y4m, { webgpu: backend === "webgpu" });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        const models: string[] = [];
        page.on("request", (r) => {
          if (r.url().includes("/models/")) models.push(new URL(r.url()).pathname);
        });
        await page.setViewportSize({ width: 1280, height: 800 });
        await openPage(page, `${server.url}?backend=${backend}`);
        mkdirSync("test-artifacts", { recursive: true });
        await page.screenshot({ path: "test-artifacts/web-start.png" });
        await page.fill("#colour", "#ff00ff");
        await page.click("#start");
        // The camera is on once the page says so; the room shows from the next animation frame.
        await page.waitForFunction("document.getElementById('status').textContent.startsWith('Camera on')");
        await page.waitForTimeout(300);
        await page.screenshot({ path: "test-artifacts/web-camera-on.png" });
        await page.click("#capture");
        // The real countdown: shown while it runs, gone once the plate is taken.
        await page.waitForSelector("#countdown", { state: "visible" });
        await page.screenshot({ path: "test-artifacts/web-countdown.png" });
        await page.waitForFunction(
          () => (window as unknown as { __bgmatte: { plateCaptured: boolean } }).__bgmatte.plateCaptured,
        );
        assert.equal(
          await page.isVisible("#countdown"),
          false,
          "the countdown must not stay over the picture",
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
          assert.ok(
            px[0] > 200 && px[1] < 70 && px[2] > 200,
            `room should show the magenta target, got ${px}`,
          );
        // A colour picked while live reaches both workers (the page sends a colour only when it changes). The page's
        // code is the same on either backend; SwiftShader's WebGPU takes seconds per frame, so WASM checks it.
        if (backend === "wasm") await checkColourChange(page);
        const fpsText = await page.textContent("#e2e-fps");
        t.diagnostic(`${backend}: ${await page.textContent("#model-fps")} · ${fpsText}`);
        assert.match(fpsText ?? "", /end-to-end \d+(\.\d+)? fps/);
        assert.equal(await page.evaluate("window.__bgmatte.backend"), backend);
        await page.screenshot({ path: `test-artifacts/web-live-${backend}.png` });
        // The live loop runs the manifest's live model, in its file for this backend.
        const { file, wasmFile } = liveModelFiles(readManifest());
        assert.ok(models.includes(`/models/${backend === "wasm" ? wasmFile : file}`), models.join());
        assert.deepEqual(errors, []);
      } finally {
        await browser.close();
        server.stop();
      }
    },
  );

test(
  "live green screen on a real person at 640×360: no see-through pixel in the face, neck and torso once the plate is taken",
  { skip: skip || (!hasPersonPhoto() && "needs ../shared/data/person"), timeout: 300_000 },
  async (t) => {
    const [W, H] = [640, 360];
    const scene = await personCameraScene(W, H);
    const y4m = join(tempDir(), "person.y4m");
    writeY4m(y4m, W, H, 10, 10, 60, scene, 2); // 1 s of the room, then 6 s of the person (sensor noise σ 2)
    const server = await startServer();
    const browser = await launchWithFakeCamera(y4m);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await openPage(page, `${server.url}?countdown=0&backend=wasm`);
      await page.click("#start");
      await page.click("#capture");
      // Three consecutive processed frames of the person: the page's temporal state has settled on the subject.
      const run = await consecutiveSubjectFrames(page, 3, 200_000);
      assert.equal(run.length, 3, "the person was never shown over the target");
      const mask = await personInterior(W, H);
      const shown = rgbOf(run[2], W, H);
      const share = faceSeeThrough(run[2], scene.photo, mask, shown);
      mkdirSync("test-artifacts", { recursive: true });
      await writePng("test-artifacts/web-person.png", shown);
      t.diagnostic(`${await page.textContent("#e2e-fps")}; see-through ${(100 * share).toFixed(3)} %`);
      assert.equal(share, 0, `${(100 * share).toFixed(3)} % of the face/torso shows the target through`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      server.stop();
    }
  },
);

test(
  "page states: a denied or missing camera is said over the picture; a still photo and its plate, chosen in either order, are matted and saved",
  { skip, timeout: 240_000 },
  async () => {
    const dir = tempDir();
    const y4m = join(dir, "camera.y4m");
    writeY4m(y4m, 320, 180, 10, 5, 5);
    const scene = makeScene(480, 320);
    const photo = await savePng(scene.photo, join(dir, "photo.png"));
    const plate = await savePng(scene.plate, join(dir, "plate.png"));
    const server = await startServer();
    const browser = await launchWithFakeCamera(y4m);
    mkdirSync("test-artifacts", { recursive: true });
    try {
      for (const [name, expected] of [
        ["NotAllowedError", /Camera access was denied/],
        ["NotFoundError", /No camera was found/],
      ] as const) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.addInitScript(`navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException("camera test", "${name}"));`);
        // The model manifest held back for 2 s: a click on Start while it loads is heard all the same.
        await page.route("**/models/manifest.json", async (route) => {
          await new Promise((r) => setTimeout(r, 2000));
          await route.continue();
        });
        await page.goto(server.url);
        await page.click("#start");
        await page.waitForSelector("#notice", { state: "visible" });
        assert.match((await page.textContent("#notice")) ?? "", expected);
        const box = (await page.locator("#notice").boundingBox())!;
        assert.ok(box.y + box.height < 800, `the message must be in view, at y ${box.y}`);
        await page.screenshot({ path: `test-artifacts/web-camera-${name}.png` });
        await page.close();
      }
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await openPage(page, server.url);
      const stills = () => page.evaluate("window.__bgmatte.stillsDone") as Promise<number>;
      // The plate chosen first, then the photo: each goes to its own slot.
      await page.setInputFiles("#plate-file", plate);
      // The page says so from its change handler: wait for the message rather than race it.
      await page.waitForFunction(() =>
        /choose the photo/.test(document.querySelector("#status")?.textContent ?? ""),
      );
      assert.match((await page.textContent("#status")) ?? "", /choose the photo/);
      await page.screenshot({ path: "test-artifacts/web-still-plate-first.png" });
      await page.setInputFiles("#photo-file", photo);
      await page.waitForFunction("window.__bgmatte.stillsDone === 1", null, { timeout: 180_000 });
      assert.match((await page.textContent("#status")) ?? "", /Photo matted in [\d.]+ s/);
      assert.match((await page.textContent("#e2e-fps")) ?? "", /still 480×320 in [\d.]+ s @ \d+px/);
      await page.screenshot({ path: "test-artifacts/web-still.png" });
      const saved = page.waitForEvent("download");
      await page.click("#save");
      const file = join(dir, "saved.png");
      await (await saved).saveAs(file);
      copyFileSync(file, "test-artifacts/web-still-saved.png");
      const meta = await sharp(file).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ["png", 480, 320]);
      // The subject's centre is the subject, a corner the green target.
      const { data } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const px = (x: number, y: number) => [...data.subarray(3 * (y * 480 + x), 3 * (y * 480 + x) + 3)];
      const corner = px(5, 5);
      assert.ok(corner[1] > 150 && corner[0] < 60, `corner ${corner}`);
      // The swap button exchanges the two and mattes again.
      assert.match((await page.textContent("#still-files")) ?? "", /Photo: photo\.png · Plate: plate\.png/);
      await page.click("#swap");
      assert.match((await page.textContent("#still-files")) ?? "", /Photo: plate\.png · Plate: photo\.png/);
      await page
        .waitForFunction("window.__bgmatte.stillsDone === 2", null, { timeout: 180_000 })
        .catch(async (e: Error) => {
          throw new Error(`${e.message}; status: ${await page.textContent("#status")}`);
        });
      assert.equal(await stills(), 2);
      await page.screenshot({ path: "test-artifacts/web-still-swapped.png" });
      // A plate of another aspect (a square crop of a textured scene) is aligned to the photo, and the page says so.
      const textured = texturedScene(480, 320, 7);
      const square = crop(textured.plate, { x: 80, y: 0, width: 320, height: 320 });
      await page.setInputFiles("#photo-file", await savePng(textured.image, join(dir, "textured.png")));
      await page.setInputFiles("#plate-file", await savePng(square, join(dir, "square.png")));
      await page.waitForFunction(
        () => /Photo matted.*aspect ratios differ/.test(document.querySelector("#status")?.textContent ?? ""),
        null,
        { timeout: 180_000 },
      );
      assert.match((await page.textContent("#status")) ?? "", /plate is 320×320 but the photo is 480×320/);
      await page.screenshot({ path: "test-artifacts/web-still-other-aspect.png" });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      server.stop();
    }
  },
);

/** Picks a new target colour while live, then checks that the frames shown next are all on it. */
async function checkColourChange(page: Page): Promise<void> {
  await page.fill("#colour", "#00ffff");
  const cyanCorner = `(() => {
    const d = document.getElementById("output").getContext("2d").getImageData(8, 8, 1, 1).data;
    return d[0] < 70 && d[1] > 200 && d[2] > 200;
  })()`;
  await page.waitForFunction(cyanCorner, null, { timeout: 60_000 });
  for (let shown = 0; shown < 4; shown++) {
    const done = (await page.evaluate("window.__bgmatte.framesDone")) as number;
    await page.waitForFunction(`window.__bgmatte.framesDone > ${done}`, null, { timeout: 30_000 });
    assert.ok(await page.evaluate(cyanCorner), "every frame after the change is on the new colour");
  }
}
