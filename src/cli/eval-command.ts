/** `bgmatte eval`: score the network and the classical baselines on datasets with ground truth. */
import { join } from "node:path";
import { parseCommandLine } from "./parse-command-line.js";
import { loadOpenCV } from "../cv/opencv.js";
import { BgmatteError } from "../errors.js";
import { listDataset } from "../eval/dataset.js";
import { evaluate, markdownTable, METHODS, summarise, type Method, type Score } from "../eval/run-eval.js";
import { writePng } from "../image/codec-node.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { createMatter } from "../node/matter.js";
import {
  MATTING_FLAGS,
  MATTING_HELP,
  mattingOptionsFromFlags,
  PLATE_FLAGS,
  PLATE_HELP,
  plateOptionsFromFlags,
} from "./args.js";
import { EXIT, EXIT_CODE_HELP } from "./exit-codes.js";
import { ensureWritableDir } from "./output-dir.js";
import { createProgress } from "./progress.js";

export const EVAL_HELP = `Usage: bgmatte eval <dataset>... [options]

Scores the network against two classical baselines that also use the plate (background subtraction, and
known-background least squares) and the reference cut to a binary mask (the bound for any segmenter), with
SAD, MSE, Grad and Conn (Deep Image Matting benchmark definitions; over the trimap's unknown region when a
trimap is given, else the whole image), and two failure measures over the whole image: see-through (share of
the solid interior, true α > 0.99 eroded 10 px, where α < 0.9) and gap fill (share of the true background
inside the subject's box where α > 0.1).

Dataset layouts:
  <dataset>/<item>/image.*  plate.*  [alpha.*]  [trimap.*]        (python -m bgmatte_train.testset writes this)
  <dataset>/sceneNN/NNcompa.* NNbacka.* NNcompb.* NNbackb.*       two backgrounds: α by triangulation

Options:
  -o, --out <dir>           where results.json, results.md and contact-sheet.png go (default: bgmatte-eval)
      --pair <a|b>          which capture of a two-background scene to matte (default: a)
      --only <names>        comma-separated item name prefixes (e.g. scene01,scene03)
      --methods <list>      comma-separated: ${METHODS.join(", ")} (default: all)
      --max-side <px>       downscale larger items first (default: 1024)
      --fast                skip Grad and Conn
${MATTING_HELP}
${PLATE_HELP}
  -q, --quiet               no progress
  -h, --help                this help

Example:
  bgmatte eval ../shared/data/realpairs --only scene01,scene03 -o eval-out

${EXIT_CODE_HELP}`;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine("eval", {
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string", short: "o", default: "bgmatte-eval" },
      pair: { type: "string", default: "a" },
      only: { type: "string" },
      methods: { type: "string" },
      "max-side": { type: "string", default: "1024" },
      fast: { type: "boolean", default: false },
      ...MATTING_FLAGS,
      ...PLATE_FLAGS,
      quiet: { type: "boolean", short: "q", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(EVAL_HELP + "\n");
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new BgmatteError(
      "INVALID_OPTION",
      "no dataset given",
      "usage: bgmatte eval <dataset>... (see --help)",
    );
  if (values.pair !== "a" && values.pair !== "b")
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected a or b for option --pair but received "${values.pair}"`,
      "see --help",
    );
  const methods = (values.methods?.split(",") ?? [...METHODS]) as Method[];
  const unknown = methods.filter((m) => !METHODS.includes(m));
  if (unknown.length)
    throw new BgmatteError(
      "INVALID_OPTION",
      `unknown method(s): ${unknown.join(", ")}`,
      `use: ${METHODS.join(", ")}`,
    );
  const maxSide = Number(values["max-side"]);
  if (!(maxSide >= 64))
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected a number ≥ 64 for option --max-side but received "${values["max-side"]}"`,
      "see --help",
    );

  const cv = await loadOpenCV();
  const only = values.only?.split(",").filter(Boolean);
  const datasets = positionals.map((dir) => ({
    dir,
    sources: listDataset(cv, dir, { pair: values.pair as "a" | "b", only }),
  }));
  await ensureWritableDir(values.out!);
  const matter = await createMatter({ ...mattingOptionsFromFlags(values), ...plateOptionsFromFlags(values) });
  const all: { dataset: string; scores: Score[] }[] = [];
  const tables: string[] = [];
  try {
    for (const [i, { dir, sources }] of datasets.entries()) {
      const progress = createProgress(sources.length, !values.quiet, { unit: "items" });
      const { scores, contactSheet } = await evaluate(cv, matter, sources, {
        methods,
        slowMetrics: !values.fast,
        maxSide,
        onItem: (name, s) =>
          progress.tick(`${name} ${s.map((x) => `${x.method} SAD ${x.sad.toFixed(2)}`).join(", ")}`),
      });
      progress.done();
      all.push({ dataset: dir, scores });
      tables.push(markdownTable(dir, summarise(scores)));
      if (contactSheet) await writePng(join(values.out!, `contact-sheet-${i + 1}.png`), contactSheet);
    }
  } finally {
    await matter.dispose();
  }
  const markdown = tables.join("\n\n") + "\n";
  await writeFileAtomic(join(values.out!, "results.md"), markdown);
  await writeFileAtomic(
    join(values.out!, "results.json"),
    JSON.stringify(
      {
        model: values.model ?? "default",
        pair: values.pair,
        datasets: all.map((d) => ({ ...d, summary: summarise(d.scores) })),
      },
      null,
      2,
    ),
  );
  process.stdout.write(markdown);
  return EXIT.ok;
}
