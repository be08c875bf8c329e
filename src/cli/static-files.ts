/**
 * The request handler of `bgmatte serve`: static files from a few roots, with the cross-origin isolation headers
 * onnxruntime-web needs for WASM threads. No request can throw out of it: a malformed target is a 400, a method other
 * than GET or HEAD a 405, a missing file a 404; Range requests are ignored the standard way (a full 200 answer with
 * `Accept-Ranges: none`).
 */
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".map": "application/json",
};

const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-cache",
  "X-Content-Type-Options": "nosniff",
  "Accept-Ranges": "none",
};

/** URL path prefix → folder; the first prefix that matches serves the request. */
export type Roots = [prefix: string, folder: string][];

function fail(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res
    .writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", ...extra })
    .end(text + "\n");
}

/** The file a request path names under the roots, or undefined (outside every root, or not a file). */
function resolveFile(path: string, roots: Roots): string | undefined {
  const match = roots.find(([prefix]) => path.startsWith(prefix));
  if (!match) return undefined;
  const [prefix, root] = match;
  const rel = normalize(path.slice(prefix.length) || "index.html");
  const file = join(root, rel);
  if (rel.startsWith("..") || !file.startsWith(root + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function staticFiles(roots: Roots) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "GET" && req.method !== "HEAD")
      return fail(res, 405, "method not allowed", { Allow: "GET, HEAD" });
    let path: string;
    try {
      // Origin-form (/a/b), absolute-form (http://host/a/b) and asterisk-form (*) all give a path here.
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return fail(res, 400, "bad request target");
    }
    const file = resolveFile(path, roots);
    if (!file) return fail(res, 404, "not found");
    res.writeHead(200, { ...HEADERS, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file)
      .on("error", () => res.destroy())
      .pipe(res);
  };
}
