/**
 * How the tests run the command line: from source (src/cli/run.ts under tsx), so that a change to src/ is what
 * they test; `bin/bgmatte.js` runs the same module from dist/ (one test checks that launcher).
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

const RUN = join(import.meta.dirname, "..", "src", "cli", "run.ts");

/** Arguments for `spawn(process.execPath, [...CLI, ...args])`, valid from any working directory. */
export const CLI = ["--import", import.meta.resolve("tsx"), RUN];

/** The built launcher a user runs. */
export const BUILT_BIN = join(import.meta.dirname, "..", "bin", "bgmatte.js");

/** Run the command line to its end (from source), with a time limit that catches a hang. */
export function runCli(args: string[], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    encoding: "utf8",
    timeout: options.timeout ?? 200_000,
    env: options.env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the command line, send Ctrl-C once its stderr matches `when`, and wait for it to exit. */
export async function interruptWhen(
  args: string[],
  when: RegExp,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: "pipe" });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (when.test(stderr)) {
        clearInterval(timer);
        child.kill("SIGINT");
        resolve();
      }
    }, 20);
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return { code, stderr };
}
