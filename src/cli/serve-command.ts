/**
 * `bgmatte serve`: the browser app on a local web server. Sends the cross-origin isolation headers that
 * onnxruntime-web needs for WASM threads, and serves the models and ORT's .wasm files beside the page.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { parseCommandLine } from "./parse-command-line.js";
import { BgmatteError } from "../errors.js";
import { modelsDir, packageRoot, resolveModel } from "../network/models-node.js";
import { EXIT } from "./exit-codes.js";
import { staticFiles, type Files, type Roots } from "./static-files.js";

export const SERVE_HELP = `Usage: bgmatte serve [--port 8080] [--host 127.0.0.1] [--model <name|file>]

Serves the live webcam green screen (web/) on a local web server. Open the printed address, allow the camera,
capture the plate while out of frame, step back in.

Options:
      --port <n>             port (default 8080; 0 picks a free one)
      --host <addr>          address to listen on (default 127.0.0.1)
      --model <name|file>    the page's model: a name from models/manifest.json or an .onnx file (an adapted
                             model; its <name>-refiner.onnx beside it is served too). Default: the
                             manifest's live model (bm-live-cam)
  -h, --help                 this help`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandLine("serve", {
    args: argv,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      model: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP + "\n");
    return EXIT.ok;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new BgmatteError(
      "INVALID_OPTION",
      `Expected a port number for option --port but received "${values.port}"`,
      "use e.g. --port 8080",
    );
  const webDist = join(packageRoot(), "web", "dist");
  if (!existsSync(join(webDist, "index.html")))
    throw new BgmatteError(
      "INPUT_NOT_FOUND",
      "the web app is not built",
      "run `npm run build` in the package folder",
    );
  const ortDist = dirname(createRequire(import.meta.url).resolve("onnxruntime-web"));
  const roots: Roots = [
    ["/models/", modelsDir()],
    ["/ort/", ortDist],
    ["/", webDist],
  ];

  // The page takes its model from ?model= (a path on this server); a model outside models/ is served alone.
  const model = values.model === undefined ? undefined : resolveModel(values.model).path;
  const files: Files = {};
  let query = "";
  if (model && dirname(model) === modelsDir()) query = `?model=models/${basename(model)}`;
  else if (model) {
    const refiner = model.replace(/\.onnx$/, "-refiner.onnx");
    files[`/custom-model/${basename(model)}`] = model;
    if (existsSync(refiner)) files[`/custom-model/${basename(refiner)}`] = refiner;
    query = `?model=custom-model/${encodeURIComponent(basename(model))}`;
  }
  const server = createServer(staticFiles(roots, files));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new BgmatteError(
          "INVALID_OPTION",
          `cannot listen on ${values.host}:${port}: ${e.code}`,
          "choose another --port",
        ),
      ),
    );
    server.listen(port, values.host, resolve);
  });
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  process.stdout.write(`bgmatte web app: http://${values.host}:${actual}/${query}  (Ctrl-C to stop)\n`);
  await new Promise(() => {}); // serve until interrupted
  return EXIT.ok;
}
