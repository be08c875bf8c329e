/** `bgmatte video`: matte a clip against its plate (or an estimated one) and encode the results. */
import { parseCommandLine } from "./parse-command-line.js";
import { parseColour } from "../composite/composite.js";
import { BgmatteError } from "../errors.js";
import { checkSize, decodeImage, writePng } from "../image/codec-node.js";
import { DEFAULT_MAX_PIXELS } from "../options.js";
import type { FloatImage } from "../image/types.js";
import { conformPlate } from "../align/conform-plate.js";
import { createMatter } from "../node/matter.js";
import { estimateCleanPlate } from "../video/clean-plate.js";
import { probe } from "../video/ffmpeg.js";
import { matteVideoFile, type VideoFileReport } from "../video/matte-video-file.js";
import { openTarget } from "../video/target.js";
import { DEFAULT_TEMPORAL } from "../video/temporal.js";
import { encodedSize } from "../video/writer.js";
import {
  IO_FLAGS,
  MATTING_FLAGS,
  MATTING_HELP,
  VIDEO_FLAGS,
  mattingOptionsFromFlags,
  numberFlag,
} from "./args.js";
import { EXIT, EXIT_CODE_HELP } from "./exit-codes.js";
import { noteKeptOnInterrupt } from "../io/atomic-write.js";
import { ensureWritableDir } from "./output-dir.js";
import { createProgress } from "./progress.js";
import { checkVideoOutputs, planVideoOutputs } from "./video-outputs.js";

export const VIDEO_HELP = `Usage: bgmatte video <clip> --plate <image|auto> [options]

Mattes every frame of a clip against its clean plate, with motion cues from neighbouring frames. With -o
naming a folder (the default), writes into it:
  <name>.composite.mp4   the subject on the target (H.264, with the clip's audio)
  <name>.alpha.mp4       the alpha matte as a grey video                      (skip with --no-alpha)
  <name>.fg.webm         the subject with transparency (VP9 with alpha)      (skip with --no-fg)
  <name>.plate.png       the estimated plate, with --plate auto
  <name>-frames/         RGBA PNG sequence                                    (with --png-sequence)
With -o naming a video file, writes that one video: the composite (.mp4, .mov, .mkv), the transparent
foreground (.webm), or what --only picks.

Speed: --mode fast is the quick path (a 768×576 clip runs at about 4.5 frames/s on 2 cores); balanced, the
default, re-predicts the subject at 512 px (about 0.6 frames/s there), best at 768 and again at 512 px. Try
--max-frames 50 first.

Options:
  -p, --plate <image|auto>   the clean plate, or "auto" to estimate it from the clip (temporal median)
  -t, --target <img|clip|colour>  background: an image, a video (looped) or a colour, #rrggbb or a CSS name
                             such as "white" (default #00b140)
  -o, --out <dir|file>       output folder (default: bgmatte-out), or one video file
      --only <kinds>         write only these of composite, alpha, fg (comma-separated)
      --motion-seconds <s>   spacing T of the motion cues t±T, t±2T (default 0.67)
      --hand-held            align the plate to every frame (homographies filtered without lag)
      --no-exposure          do not match the plate's exposure to every frame (default: matched, as cameras
                             drift when a subject walks in)
      --no-temporal          no flicker reduction
      --no-fg                do not write the transparent WebM
      --no-alpha             do not write the alpha video
      --png-sequence         also write an RGBA PNG per frame
      --max-frames <n>       stop after n frames (previews)
      --max-pixels <n>       refuse larger frames (default: 50000000)
      --accept-short         keep the outputs of a clip that ends before its header says (truncated)
${MATTING_HELP}
      --json                 print a JSON report on stdout (outputs, frames, speed, memory)
  -q, --quiet                no progress
  -h, --help                 this help

Examples:
  bgmatte video talk.mp4 --plate room.png --target beach.jpg -o out
  bgmatte video street.avi --plate auto -o out --max-frames 200 --mode fast
  bgmatte video talk.mp4 --plate room.png --only fg -o talk-subject.webm

${EXIT_CODE_HELP}`;

