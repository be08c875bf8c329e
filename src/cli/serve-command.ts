/**
 * `bgmatte serve`: the browser app on a local web server. Sends the cross-origin isolation headers that
 * onnxruntime-web needs for WASM threads, and serves the models and ORT's .wasm files beside the page.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseCommandLine } from "./parse-command-line.js";
import { BgmatteError } from "../errors.js";
import { modelsDir, packageRoot } from "../network/models-node.js";
import { EXIT } from "./exit-codes.js";
import { staticFiles, type Roots } from "./static-files.js";

export const SERVE_HELP = `Usage: bgmatte serve [--port 8080] [--host 127.0.0.1]

Serves the live webcam green screen (web/) on a local web server. Open the printed address, allow the camera,
capture the plate while out of frame, step back in.

Options:
      --port <n>     port (default 8080; 0 picks a free one)
      --host <addr>  address to listen on (default 127.0.0.1)
  -h, --help         this help`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandLine("serve", {
    args: argv,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
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

  const server = createServer(staticFiles(roots));
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
  process.stdout.write(`bgmatte web app: http://${values.host}:${actual}/  (Ctrl-C to stop)\n`);
  await new Promise(() => {}); // serve until interrupted
  return EXIT.ok;
}
