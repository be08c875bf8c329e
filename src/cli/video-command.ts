/** `bgmatte video`: matte a clip against its plate (or an estimated one) and encode the results. */
import { mkdir } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { composite, cover, foregroundRgba, parseColour, type Rgb } from "../composite/composite.js";
import { BgmatteError } from "../errors.js";
import { decodeImage, writePng } from "../image/codec-node.js";
import { fromUint8, toUint8, type FloatImage } from "../image/types.js";
import { conformPlate, createMatter } from "../node/matter.js";
import { estimateCleanPlate } from "../video/clean-plate.js";
import { decodeFrames, probe } from "../video/ffmpeg.js";
import { matteVideo } from "../video/matte-video.js";
import { DEFAULT_TEMPORAL } from "../video/temporal.js";
import { VideoWriter } from "../video/writer.js";
import { MATTING_FLAGS, modelOptionsFromFlags, numberFlag } from "./args.js";
import { EXIT, EXIT_CODE_HELP } from "./exit-codes.js";
import { ensureWritableDir } from "./output-dir.js";
import { createProgress } from "./progress.js";

export const VIDEO_HELP = `Usage: bgmatte video <clip> --plate <image|auto> [options]

Mattes every frame of a clip against its clean plate, with motion cues from neighbouring frames, and writes
into the output directory:
  <name>.composite.mp4   the subject on the target (H.264, with the clip's audio)
  <name>.alpha.mp4       the alpha matte as a grey video
  <name>.fg.webm         the subject with transparency (VP9 with alpha)      (skip with --no-fg)
  <name>.plate.png       the estimated plate, with --plate auto
  <name>-frames/         RGBA PNG sequence                                    (with --png-sequence)

Options:
  -p, --plate <image|auto>   the clean plate, or "auto" to estimate it from the clip (temporal median)
  -t, --target <img|clip|#hex>  background: an image, a video (looped) or a colour (default #00b140)
  -o, --out <dir>            output directory (default: bgmatte-out)
      --motion-seconds <s>   spacing T of the motion cues t±T, t±2T (default 0.67)
      --hand-held            align the plate to every frame (smoothed homographies)
      --no-temporal          no flicker reduction
      --no-fg                do not write the transparent WebM
      --png-sequence         also write an RGBA PNG per frame
      --max-frames <n>       stop after n frames (previews)
      --model, --threads, --mode, --subject, --working-size, --refine   as for \`bgmatte image\`
  -q, --quiet                no progress
  -h, --help                 this help

Examples:
  bgmatte video talk.mp4 --plate room.png --target beach.jpg -o out
  bgmatte video street.avi --plate auto -o out --max-frames 200

${EXIT_CODE_HELP}`;

