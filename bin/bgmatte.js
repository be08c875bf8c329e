#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm ci` through the `prepare` script).
import { existsSync } from "node:fs";

const entry = new URL("../dist/src/cli/run.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "bgmatte: the CLI is not built yet.\n  → run `npm run build` (or `npm ci`) in the package folder\n",
  );
  process.exit(1);
}
await import(entry.href);
