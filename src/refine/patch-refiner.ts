/**
 * Full-resolution refinement of uncertain patches (after Background Matting V2): the coarse network's error map says
 * where its matte is likely wrong; only there, the refiner network re-predicts α and F from the full-resolution
 * photo, plate and the upsampled coarse outputs. Everything else keeps the upsampled coarse result.
 *
 * The refiner sees `context` pixels around each P×P patch. Inputs are gathered exactly as training computed them
 * densely (training/bgmatte_train/model/refiner.py): coarse maps upsampled bilinearly with half-pixel centres,
 * pixels beyond the region's border repeat the edge pixel.
 */
import { plateGainBias, type Plate } from "../align/plate.js";
import { BgmatteError } from "../errors.js";
import { bilinearTaps } from "../image/geometry.js";
import type { FloatImage } from "../image/types.js";
import type { NetworkOutputs, PatchBatch } from "../network/contract.js";
import type { RefinerNetwork } from "../network/network.js";

export interface PatchRefineOptions {
  /** Patches whose predicted coarse error exceeds this are candidates. */
  threshold: number;
  /** At most this fraction of the region's patches is refined (the most uncertain first). */
  maxFraction: number;
  /** Patch side P in full-resolution pixels. */
  patch: number;
}

export interface PatchRefineReport {
  patches: number;
  candidates: number;
  /** Fraction of the region's pixels that went through the refiner. */
  refinedFraction: number;
}

const BATCH = 256;
/** A patch is on an edge when the coarse α around it spans from below EDGE_HIGH to above EDGE_LOW. */
const EDGE_LOW = 0.05;
const EDGE_HIGH = 0.95;

type Taps = ReturnType<typeof bilinearTaps>;

/** One patch row of a coarse map, bilinearly upsampled, into planar destination `dst` (patch k, row offset). */
function gatherRow(
  m: FloatImage,
  dst: Float32Array,
  k: number,
  area: number,
  row: number,
  y: number,
  xs: Int32Array,
  xt: Taps,
  yt: Taps,
): void {
  const C = m.channels;
  const W = m.width;
  const r0 = yt.i0[y] * W;
  const r1 = yt.i1[y] * W;
  const wy = yt.w[y];
  const d = m.data;
  for (let dx = 0; dx < xs.length; dx++) {
    const x = xs[dx];
    const a0 = (r0 + xt.i0[x]) * C;
    const b0 = (r0 + xt.i1[x]) * C;
    const a1 = (r1 + xt.i0[x]) * C;
    const b1 = (r1 + xt.i1[x]) * C;
    const wx = xt.w[x];
    for (let ch = 0; ch < C; ch++) {
      const top = d[a0 + ch] * (1 - wx) + d[b0 + ch] * wx;
      const bottom = d[a1 + ch] * (1 - wx) + d[b1 + ch] * wx;
      dst[(k * C + ch) * area + row + dx] = top + (bottom - top) * wy;
    }
  }
}

/** Per-patch score: the largest predicted error of the coarse pixels the patch covers. */
function scorePatches(error: FloatImage, alpha: FloatImage, width: number, height: number, patch: number) {
  const nx = Math.ceil(width / patch);
  const ny = Math.ceil(height / patch);
  const scores = new Float32Array(nx * ny);
  const sx = error.width / width;
  const sy = error.height / height;
  for (let py = 0; py < ny; py++) {
    const cy0 = Math.floor(py * patch * sy);
    const cy1 = Math.min(error.height - 1, Math.floor(Math.min(height, (py + 1) * patch) * sy - 1e-6));
    for (let px = 0; px < nx; px++) {
      const cx0 = Math.floor(px * patch * sx);
      const cx1 = Math.min(error.width - 1, Math.floor(Math.min(width, (px + 1) * patch) * sx - 1e-6));
      let m = 0;
      let lo = 1;
      let hi = 0;
      for (let y = Math.max(0, cy0 - 1); y <= Math.min(error.height - 1, Math.max(cy0, cy1) + 1); y++)
        for (let x = Math.max(0, cx0 - 1); x <= Math.min(error.width - 1, Math.max(cx0, cx1) + 1); x++) {
          const i = y * error.width + x;
          if (y >= cy0 && y <= Math.max(cy0, cy1) && x >= cx0 && x <= Math.max(cx0, cx1))
            m = Math.max(m, error.data[i]);
          lo = Math.min(lo, alpha.data[i]);
          hi = Math.max(hi, alpha.data[i]);
        }
      // Only where the coarse matte has an edge nearby: inside a solid subject the refiner's local evidence (photo
      // vs plate) is fooled wherever the subject's colour matches the background (holes in a face, in a label).
      scores[py * nx + px] = lo < EDGE_HIGH && hi > EDGE_LOW ? m : 0;
    }
  }
  return { nx, ny, scores };
}

