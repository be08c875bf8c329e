/** `bgmatte worker`: take the queue's jobs until stopped (Ctrl-C); run it on every machine that should help. */
import { DEFAULT_QUEUE, DEFAULT_REDIS } from "../queue/connection.js";
import { startWorker } from "../queue/worker.js";
import { numberFlag } from "./args.js";
import { EXIT, EXIT_CODE_HELP } from "./exit-codes.js";
import { parseCommandLine } from "./parse-command-line.js";

export const WORKER_HELP = `Usage: bgmatte worker [--redis <url>] [options]

Takes jobs from the queue that \`bgmatte queue add\` fills (clip chunks, their joins, photos) until stopped.
Start one per machine; the inputs and output folder must be visible here under the paths they were submitted
with. A worker that dies mid-job loses nothing: after --lock-seconds its job goes to another worker.

Options:
      --redis <url>          the queue's Redis (default: $BGMATTE_REDIS or ${DEFAULT_REDIS})
      --queue <name>         the queue's name (default: ${DEFAULT_QUEUE})
      --concurrency <n>      jobs at once in this process (default 1: one job already uses the inference threads)
      --threads <n>          inference threads per job (default: what the batch asked for, else min(4, cores))
      --lock-seconds <s>     how long a silent worker keeps its job (default 30)
  -q, --quiet                no line per job
  -h, --help                 this help

${EXIT_CODE_HELP}`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandLine("worker", {
    args: argv,
    options: {
      redis: { type: "string" },
      queue: { type: "string" },
      concurrency: { type: "string" },
      threads: { type: "string" },
      "lock-seconds": { type: "string" },
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(WORKER_HELP + "\n");
    return EXIT.ok;
  }
  const log = (s: string) => !values.quiet && process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  await startWorker({
    redis: values.redis,
    queue: values.queue,
    concurrency: numberFlag("concurrency", values.concurrency),
    threads: numberFlag("threads", values.threads),
    lockSeconds: numberFlag("lock-seconds", values["lock-seconds"]),
    onEvent: log,
  });
  log(`worker ready on queue "${values.queue ?? DEFAULT_QUEUE}" (Ctrl-C to stop)`);
  // Runs until a signal: the interrupt handler removes any half-written chunk and exits.
  await new Promise(() => {});
  return EXIT.ok;
}