export async function videoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MATTING_FLAGS,
      "motion-seconds": { type: "string", default: "0.67" },
      "hand-held": { type: "boolean", default: false },
      "no-temporal": { type: "boolean", default: false },
      "no-fg": { type: "boolean", default: false },
      "png-sequence": { type: "boolean", default: false },
      "max-frames": { type: "string" },
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
  const info = probe(clip);
  const stem = basename(clip, extname(clip));
  const out = values.out!;
  const paths = {
    composite: join(out, `${stem}.composite.mp4`),
    alpha: join(out, `${stem}.alpha.mp4`),
    fg: join(out, `${stem}.fg.webm`),
    plate: join(out, `${stem}.plate.png`),
    frames: join(out, `${stem}-frames`),
  };
  if (
    Object.values(paths).some((p) => resolve(p) === resolve(clip) || resolve(p) === resolve(values.plate!))
  ) {
    throw new BgmatteError(
      "OUTPUT_IS_INPUT",
      "an output would overwrite an input",
      "choose another output directory with -o",
    );
  }
  await ensureWritableDir(out);
  const log = (s: string) => !values.quiet && process.stderr.write(s);

  let plate: FloatImage;
  const warnings: string[] = [];
  if (values.plate === "auto") {
    log("estimating the clean plate from the clip…\n");
    const est = await estimateCleanPlate(clip, info);
    plate = est.plate;
    await writePng(paths.plate, plate);
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

  // Target: a colour, an image, or a clip (looped).
  let target: Rgb | FloatImage = [0, 0xb1 / 255, 0x40 / 255];
  let targetFrames: (() => Promise<FloatImage>) | undefined;
  let closeTarget = async () => {};
  if (values.target) {
    const colour = parseColour(values.target);
    if (colour) target = colour;
    else if (/\.(mp4|mov|webm|avi|mkv|m4v)$/i.test(values.target)) {
      const tInfo = probe(values.target);
      let it = decodeFrames(values.target, tInfo);
      targetFrames = async () => {
        let r = await it.next();
        if (r.done) {
          it = decodeFrames(values.target!, tInfo);
          r = await it.next();
        }
        return cover(fromUint8(r.value!, tInfo.width, tInfo.height, 3), info.width, info.height);
      };
      // Stops the target's ffmpeg when we are done (a suspended decoder would keep the process alive).
      closeTarget = async () => void (await it.return(undefined));
    } else target = cover(await decodeImage(values.target, "target background"), info.width, info.height);
  }

  const matter = await createMatter({
    ...modelOptionsFromFlags(values),
    align: "off", // per-frame alignment is done (smoothed) by the video loop when --hand-held
    exposure: false,
  });
  const base = { width: info.width, height: info.height, fps: info.fps };
  const writers = [
    new VideoWriter(paths.composite, { ...base, format: "mp4", audioFrom: info.hasAudio ? clip : undefined }),
    new VideoWriter(paths.alpha, { ...base, format: "mp4-grey" }),
    ...(values["no-fg"] ? [] : [new VideoWriter(paths.fg, { ...base, format: "webm-alpha" })]),
  ];
  if (values["png-sequence"]) await mkdir(paths.frames, { recursive: true });
  const maxFrames = numberFlag("max-frames", values["max-frames"]) ?? Infinity;
  const total = Math.min(
    maxFrames,
    Number.isFinite(info.duration) ? Math.round(info.duration * info.fps) : Infinity,
  );
  const started = Date.now();
  let done = 0;
  const rssAt: Record<string, string> = {};
  const progress = createProgress(Number.isFinite(total) ? total : 1e9, !values.quiet);
  try {
    for await (const frame of matteVideo(matter, clip, info, {
      plate,
      motionSeconds: numberFlag("motion-seconds", values["motion-seconds"])!,
      handHeld: values["hand-held"],
      temporal: values["no-temporal"] ? { ...DEFAULT_TEMPORAL, strength: 0 } : DEFAULT_TEMPORAL,
    })) {
      const t = targetFrames ? await targetFrames() : target;
      await writers[0].write(toUint8(composite(frame.result, t)));
      await writers[1].write(toUint8(frame.result.alpha));
      const rgba = foregroundRgba(frame.result);
      if (writers[2]) await writers[2].write(toUint8(rgba));
      if (values["png-sequence"])
        await writePng(join(paths.frames, `frame_${String(frame.index + 1).padStart(6, "0")}.png`), rgba);
      done++;
      if (Number.isFinite(total) && (done === Math.round(total * 0.1) || done === Math.round(total * 0.9))) {
        const m = process.memoryUsage();
        const mb = (v: number) => Math.round(v / 2 ** 20);
        rssAt[done === Math.round(total * 0.1) ? "10%" : "90%"] =
          `${mb(m.rss)} MB (JS heap ${mb(m.heapUsed)}, buffers ${mb(m.arrayBuffers)})`;
      }
      progress.tick(`frame ${frame.index + 1}`);
      if (done >= maxFrames) break;
    }
    for (const w of writers) await w.finish();
  } catch (e) {
    for (const w of writers) await w.abort();
    throw e;
  } finally {
    progress.done();
    await closeTarget();
    await matter.dispose();
  }
  const memory = Object.entries(rssAt)
    .map(([k, v]) => `${v} at ${k}`)
    .join(", ");
  log(
    `wrote ${writers.length} videos to ${out} (${done} frames, ${(done / ((Date.now() - started) / 1000)).toFixed(2)} fps; RSS ${memory || "n/a"}; peak ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)\n`,
  );
  return EXIT.ok;
}
