/** `bgmatte bench`: how fast is matting on this machine, stage by stage. */
import { parseCommandLine } from "./parse-command-line.js";
import { BgmatteError } from "../errors.js";
import { runImageBenchmark, STANDARD_RESOLUTIONS } from "../eval/benchmark.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { MODE_NAMES, type ModeName } from "../vocabulary.js";
import { EXIT } from "./exit-codes.js";

export const BENCH_HELP = `Usage: bgmatte bench [--runs 3] [--threads 2] [--modes fast,balanced,best]
                     [--sizes 640x360,1280x720,1920x1080,3840x2160] [--json <file>]

Mattes a synthetic scene (made in code) at standard resolutions, for each speed/quality mode and thread setting,
and prints frames per second for a decoded frame (as in a video) and for a photo file (decode, matte, composite,
PNG encode), the median time per stage (decode, exposure, prior, resize, network, upsample, refine, cleanup,
composite, encode) and peak memory. The plate is taken as aligned (tripod); alignment is timed in bench/preprocess.ts.
--json writes the same as JSON, to compare runs.`;

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandLine("bench", {
    args: argv,
    options: {
      runs: { type: "string", default: "3" },
      threads: { type: "string", default: "2" },
      modes: { type: "string", default: MODE_NAMES.join(",") },
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
  const modes = values.modes!.split(",") as ModeName[];
  const badMode = modes.find((m) => !MODE_NAMES.includes(m));
  if (badMode)
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected one of ${MODE_NAMES.join(", ")} for option --modes but received "${badMode}"`,
      "e.g. --modes fast,balanced",
    );
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
    modes,
    runs,
    onResult: (l) => process.stdout.write(l + "\n"),
  });
  process.stdout.write(`peak RSS ${result.peakRssMB} MB\n`);
  if (values.json) await writeFileAtomic(values.json, JSON.stringify(result, null, 2));
  return EXIT.ok;
}
