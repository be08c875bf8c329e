/** `bgmatte` command: dispatch to sub-commands, map errors to exit codes, clean up on Ctrl-C. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BgmatteError } from "../errors.js";
import { keptOnInterrupt, removePendingTemporaries } from "../io/atomic-write.js";
import { packageRoot } from "../network/models-node.js";
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from "./exit-codes.js";
import { imageCommand } from "./image-command.js";
import { suggestion } from "./parse-command-line.js";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; summary: string }> = {
  image: { run: async () => imageCommand, summary: "matte photos against a clean plate" },
  video: {
    run: async () => (await import("./video-command.js")).videoCommand,
    summary: "matte a video clip against its plate (or --plate auto)",
  },
  queue: {
    run: async () => (await import("./queue-command.js")).queueCommand,
    summary: "submit clips and photos to workers on many machines (BullMQ on Redis)",
  },
  worker: {
    run: async () => (await import("./worker-command.js")).workerCommand,
    summary: "take the queue's jobs until stopped (run one per machine)",
  },
  serve: {
    run: async () => (await import("./serve-command.js")).serveCommand,
    summary: "the live webcam green screen in your browser",
  },
  bench: {
    run: async () => (await import("./bench-command.js")).benchCommand,
    summary: "time every stage at standard resolutions",
  },
  eval: {
    run: async () => (await import("./eval-command.js")).evalCommand,
    summary: "score the model and baselines on a dataset",
  },
};

function help(): string {
  const cmds = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
    .join("\n");
  return `bgmatte — turn any room into a green screen (background matting against a clean plate)

Usage: bgmatte <command> [options]    (bgmatte <command> --help for its options)

Commands:
${cmds}

Example:
  bgmatte image examples/studio/photo.jpg --plate examples/studio/plate.jpg -o out

${EXIT_CODE_HELP}`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(help() + "\n");
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === "--version" || command === "-v") {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
    process.stdout.write(pkg.version + "\n");
    return EXIT.ok;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    const near = suggestion(command, Object.keys(COMMANDS));
    process.stderr.write(
      `error: unknown command "${command}"${near ? ` (did you mean ${near}?)` : ""}\n` +
        `  → commands: ${Object.keys(COMMANDS).join(", ")} (bgmatte --help)\n`,
    );
    return EXIT.usage;
  }
  try {
    return await (
      await entry.run()
    )(rest);
  } catch (e) {
    if (e instanceof BgmatteError) {
      process.stderr.write(`error: ${e.message}\n`);
      return exitCodeFor(e.code);
    }
    const code = (e as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${(e as Error).message}\n  → see bgmatte ${command} --help\n`);
      return EXIT.usage;
    }
    process.stderr.write(`internal error: ${(e as Error).stack ?? e}\n`);
    return EXIT.internal;
  }
}

export function installInterruptHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      removePendingTemporaries();
      const kept = keptOnInterrupt();
      process.stderr.write(
        `\ninterrupted: no partial file was left behind` +
          (kept.length ? `; kept from the unfinished job: ${kept.join(", ")}\n` : "\n"),
      );
      process.exit(EXIT.interrupted);
    });
  }
}