/**
 * Refine `alpha` (1 channel) and `fg` (3 channels), both at the size of `image`, in place.
 * `image` and `plate` are the full-resolution region the coarse network saw; `coarse` must carry the refinement
 * maps (error, hidden) of a model with a refiner.
 */
export async function refineUncertainPatches(
  refiner: RefinerNetwork,
  image: FloatImage,
  plate: Plate,
  coarse: NetworkOutputs,
  alpha: FloatImage,
  fg: FloatImage,
  options: PatchRefineOptions,
): Promise<PatchRefineReport> {
  const { width, height } = image;
  const maps = coarse.refinement;
  if (!maps) {
    throw new BgmatteError(
      "MODEL_CONTRACT",
      "the coarse model gave no error and hidden outputs, which its refiner needs",
      "export the model and its refiner together (training/bgmatte_train/export.py)",
    );
  }
  // The plate's exposure matching is applied to the gathered pixels only (cheaper than the whole frame).
  const { gain, bias } = plateGainBias(plate);
  const P = options.patch;
  const c = refiner.context;
  const side = P + 2 * c;
  const { nx, ny, scores } = scorePatches(maps.error, coarse.alpha, width, height, P);
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > options.threshold) candidates.push(i);
  candidates.sort((a, b) => scores[b] - scores[a]);
  const chosen = candidates.slice(0, Math.floor(options.maxFraction * nx * ny));

  const xt = bilinearTaps(coarse.alpha.width, width);
  const yt = bilinearTaps(coarse.alpha.height, height);
  const K = maps.hidden.channels;
  const area = side * side;
  let refinedPixels = 0;
  for (let start = 0; start < chosen.length; start += BATCH) {
    const ids = chosen.slice(start, start + BATCH);
    const n = ids.length;
    const batch: PatchBatch = {
      count: n,
      side,
      hiddenChannels: K,
      image: new Float32Array(n * 3 * area),
      plate: new Float32Array(n * 3 * area),
      coarseAlpha: new Float32Array(n * area),
      coarseFg: new Float32Array(n * 3 * area),
      hidden: new Float32Array(n * K * area),
    };
    // Plain loops over local typed arrays: this gather runs for every refined patch of every frame.
    const [bImage, bPlate] = [batch.image, batch.plate];
    const [src, bg] = [image.data, plate.image.data];
    const xs = new Int32Array(side);
    for (let k = 0; k < n; k++) {
      const id = ids[k];
      const x0 = (id % nx) * P - c;
      const y0 = Math.floor(id / nx) * P - c;
      for (let dx = 0; dx < side; dx++) xs[dx] = Math.min(width - 1, Math.max(0, x0 + dx));
      for (let dy = 0; dy < side; dy++) {
        const y = Math.min(height - 1, Math.max(0, y0 + dy));
        const row = dy * side;
        for (let ch = 0; ch < 3; ch++) {
          const o = (k * 3 + ch) * area + row;
          const [g, b0] = [gain[ch], bias[ch]];
          for (let dx = 0; dx < side; dx++) {
            const p = (y * width + xs[dx]) * 3 + ch;
            bImage[o + dx] = src[p];
            const b = g * bg[p] + b0;
            bPlate[o + dx] = b < 0 ? 0 : b > 1 ? 1 : b;
          }
        }
        // Coarse maps: interpolate rows once, then columns, into the patch's planes.
        gatherRow(coarse.alpha, batch.coarseAlpha, k, area, row, y, xs, xt, yt);
        gatherRow(coarse.fg, batch.coarseFg, k, area, row, y, xs, xt, yt);
        gatherRow(maps.hidden, batch.hidden, k, area, row, y, xs, xt, yt);
      }
    }
    const out = await refiner.run(batch);
    const pp = P * P;
    const [A, F, outA, outF] = [alpha.data, fg.data, out.alpha, out.fg];
    for (let k = 0; k < n; k++) {
      const x0 = (ids[k] % nx) * P;
      const y0 = Math.floor(ids[k] / nx) * P;
      const w = Math.min(P, width - x0);
      for (let dy = 0; dy < P && y0 + dy < height; dy++) {
        for (let dx = 0; dx < w; dx++) {
          const p = (y0 + dy) * width + x0 + dx;
          const q = dy * P + dx;
          A[p] = outA[k * pp + q];
          const f = 3 * k * pp + q; // fg is planar per patch: [k][channel][y][x]
          F[p * 3] = outF[f];
          F[p * 3 + 1] = outF[f + pp];
          F[p * 3 + 2] = outF[f + 2 * pp];
        }
        refinedPixels += w;
      }
    }
  }
  return {
    patches: chosen.length,
    candidates: candidates.length,
    refinedFraction: refinedPixels / (width * height),
  };
}
