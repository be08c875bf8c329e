/**
 * The package as a user gets it: `npm pack`, then a plain `npm install` of the tarball into an empty folder with a
 * clean environment (no .npmrc, no npm_config_* variables, a fresh HOME), then the CLI on the bundled example and
 * the README's library example, run from there. Needs the npm registry (as `npm ci` does).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "./fixtures.js";

const ROOT = join(import.meta.dirname, "..");
// Matting models (bm-lite, bm-lite-fast for the live page: 2.4 MB each; bm-live for fast mode: 0.85 MB), OpenCV.js,
// the page.
const MAX_TARBALL_BYTES = 10 * 2 ** 20;

/** The README's library example, as written there. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Library"));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, "the README has a library example");
  return block[1];
}

test(
  "the packed tarball installs with a plain npm install; its CLI and the README's library example run",
  { timeout: 900_000 },
  (t) => {
    const dir = tempDir("bgmatte-package-");
    const [home, app] = [join(dir, "home"), join(dir, "app")];
    mkdirSync(home);
    mkdirSync(app);
    // A clean environment: only PATH, a fresh HOME, and npm's download cache (which changes no behaviour).
    const env = { PATH: process.env.PATH!, HOME: home, npm_config_cache: join(homedir(), ".npm") };
    const sh = (cmd: string, args: string[], cwd: string) =>
      spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 600_000 });

    const packed = spawnSync("npm", ["pack", "--pack-destination", dir, "--silent"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 600_000,
    });
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = join(dir, packed.stdout.trim().split("\n").pop()!);
    const bytes = statSync(tarball).size;
    t.diagnostic(`tarball ${(bytes / 2 ** 20).toFixed(2)} MB`);
    assert.ok(bytes <= MAX_TARBALL_BYTES, `the tarball is ${(bytes / 2 ** 20).toFixed(2)} MB`);

    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "app", version: "1.0.0", type: "module" }),
    );
    const installed = sh("npm", ["install", "--no-audit", "--no-fund", tarball], app);
    assert.equal(installed.status, 0, installed.stderr);

    const example = join(app, "node_modules", "bgmatte", "examples", "studio");
    const cli = sh(
      join(app, "node_modules", ".bin", "bgmatte"),
      [
        "image",
        join(example, "photo.jpg"),
        "--plate",
        join(example, "plate.jpg"),
        "-o",
        "out",
        "--mode",
        "fast",
      ],
      app,
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.ok(existsSync(join(app, "out", "photo.composite.png")));
    const runtime = /running on its WebAssembly build/.test(cli.stderr) ? "WebAssembly" : "native";
    t.diagnostic(`ONNX Runtime in the installed package: ${runtime}`);

    copyFileSync(join(example, "photo.jpg"), join(app, "shot.jpg"));
    copyFileSync(join(example, "plate.jpg"), join(app, "plate.jpg"));
    writeFileSync(join(app, "example.mjs"), readmeLibraryExample());
    const library = sh(process.execPath, ["example.mjs"], app);
    assert.equal(library.status, 0, library.stderr);
    assert.match(library.stdout, /box|mode/);
    assert.ok(existsSync(join(app, "alpha.png")) && existsSync(join(app, "composite.png")));
  },
);
