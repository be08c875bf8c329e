/** Documented exit codes (also printed by `bgmatte --help`). */
import type { ErrorCode } from "../errors.js";

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  badInput: 3,
  output: 4,
  queue: 5,
  jobsFailed: 6,
  interrupted: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case "INVALID_OPTION":
      return EXIT.usage;
    case "OUTPUT_NOT_WRITABLE":
    case "OUTPUT_IS_INPUT":
      return EXIT.output;
    case "MODEL_CONTRACT":
    case "DISPOSED":
      return EXIT.internal;
    case "ALIGNMENT_FAILED":
      return EXIT.badInput;
    case "ABORTED":
      return EXIT.interrupted;
    case "QUEUE_UNREACHABLE":
      return EXIT.queue;
    case "JOBS_FAILED":
      return EXIT.jobsFailed;
    default:
      return EXIT.badInput;
  }
}

export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    internal error (a bug: please report it)
  2    usage error (unknown flag, bad option value)
  3    bad input (missing, unreadable, empty or too large image; plate that does not fit the photo; missing or
       unloadable model)
  4    output problem (directory not writable, output would overwrite an input)
  5    the queue's Redis cannot be reached (queue, worker)
  6    jobs of the batch failed for good (queue wait)
  130  interrupted (Ctrl-C); no partial file is left under a final name`;
