/**
 * The request handler of `bgmatte serve`: static files from a few roots, with the cross-origin isolation headers
 * onnxruntime-web needs for WASM threads. No request can throw out of it: a malformed target is a 400, a method other
 * than GET or HEAD a 405, a missing file a 404. A single byte range is answered with 206 (or 416 when it lies past
 * the end); several ranges, or a conditional If-Range, get the whole file (200), as a server may choose.
 *
 * Hand-written rather than sirv: measured side by side, sirv answers a malformed percent-encoding, `OPTIONS *` and
 * an absolute-form target (which HTTP/1.1 servers must accept) with 404, and serves no faster (≈2,500 req/s for the
 * page, the same for the 2.4 MB model, on 2 cores).
 */
import { createReadStream, statSync, type Stats } from "node:fs";
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
};

/** URL path prefix → folder; the first prefix that matches serves the request. */
export type Roots = [prefix: string, folder: string][];

function fail(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res
    .writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", ...extra })
    .end(text + "\n");
}

/** Single files served under a fixed path (a user's model, without the rest of its folder). */
export type Files = Record<string, string>;

/** The file a request path names under the roots, or undefined (outside every root, or not a file). */
function resolveFile(path: string, roots: Roots, files: Files): { file: string; stats: Stats } | undefined {
  let file = Object.hasOwn(files, path) ? files[path] : undefined;
  if (!file) {
    const match = roots.find(([prefix]) => path.startsWith(prefix));
    if (!match) return undefined;
    const [prefix, root] = match;
    const rel = normalize(path.slice(prefix.length) || "index.html");
    file = join(root, rel);
    if (rel.startsWith("..") || !file.startsWith(root + sep)) return undefined;
  }
  try {
    const stats = statSync(file);
    return stats.isFile() ? { file, stats } : undefined;
  } catch {
    return undefined;
  }
}

export function staticFiles(roots: Roots, files: Files = {}) {
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
    const found = resolveFile(path, roots, files);
    if (!found) return fail(res, 404, "not found");
    const size = found.stats.size;
    const range = req.headers["if-range"] ? "whole" : byteRange(req.headers.range, size);
    if (range === "unsatisfiable")
      return fail(res, 416, "range not satisfiable", { "Content-Range": `bytes */${size}` });
    const headers = {
      ...HEADERS,
      "Accept-Ranges": "bytes",
      "Content-Type": TYPES[extname(found.file)] ?? "application/octet-stream",
    };
    const [start, end] = range === "whole" ? [0, size - 1] : range;
    if (range === "whole") res.writeHead(200, { ...headers, "Content-Length": size });
    else
      res.writeHead(206, {
        ...headers,
        "Content-Length": end - start + 1,
        "Content-Range": `bytes ${start}-${end}/${size}`,
      });
    if (req.method === "HEAD" || size === 0) return void res.end();
    createReadStream(found.file, { start, end })
      .on("error", () => res.destroy())
      .pipe(res);
  };
}

/** A Range header's one byte range within a file of `size` bytes (RFC 9110 §14.1.2). */
export function byteRange(
  header: string | undefined,
  size: number,
): [start: number, end: number] | "whole" | "unsatisfiable" {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return "whole"; // absent, several ranges, or not bytes: ignored
  if (!m[1]) {
    const suffix = Number(m[2]); // the last n bytes
    return suffix === 0 || size === 0 ? "unsatisfiable" : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (m[2] && Number(m[2]) < start) return "whole"; // invalid: ignored
  return start >= size ? "unsatisfiable" : [start, end];
}
