/**
 * How the tests run the command line: from source (src/cli/run.ts under tsx), so that a change to src/ is what
 * they test; `bin/bgmatte.js` runs the same module from dist/ (one test checks that launcher).
 */
import { join } from "node:path";

const RUN = join(import.meta.dirname, "..", "src", "cli", "run.ts");

/** Arguments for `spawn(process.execPath, [...CLI, ...args])`, valid from any working directory. */
export const CLI = ["--import", import.meta.resolve("tsx"), RUN];

/** The built launcher a user runs. */
export const BUILT_BIN = join(import.meta.dirname, "..", "bin", "bgmatte.js");
