import type { MetricScrape } from './metricScrape';

/** One series of a counter and how much it grew over a window of scrapes. */
export interface SeriesIncrease {
  labels: Record<string, string>;
  increase: number;
}

/**
 * How much each series of the counter `name` that `select` takes grew from the window's first scrape to
 * its last, counted as Prometheus's increase() counts it: a value lower than the one before means the
 * counter was reset (the service restarted, or a deploy switched to a new version), and the whole value
 * after the reset is growth. Two differences, both because the window is exactly its scrapes of one
 * service: nothing is extrapolated to the window's edges, and a series missing from a scrape counts as 0
 * there rather than as unknown (the service makes a series at its first increment, so the first
 * requests with a new status are growth from 0, not lost).
 */
export function counterIncreases(window: MetricScrape[], name: string, select: (labels: Record<string, string>) => boolean = () => true): SeriesIncrease[] {
  const series = new Map<string, { labels: Record<string, string>; values: number[] }>();
  window.forEach((scrape, index) => {
    for (const sample of scrape.samples) {
      if (sample.name !== name || !select(sample.labels)) continue;
      const key = JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      let found = series.get(key);
      if (!found) series.set(key, (found = { labels: sample.labels, values: new Array<number>(window.length).fill(0) }));
      found.values[index] = sample.value;
    }
  });
  return [...series.values()].map(({ labels, values }) => ({ labels, increase: increaseOf(values) }));
}

function increaseOf(values: number[]): number {
  let increase = 0;
  for (let i = 1; i < values.length; i++) increase += values[i] >= values[i - 1] ? values[i] - values[i - 1] : values[i];
  return increase;
}
