/**
 * α from the compositing equation I = αF + (1 − α)B′ at one pixel: I − B′ projected on F − B′ (least squares over
 * the channels), clamped to [0, 1]; 0 where F and B′ coincide. Each colour is read from its own RGB array at the
 * index of its red.
 */
export function solveAlpha(
  I: ArrayLike<number>,
  i: number,
  F: ArrayLike<number>,
  f: number,
  B: ArrayLike<number>,
  b: number,
): number {
  let num = 0;
  let den = 0;
  for (let c = 0; c < 3; c++) {
    const d = F[f + c] - B[b + c];
    num += (I[i + c] - B[b + c]) * d;
    den += d * d;
  }
  return den > 0 ? Math.min(1, Math.max(0, num / den)) : 0;
}
