import { counterIncreases } from './counterIncreases';
import { histogramQuantile, type HistogramBucket } from './histogramQuantile';
import type { MetricScrape } from './metricScrape';
import { prometheusFloat } from './prometheusFloat';

/**
 * The quantiles, in milliseconds, of a latency histogram in seconds over a window of scrapes: the
 * increase of each `<histogram>_bucket` series that `select` takes, summed by upper bound (as
 * `sum by (le)` would), then histogram_quantile(). Null where the window holds no observations.
 */
export function windowQuantileMs(window: MetricScrape[], histogram: string, select: (labels: Record<string, string>) => boolean): (q: number) => number | null {
  const byBound = new Map<number, number>();
  for (const series of counterIncreases(window, `${histogram}_bucket`, select)) {
    const upperBound = prometheusFloat(series.labels.le ?? '');
    if (upperBound !== undefined && !Number.isNaN(upperBound)) byBound.set(upperBound, (byBound.get(upperBound) ?? 0) + series.increase);
  }
  const buckets: HistogramBucket[] = [...byBound].map(([upperBound, count]) => ({ upperBound, count }));
  return (q) => {
    const seconds = histogramQuantile(q, buckets);
    return seconds === undefined ? null : seconds * 1000;
  };
}
