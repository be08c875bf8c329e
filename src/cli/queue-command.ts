/** `bgmatte queue add|status|wait`: batches of clips and photos on a BullMQ queue (Redis), for `bgmatte worker`s. */
import { BgmatteError } from "../errors.js";
import { DEFAULT_CHUNK_FRAMES } from "../queue/chunk-plan.js";
import { DEFAULT_QUEUE, DEFAULT_REDIS } from "../queue/connection.js";
import { batchStatus, listBatches, waitForBatch, type BatchStatus } from "../queue/status.js";
import { submitBatch } from "../queue/submit.js";
import { MATTING_FLAGS, MATTING_HELP, VIDEO_FLAGS, mattingOptionsFromFlags, numberFlag } from "./args.js";
import { EXIT, EXIT_CODE_HELP } from "./exit-codes.js";
import { OUTPUT_KINDS } from "./image-outputs.js";
import { parseOnly } from "./only-flag.js";
import { parseCommandLine } from "./parse-command-line.js";
import { createProgress } from "./progress.js";

const CONNECTION_HELP = `      --redis <url>          the queue's Redis (default: $BGMATTE_REDIS or ${DEFAULT_REDIS})
      --queue <name>         the queue's name (default: ${DEFAULT_QUEUE})`;

export const QUEUE_HELP = `Usage: bgmatte queue add <clips|photos…> --plate <image|auto> -o <shared folder> [options]
       bgmatte queue status [batch] [--json]
       bgmatte queue wait <batch>

Spreads matting over machines: \`queue add\` submits a batch, \`bgmatte worker\` (on any number of machines)
does it, \`queue wait\` follows it to the end. Clips are cut into chunks that any worker mattes; the last step
joins them into the same outputs as \`bgmatte video\` (composite with the clip's audio, alpha, transparent
WebM). Photos give the same files as \`bgmatte image\`. Every machine must see the inputs and the output folder
under the same paths (a shared folder); chunks wait in <out>/.bgmatte-chunks until joined.

add options:
  -p, --plate <image|auto>   the clean plate (auto: estimated from each clip, here, before submitting)
  -t, --target <img|clip|colour>  background: an image, a clip (looped) or a colour (default #00b140)
  -o, --out <folder>         where every output goes (default: bgmatte-out)
      --chunk-frames <n>     frames per chunk (default ${DEFAULT_CHUNK_FRAMES}; each also mattes ~46 warm-up frames)
      --attempts <n>         tries per job before it fails for good (default 3, backoff from 5 s doubling)
      --motion-seconds <s>   spacing T of the motion cues (default 0.67)
      --hand-held            align the plate to every frame
      --no-exposure          do not match the plate's exposure to every frame
      --no-temporal          no flicker reduction
      --no-fg, --no-alpha    skip the transparent WebM / the alpha video
      --only <kinds>         photos: write only these of ${OUTPUT_KINDS.join(", ")}
      --accept-short         keep the outputs of a truncated clip
${MATTING_HELP}
      --wait                 stay and follow the batch to its end (as \`queue wait\`)
${CONNECTION_HELP}
      --json                 print the batch (add, status) as JSON on stdout
  -q, --quiet                no progress
  -h, --help                 this help

Examples:
  bgmatte queue add /shared/in/*.mp4 --plate auto -o /shared/out --redis redis://queue-host:6379
  bgmatte worker --redis redis://queue-host:6379          (on every machine)
  bgmatte queue wait 20261202T0930-1a2b3c --redis redis://queue-host:6379

${EXIT_CODE_HELP}`;

