/** The image benchmark behind `bgmatte bench`: per-stage time, fps at standard resolutions, peak memory. */
import { availableParallelism, cpus } from "node:os";
import { composite } from "../composite/composite.js";
import { encodePng } from "../image/codec-node.js";
import { createImage } from "../image/types.js";
import { contractPath, resolveModel } from "../network/models-node.js";
import { createNodeNetwork } from "../network/session-node.js";
import { createMatter } from "../node/matter.js";
import type { ModeName } from "../vocabulary.js";
import { makeScene } from "./synthetic-scene.js";

export const STANDARD_RESOLUTIONS: [number, number][] = [
  [640, 360],
  [1280, 720],
  [1920, 1080],
  [3840, 2160],
];

export interface BenchOptions {
  resolutions: [number, number][];
  threads: number[];
  modes: ModeName[];
  runs: number;
  onResult?: (line: string) => void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The network alone on a 512×512 input (all four inputs), median of `runs` after a warm-up. */
async function networkAlone(threads: number, runs: number): Promise<number> {
  const model = resolveModel(undefined);
  const net = await createNodeNetwork(model.path, contractPath(), {
    threads,
    device: "cpu",
    name: model.name,
  });
  const mk = (c: number) => {
    const im = createImage(512, 512, c);
    for (let i = 0; i < im.data.length; i++) im.data[i] = ((i * 2654435761) % 1000) / 1000;
    return im;
  };
  const inputs = { image: mk(3), plate: mk(3), prior: mk(1), motion: mk(4) };
  await net.run(inputs);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await net.run(inputs);
    times.push(performance.now() - t0);
  }
  await net.dispose();
  return median(times);
}

export async function runImageBenchmark(opts: BenchOptions) {
  const network512: Record<string, number> = {};
  for (const threads of opts.threads) {
    network512[`threads=${threads}`] = Math.round(await networkAlone(threads, opts.runs));
    opts.onResult?.(`network alone 512×512, threads=${threads}: ${network512[`threads=${threads}`]} ms`);
  }
  const rows: {
    mode: ModeName;
    resolution: string;
    threads: number;
    /** A decoded frame (video): the pipeline plus compositing. */
    frameFps: number;
    /** A photo file: decode, pipeline, composite, PNG encode. */
    photoFps: number;
    frameMs: number;
    photoMs: number;
    stagesMs: Record<string, number>;
  }[] = [];
  for (const threads of opts.threads) {
    for (const mode of opts.modes) {
      // A fixed camera (video) or a tripod photo: the plate is known to be aligned.
      const matter = await createMatter({ threads, mode, align: "off" });
      for (const [w, h] of opts.resolutions) {
        const scene = makeScene(w, h);
        const [photo, plate] = await Promise.all([encodePng(scene.photo), encodePng(scene.plate)]);
        await matter.matte({ image: photo, plate }); // warm-up
        const frames: number[] = [];
        const photos: number[] = [];
        const stages: Record<string, number[]> = {};
        for (let i = 0; i < opts.runs; i++) {
          const f0 = performance.now();
          const frame = await matter.matteImages({ image: scene.photo, plate: scene.plate });
          composite(frame, [0, 0.69, 0.25]);
          frames.push(performance.now() - f0);
          const t0 = performance.now();
          const r = await matter.matte({ image: photo, plate });
          const c0 = performance.now();
          const comp = composite(r, [0, 0.69, 0.25]);
          const c1 = performance.now();
          await encodePng(comp);
          const t1 = performance.now();
          photos.push(t1 - t0);
          for (const [k, v] of Object.entries({ ...r.meta.timings, composite: c1 - c0, encode: t1 - c1 }))
            (stages[k] ??= []).push(v);
        }
        const [frameMs, photoMs] = [median(frames), median(photos)];
        const row = {
          mode,
          resolution: `${w}x${h}`,
          threads,
          frameFps: +(1000 / frameMs).toFixed(2),
          photoFps: +(1000 / photoMs).toFixed(2),
          frameMs: Math.round(frameMs),
          photoMs: Math.round(photoMs),
          stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(median(v))])),
        };
        rows.push(row);
        opts.onResult?.(
          `${mode.padEnd(8)} ${row.resolution.padEnd(10)} threads=${threads}  frame ${row.frameMs} ms (${row.frameFps} fps)  photo ${row.photoMs} ms (${row.photoFps} fps)  ${Object.entries(
            row.stagesMs,
          )
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
        );
      }
      await matter.dispose();
    }
  }
  return {
    machine: { cpus: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
    runs: opts.runs,
    network512,
    rows,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
