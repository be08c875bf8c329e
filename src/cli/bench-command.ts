/** `bgmatte bench`: how fast is matting on this machine, stage by stage. */
import { parseArgs } from "node:util";
import { BgmatteError } from "../errors.js";
import { runImageBenchmark, STANDARD_RESOLUTIONS } from "../eval/benchmark.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { EXIT } from "./exit-codes.js";

export const BENCH_HELP = `Usage: bgmatte bench [--runs 3] [--threads 1,2] [--sizes 640x360,1280x720,1920x1080] [--json <file>]

Mattes a synthetic scene (made in code) at standard resolutions and prints the median time per stage
(decode, align, exposure, prior, resize, network, refine, cleanup, composite, encode), frames per second and
peak memory, for each thread setting. --json writes the same as JSON, to compare runs.`;

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "3" },
      threads: { type: "string", default: "2" },
      sizes: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(BENCH_HELP + "\n");
    return EXIT.ok;
  }
  const runs = Number(values.runs);
  const threads = values.threads!.split(",").map(Number);
  const sizes = values.sizes
    ? values.sizes.split(",").map((s) => s.split("x").map(Number) as [number, number])
    : STANDARD_RESOLUTIONS;
  if (!(runs >= 1) || threads.some((t) => !(t >= 1)) || sizes.some(([w, h]) => !(w >= 16 && h >= 16))) {
    throw new BgmatteError(
      "INVALID_OPTION",
      "bad --runs, --threads or --sizes",
      "e.g. --runs 3 --threads 1,2 --sizes 640x360,1920x1080",
    );
  }
  const result = await runImageBenchmark({
    resolutions: sizes,
    threads,
    runs,
    onResult: (l) => process.stdout.write(l + "\n"),
  });
  process.stdout.write(`peak RSS ${result.peakRssMB} MB\n`);
  if (values.json) await writeFileAtomic(values.json, JSON.stringify(result, null, 2));
  return EXIT.ok;
}
