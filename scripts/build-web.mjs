// Bundles the browser app (web/) with esbuild into web/dist: the page, the inference worker and static files.
// onnxruntime-web's .wasm files and the models are served beside it by `bgmatte serve` (not copied).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = "web/dist";
mkdirSync(out, { recursive: true });
const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
};
await build({ ...common, entryPoints: ["web/src/main.ts"], outfile: `${out}/main.js` });
// OpenCV's UMD build mentions Node modules on code paths that never run in a browser.
await build({
  ...common,
  entryPoints: ["web/src/worker.ts"],
  outfile: `${out}/worker.js`,
  external: ["fs", "path", "crypto"],
});
for (const f of ["index.html", "style.css"]) copyFileSync(`web/${f}`, `${out}/${f}`);
console.log(`built ${out}`);