export async function queueCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine("queue", {
    args: argv,
    allowPositionals: true,
    options: {
      ...MATTING_FLAGS,
      ...VIDEO_FLAGS,
      plate: { type: "string", short: "p" },
      target: { type: "string", short: "t" },
      out: { type: "string", short: "o", default: "bgmatte-out" },
      "chunk-frames": { type: "string" },
      attempts: { type: "string" },
      wait: { type: "boolean", default: false },
      redis: { type: "string" },
      queue: { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    process.stdout.write(QUEUE_HELP + "\n");
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const connection = { redis: values.redis, queue: values.queue };
  const log = (s: string) => !values.quiet && process.stderr.write(s + "\n");
  switch (action) {
    case "add": {
      if (!values.plate)
        throw new BgmatteError(
          "INVALID_OPTION",
          "--plate is required",
          'give the clean plate (an image), or "--plate auto" to estimate it from each clip',
        );
      const submitted = await submitBatch({
        ...connection,
        inputs: rest,
        plate: values.plate,
        target: values.target,
        out: values.out!,
        matter: mattingOptionsFromFlags(values),
        motionSeconds: numberFlag("motion-seconds", values["motion-seconds"]),
        handHeld: values["hand-held"],
        exposure: !values["no-exposure"],
        temporal: !values["no-temporal"],
        chunkFrames: numberFlag("chunk-frames", values["chunk-frames"]),
        attempts: numberFlag("attempts", values.attempts),
        acceptShort: values["accept-short"],
        videoOutputs: { noAlpha: values["no-alpha"], noFg: values["no-fg"] },
        photoOutputs: parseOnly(values.only, OUTPUT_KINDS),
        onLog: log,
      });
      const chunks = submitted.manifest.jobs.reduce((n, j) => n + j.chunks.length, 0);
      log(
        `submitted batch ${submitted.batch}: ${submitted.manifest.jobs.length} jobs (${chunks} clip chunks) on queue "${submitted.queue}"`,
      );
      if (values.json && !values.wait)
        process.stdout.write(JSON.stringify(submitted.manifest, null, 2) + "\n");
      if (!values.wait) {
        log(
          `follow it with: bgmatte queue wait ${submitted.batch}${values.redis ? ` --redis ${values.redis}` : ""}`,
        );
        return EXIT.ok;
      }
      return follow(submitted.batch, connection, values);
    }
    case "status": {
      if (!rest[0]) {
        const batches = await listBatches(connection);
        if (values.json) process.stdout.write(JSON.stringify({ batches }, null, 2) + "\n");
        else if (!batches.length) process.stdout.write("no batches\n");
        for (const b of values.json ? [] : batches)
          process.stdout.write(summary(await batchStatus(b, connection)) + "\n");
        return EXIT.ok;
      }
      const status = await batchStatus(rest[0], connection);
      process.stdout.write(values.json ? JSON.stringify(status, null, 2) + "\n" : describe(status));
      return EXIT.ok;
    }
    case "wait":
      if (!rest[0])
        throw new BgmatteError("INVALID_OPTION", "give the batch to wait for", "bgmatte queue wait <batch>");
      return follow(rest[0], connection, values);
    default:
      throw new BgmatteError(
        "INVALID_OPTION",
        `unknown queue action "${action}"`,
        "use bgmatte queue add, status or wait (see --help)",
      );
  }
}

/** Follow a batch to its end with a progress bar over all its frames and photos; non-zero when a job failed. */
async function follow(
  batch: string,
  connection: { redis?: string; queue?: string },
  values: { quiet?: boolean; json?: boolean },
): Promise<number> {
  const first = await batchStatus(batch, connection);
  const work = (s: BatchStatus) =>
    s.jobs.reduce(
      (n, j) => n + (j.kind === "clip" ? (j.framesDone ?? 0) : j.state === "completed" ? 1 : 0),
      0,
    );
  const total = first.jobs.reduce((n, j) => n + (j.kind === "clip" ? (j.framesExpected ?? 0) : 1), 0);
  const kinds = new Set(first.jobs.map((j) => j.kind));
  const unit = kinds.size > 1 ? "frames and photos" : kinds.has("clip") ? "frames" : "photos";
  const progress = createProgress(total, !values.quiet, { unit });
  const reported = new Set<string>();
  const final = await waitForBatch(batch, {
    ...connection,
    onStatus(s) {
      for (const j of s.jobs)
        if ((j.state === "completed" || j.state === "failed") && !reported.has(j.id)) {
          reported.add(j.id);
          progress.log(
            j.state === "completed"
              ? `done: ${j.input} → ${(j.outputs ?? []).join(", ")}`
              : `FAILED: ${j.input}: ${j.failedReason}`,
          );
        }
      progress.advanceTo(work(s), `${s.completed}/${s.jobs.length} jobs done`);
    },
  });
  progress.done();
  if (values.json) process.stdout.write(JSON.stringify(final, null, 2) + "\n");
  if (!final.failed) return EXIT.ok;
  throw new BgmatteError(
    "JOBS_FAILED",
    `${final.failed} of ${final.jobs.length} jobs of ${batch} failed for good`,
    "`bgmatte queue status " + batch + "` says why; fix the input and submit it again",
  );
}

function summary(s: BatchStatus): string {
  const running = s.jobs.length - s.completed - s.failed;
  return `${s.batch}  ${s.completed} done, ${running} to do, ${s.failed} failed  (of ${s.jobs.length}; submitted ${s.created})`;
}

function describe(s: BatchStatus): string {
  const lines = [summary(s)];
  for (const j of s.jobs) {
    const frames =
      j.kind === "clip"
        ? `  ${j.framesDone}/${j.framesExpected ?? "?"} frames, chunks ${j.chunks?.completed}/${j.chunks?.total}`
        : "";
    lines.push(
      `  ${j.state.padEnd(16)} ${j.input}${frames}${j.attempts > 1 ? `  (${j.attempts} tries)` : ""}`,
    );
    if (j.failedReason) lines.push(`    why: ${j.failedReason.split("\n").join(" ")}`);
  }
  return lines.join("\n") + "\n";
}
