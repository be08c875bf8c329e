/** Quantiles of values in [0, 1] from a histogram: linear time, for statistics that run on every frame. */
const BINS = 4096;

/** The q-quantile (0..1) of `transform(v)` over `values`, to 1/4096; values outside [0, 1] count at the ends. */
export function histogramQuantile(
  values: ArrayLike<number>,
  q: number,
  transform: (v: number) => number = (v) => v,
): number {
  return histogramQuantiles(values, [q], transform)[0];
}

/** `histogramQuantile` for several quantiles at once, from one histogram. */
export function histogramQuantiles(
  values: ArrayLike<number>,
  qs: number[],
  transform: (v: number) => number = (v) => v,
): number[] {
  const counts = new Uint32Array(BINS);
  for (let i = 0; i < values.length; i++) {
    const v = transform(values[i]);
    counts[v <= 0 ? 0 : v >= 1 ? BINS - 1 : Math.floor(v * BINS)]++;
  }
  return qs.map((q) => {
    const target = values.length * q;
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += counts[b];
      if (seen >= target) return (b + 0.5) / BINS;
    }
    return 1;
  });
}
