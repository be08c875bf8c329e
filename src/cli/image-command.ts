/** `bgmatte image`: many photos against one plate → alpha, foreground, composite and preview PNGs. */
import { parseCommandLine } from "./parse-command-line.js";
import { parseColour, type Rgb } from "../composite/composite.js";
import { GREEN, readStillTarget } from "../video/target.js";
import { dirname, resolve } from "node:path";
import { BgmatteError } from "../errors.js";
import { decodeImage, encodePng } from "../image/codec-node.js";
import type { FloatImage } from "../image/types.js";
import { createMatter } from "../node/matter.js";
import { expandPhotos, readStdin } from "./inputs.js";
import { parseOnly } from "./only-flag.js";
import {
  checkNoOverwrite,
  IMAGE_FILE,
  OUTPUT_KINDS,
  photoOutputs,
  planOutputs,
  writePhotoOutputs,
} from "./image-outputs.js";
import { ensureWritableDir } from "./output-dir.js";
import { createProgress } from "./progress.js";
import {
  IO_FLAGS,
  MATTING_FLAGS,
  MATTING_HELP,
  mattingOptionsFromFlags,
  numberFlag,
  PLATE_FLAGS,
  PLATE_HELP,
  plateOptionsFromFlags,
} from "./args.js";
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from "./exit-codes.js";

export const IMAGE_HELP = `Usage: bgmatte image <photo|dir|->... --plate <plate> [options]

Matte photos against a clean plate (the same scene without the subject) and composite the subject on a new
background. With -o naming a folder (the default), writes for each photo:
  <name>.alpha.png      the alpha matte (white = subject)
  <name>.fg.png         the subject's colours with transparency (RGBA)
  <name>.composite.png  the subject on the target background
  <name>.preview.png    input | alpha | composite, side by side
With -o naming a file (.png, .jpg, .webp), writes that one file: the composite, or the output --only names.
A photo "-" is read from standard input; -o - writes the one output to standard output as PNG.

Options:
  -p, --plate <file>        the clean plate (required)
  -t, --target <img|colour> background to composite on: an image (scaled to cover) or a colour, #rrggbb or a
                            CSS name such as "white" (default #00b140)
  -o, --out <dir|file|->    output folder (default: bgmatte-out), one output file, or - for standard output
      --only <kinds>        write only these of alpha, fg, composite, preview (comma-separated)
      --prior <file>        your own subject mask (white = subject) instead of the prior --subject chooses
${MATTING_HELP}
      --no-cleanup          keep every component of the matte (default keeps the largest)
${PLATE_HELP}
      --max-pixels <n>      refuse larger images (default: 50000000)
      --json                print a JSON report on stdout
  -q, --quiet               no progress on stderr
  -h, --help                this help

Examples:
  bgmatte image examples/studio/photo.jpg --plate examples/studio/plate.jpg -o out
  bgmatte image examples/studio/photo.jpg --plate examples/studio/plate.jpg --only alpha -o mask.png
  cat shot.jpg | bgmatte image - --plate plate.jpg --target white -o - > composite.png
  bgmatte image shots/ --plate shots/plate.jpg --target beach.jpg -o composites --json

${EXIT_CODE_HELP}`;

export async function imageCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine("image", {
    args: argv,
    allowPositionals: true,
    options: {
      ...IO_FLAGS,
      ...MATTING_FLAGS,
      ...PLATE_FLAGS,
      prior: { type: "string" },
      only: { type: "string" },
      "no-cleanup": { type: "boolean", default: false },
      "max-pixels": { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(IMAGE_HELP + "\n");
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new BgmatteError(
      "INVALID_OPTION",
      "no photo given",
      "usage: bgmatte image <photo>... --plate <plate> (see --help)",
    );
  if (!values.plate)
    throw new BgmatteError(
      "INVALID_OPTION",
      "--plate is required",
      "give the clean plate: --plate plate.png (see --help)",
    );

  const photos = expandPhotos(positionals, [values.plate]);
  const out = values.out!;
  if (out === "-" && values.json)
    throw new BgmatteError(
      "INVALID_OPTION",
      "-o - and --json both write to standard output",
      "drop one of them",
    );
  const plans = planOutputs(photos, out, parseOnly(values.only, OUTPUT_KINDS));
  const inputs = [
    ...photos.filter((p) => p !== "-"),
    values.plate,
    ...(values.prior ? [values.prior] : []),
    ...(values.target && !parseColour(values.target) ? [values.target] : []),
  ];
  checkNoOverwrite(plans, inputs);

  const maxPixels = numberFlag("max-pixels", values["max-pixels"]);
  const matter = await createMatter({
    ...mattingOptionsFromFlags(values),
    ...plateOptionsFromFlags(values),
    cleanup: !values["no-cleanup"],
    maxPixels,
  });
  const target: Rgb | FloatImage = values.target ? await readStillTarget(values.target) : GREEN;
  if (out !== "-") await ensureWritableDir(IMAGE_FILE.test(out) ? dirname(resolve(out)) : out);

  // The plate and the mask are the same for every photo: decoded once.
  const plate = await decodeImage(values.plate, "plate", maxPixels);
  const prior = values.prior ? await decodeImage(values.prior, "prior mask", maxPixels) : undefined;
  const progress = createProgress(photos.length, !values.quiet, { unit: "photos" });
  const report: unknown[] = [];
  let failures = 0;
  let worstExit: number = EXIT.ok;
  try {
    for (let i = 0; i < photos.length; i++) {
      const photo = photos[i];
      const plan = plans[i];
      try {
        const image = await decodeImage(photo === "-" ? await readStdin() : photo, "photo", maxPixels);
        const result = await matter.matte({ image, plate, prior });
        const t0 = performance.now();
        const made = photoOutputs(image, result, target);
        await writePhotoOutputs(made, plan.files);
        if (plan.stdout) process.stdout.write(await encodePng(made[plan.stdout]()));
        result.meta.timings.write = performance.now() - t0;
        for (const w of result.meta.warnings) if (!values.quiet) progress.log(`warning: ${photo}: ${w}`);
        report.push({ photo, outputs: plan.files, ...result.meta });
        progress.tick(photo);
      } catch (e) {
        if (!(e instanceof BgmatteError) || photos.length === 1) throw e;
        failures++;
        worstExit = Math.max(worstExit, exitCodeFor(e.code));
        progress.tick(`${photo} FAILED`);
        progress.log(`error: ${e.message}`);
        report.push({ photo, error: { code: e.code, message: e.message } });
      }
    }
  } finally {
    progress.done();
    await matter.dispose();
  }
  if (values.json) process.stdout.write(JSON.stringify({ results: report }, null, 2) + "\n");
  else if (!values.quiet) {
    for (const r of report as { photo: string; outputs?: Record<string, string> }[]) {
      if (r.outputs) process.stderr.write(`${r.photo} → ${Object.values(r.outputs).join(", ")}\n`);
    }
  }
  if (failures) process.stderr.write(`${failures} of ${photos.length} photos failed\n`);
  return worstExit;
}
