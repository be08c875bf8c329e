/** `bgmatte serve` survives what a browser or a scanner may send, and answers with the right headers. */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { loadOpenCV } from "../src/cv/opencv.js";
import { tempDir } from "./fixtures.js";
import { startServer } from "./web-harness.js";

/** Send a raw request line and headers; resolve with the status line and headers of the answer. */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let got = "";
    socket.on("data", (d) => {
      got += d;
      if (got.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(got.split("\r\n\r\n")[0]);
      }
    });
    socket.on("error", reject);
    socket.setTimeout(10_000, () => reject(new Error(`no answer to ${JSON.stringify(request)}`)));
  });
}

test(
  "no request line kills the server; errors are plain text, files have their type and nosniff",
  { timeout: 60_000 },
  async () => {
    const server = await startServer();
    try {
      const ask = (line: string, method = "") =>
        raw(server.url, `${method}${line}\r\nHost: localhost\r\n\r\n`);
      assert.match(await ask("GET /%E0%A4%A HTTP/1.1"), /^HTTP\/1\.1 400/);
      assert.match(await ask("OPTIONS * HTTP/1.1"), /^HTTP\/1\.1 405[\s\S]*Allow: GET, HEAD/i);
      assert.match(await ask("GET http://localhost/index.html HTTP/1.1"), /^HTTP\/1\.1 200/);
      assert.match(await ask("GET /../../etc/passwd HTTP/1.1"), /^HTTP\/1\.1 404[\s\S]*text\/plain/i);
      assert.match(await ask("GET /models/%2e%2e/package.json HTTP/1.1"), /^HTTP\/1\.1 404/);
      const page = await ask("GET /index.html HTTP/1.1\r\nRange: bytes=0-10");
      assert.match(page, /^HTTP\/1\.1 206/);
      assert.match(page, /content-range: bytes 0-10\/\d+/i);
      assert.match(page, /content-length: 11\r?$/im);
      assert.match(page, /content-type: text\/html/i);
      assert.match(page, /x-content-type-options: nosniff/i);
      assert.match(page, /accept-ranges: bytes/i);
      assert.match(await ask("GET /index.html HTTP/1.1\r\nRange: bytes=-5"), /content-length: 5\r?$/im);
      assert.match(
        await ask("GET /index.html HTTP/1.1\r\nRange: bytes=99999999-"),
        /^HTTP\/1\.1 416[\s\S]*content-range: bytes \*\/\d+/i,
      );
      assert.match(await ask("GET /index.html HTTP/1.1\r\nRange: bytes=0-1,5-9"), /^HTTP\/1\.1 200/);
      const part = await fetch(new URL("models/contract.json", server.url), {
        headers: { Range: "bytes=2-9" },
      });
      const whole = readFileSync(join(import.meta.dirname, "..", "models", "contract.json"));
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(2, 10));
      assert.match(
        await ask("HEAD /models/contract.json HTTP/1.1"),
        /^HTTP\/1\.1 200[\s\S]*application\/json/i,
      );
    } finally {
      server.stop();
    }
  },
);

test("loading OpenCV leaves no error listener that would print its bundle with an uncaught error", async () => {
  await loadOpenCV();
  // Emscripten's listener rethrows anything that is not its own ExitStatus.
  const emscripten = process.listeners("uncaughtException").filter((f) => String(f).includes("ExitStatus"));
  assert.deepEqual(emscripten, []);
});

test("serve --model gives the page a model of one's own (and its refiner), and nothing else of its folder", async () => {
  const dir = tempDir();
  const models = join(import.meta.dirname, "..", "models");
  copyFileSync(join(models, "bm-lite.onnx"), join(dir, "my room.onnx"));
  copyFileSync(join(models, "bm-lite-refiner.onnx"), join(dir, "my room-refiner.onnx"));
  writeFileSync(join(dir, "notes.txt"), "private");
  const server = await startServer(["--model", join(dir, "my room.onnx")]);
  try {
    const url = new URL(server.url);
    assert.equal(url.searchParams.get("model"), "custom-model/my room.onnx");
    for (const name of ["my room.onnx", "my room-refiner.onnx"]) {
      const got = await fetch(new URL(`custom-model/${encodeURIComponent(name)}`, url));
      assert.equal(got.status, 200, name);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), readFileSync(join(dir, name)));
    }
    assert.equal((await fetch(new URL("custom-model/notes.txt", url))).status, 404);
  } finally {
    server.stop();
  }
  const named = await startServer(["--model", "bm-lite"]);
  try {
    assert.equal(new URL(named.url).searchParams.get("model"), "models/bm-lite.onnx");
  } finally {
    named.stop();
  }
});