export async function videoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine("video", {
    args: argv,
    allowPositionals: true,
    options: {
      ...IO_FLAGS,
      ...MATTING_FLAGS,
      ...VIDEO_FLAGS,
      json: { type: "boolean", default: false },
      "png-sequence": { type: "boolean", default: false },
      "max-frames": { type: "string" },
      "max-pixels": { type: "string" },
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(VIDEO_HELP + "\n");
    return EXIT.ok;
  }
  const clip = positionals[0];
  if (!clip || positionals.length > 1)
    throw new BgmatteError(
      "INVALID_OPTION",
      "give exactly one clip",
      "usage: bgmatte video <clip> --plate <image|auto> (see --help)",
    );
  if (!values.plate)
    throw new BgmatteError(
      "INVALID_OPTION",
      "--plate is required",
      'give the clean plate (an image), or "--plate auto" to estimate it',
    );
  const paths = planVideoOutputs(clip, values.out!, {
    only: values.only,
    noAlpha: values["no-alpha"],
    noFg: values["no-fg"],
  });
  const inputs = [
    clip,
    values.plate,
    ...(values.target && !parseColour(values.target) ? [values.target] : []),
  ];
  checkVideoOutputs(paths, inputs, { plate: values.plate === "auto", frames: values["png-sequence"] });
  const info = probe(clip);
  // The same limit as for images, before a frame is decoded: an 8192×8192 clip took 4.4 GB in 12 s.
  checkSize(
    info.width,
    info.height,
    numberFlag("max-pixels", values["max-pixels"]) ?? DEFAULT_MAX_PIXELS,
    clip,
    "clip",
  );
  await ensureWritableDir(paths.folder);
  const log = (s: string) => !values.quiet && process.stderr.write(s);

  let plate: FloatImage;
  const warnings: string[] = [];
  if (values.plate === "auto") {
    log("estimating the clean plate from the clip…\n");
    const est = await estimateCleanPlate(clip, info);
    plate = est.plate;
    await writePng(paths.plate, plate);
    noteKeptOnInterrupt(paths.plate);
    log(
      `plate: median of ${est.samples} frames, ${(est.unstableFraction * 100).toFixed(1)} % unstable pixels → ${paths.plate}\n`,
    );
    if (!est.reliable)
      log(
        `warning: the estimated plate looks unreliable (the subject may stay in place, or the camera moves); check ${paths.plate}\n`,
      );
  } else {
    plate = await decodeImage(values.plate, "plate");
    plate = conformPlate(plate, info, warnings);
  }
  for (const w of warnings) log(`warning: ${w}\n`);

  const even = encodedSize(info.width, info.height);
  if (even.width !== info.width || even.height !== info.height)
    log(
      `note: the clip is ${info.width}×${info.height}; H.264 and VP9 need even sides, so the videos are padded to ${even.width}×${even.height}\n`,
    );
  const target = await openTarget(values.target, info);
  const matter = await createMatter({
    ...mattingOptionsFromFlags(values),
    align: "off", // per-frame alignment is done (filtered over frames) by the video loop when --hand-held
    exposure: !values["no-exposure"],
  });
  const maxFrames = numberFlag("max-frames", values["max-frames"]);
  const expected = Math.min(maxFrames ?? Infinity, Math.round(info.duration * info.fps));
  const progress = createProgress(Number.isFinite(expected) ? expected : 1e9, !values.quiet, {
    unit: "frames",
    fps: info.fps,
  });
  let report: VideoFileReport;
  try {
    report = await matteVideoFile(matter, {
      clip,
      info,
      plate,
      target,
      outputs: {
        composite: paths.composite,
        alpha: paths.alpha,
        fg: paths.fg,
        frames: values["png-sequence"] ? paths.frames : undefined,
      },
      motionSeconds: numberFlag("motion-seconds", values["motion-seconds"])!,
      handHeld: values["hand-held"],
      temporal: values["no-temporal"] ? { ...DEFAULT_TEMPORAL, strength: 0 } : DEFAULT_TEMPORAL,
      maxFrames,
      acceptShort: values["accept-short"],
      onProgress: () => progress.tick(""),
    });
  } finally {
    progress.done();
    await target.close();
    await matter.dispose();
  }
  const written = [paths.composite, paths.alpha, paths.fg].filter((p) => p !== undefined);
  if (report.truncated)
    log(
      `warning: the clip gave ${report.frames} of the ${report.expected} frames its header announces (kept)\n`,
    );
  const summary = {
    clip,
    outputs: {
      composite: paths.composite,
      alpha: paths.alpha,
      fg: paths.fg,
      plate: values.plate === "auto" ? paths.plate : undefined,
      frames: values["png-sequence"] ? paths.frames : undefined,
    },
    ...report,
    fps: +progress.rate().toFixed(3),
    speed: +(progress.rate() / info.fps).toFixed(3),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
  const memory = Object.entries(report.memory)
    .map(([k, v]) => `${v} at ${k}`)
    .join(", ");
  log(
    `wrote ${written.join(", ")} (${report.frames} frames, ${summary.fps.toFixed(2)} frames/s, speed ${summary.speed.toFixed(2)}x; RSS ${memory || "n/a"}; peak ${summary.peakRssMb} MB)\n`,
  );
  return EXIT.ok;
}
