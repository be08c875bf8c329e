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

/**
 * Start the command line, send Ctrl-C once its stderr matches `when`, and wait for it to exit. If `when` never
 * shows within `timeout` ms (or the program ends first), the child is killed and the promise rejects: a test fails
 * instead of hanging.
 */
export async function interruptWhen(
  args: string[],
  when: RegExp,
  timeout = 150_000,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: "pipe" });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + timeout;
    const timer = setInterval(() => {
      const gaveUp = Date.now() > deadline || child.exitCode !== null;
      if (!when.test(stderr) && !gaveUp) return;
      clearInterval(timer);
      if (when.test(stderr)) {
        child.kill("SIGINT");
        return resolve();
      }
      child.kill("SIGKILL");
      reject(new Error(`${when} never appeared on stderr (${stderr.slice(-300)})`));
    }, 20);
  });
  return { code: await exited, stderr };
}
