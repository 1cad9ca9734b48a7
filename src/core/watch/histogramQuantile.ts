/** A histogram bucket as `_bucket{le}` counts it: the observations at or below `upperBound`. */
export interface HistogramBucket {
  upperBound: number;
  count: number;
}

/**
 * The q-quantile (0 < q <= 1) of a histogram as Prometheus's histogram_quantile() estimates it: the bucket
 * where the rank q x total falls, interpolated linearly within it (the first bucket from 0); a rank in the
 * +Inf bucket gives the largest finite bound. Undefined (Prometheus's NaN) without observations, or
 * without a +Inf bucket to say how many there were.
 */
export function histogramQuantile(q: number, buckets: HistogramBucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted.length < 2 || sorted[sorted.length - 1].upperBound !== Infinity) return undefined;
  // Increases over a window can come out non-monotonic when a reset fell between the buckets' reads: as
  // Prometheus does, a bucket never counts fewer than the one below it.
  let highest = 0;
  const counts = sorted.map((b) => (highest = Math.max(highest, b.count)));
  const total = counts[counts.length - 1];
  if (!(total > 0)) return undefined;
  const rank = q * total;
  const b = counts.findIndex((count) => count >= rank);
  if (b === sorted.length - 1) return sorted[b - 1].upperBound;
  if (b === 0 && sorted[0].upperBound <= 0) return sorted[0].upperBound;
  const [start, below] = b === 0 ? [0, 0] : [sorted[b - 1].upperBound, counts[b - 1]];
  return start + (sorted[b].upperBound - start) * ((rank - below) / (counts[b] - below));
}
