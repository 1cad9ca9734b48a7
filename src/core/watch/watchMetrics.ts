import { setTimeout as sleep } from 'node:timers/promises';
import type { ShadowScrape } from '../deploy/shadowScrape';
import { liveFigures, type LiveFigures } from './liveFigures';
import type { MetricScrape } from './metricScrape';
import { ShadowWindow } from './shadowWindow';
import { scrapeMetrics } from './scrapeMetrics';

export const WATCH_INTERVAL_MS = 5_000;
/** Rates over the last minute, as a dashboard's rate(...[1m]) shows them. */
export const WATCH_WINDOW_MS = 60_000;

export interface WatchOptions {
  signal: AbortSignal;
  onFigures: (figures: LiveFigures) => void;
  /** Stop after this many reports; without it, until the signal. */
  count?: number;
  intervalMs?: number;
  windowMs?: number;
  /** The PSI above which a feature drifts (the config's watch.drift_threshold). */
  driftThreshold?: number;
  /** Reads the router's metrics while a shadow runs (undefined when none does): its comparison joins the figures. */
  shadow?: () => Promise<ShadowScrape | undefined>;
}

/**
 * Scrapes a service's /metrics every interval and reports its live figures over the scrapes of the
 * sliding window, from the second scrape on (the first is where the counting starts). Ends when the
 * signal aborts or after `count` reports; a scrape that fails ends it with that scrape's UserError. A
 * shadow's figures come with them while one runs; a failed read of those leaves them out of that report.
 */
export async function watchMetrics(serviceUrl: string, options: WatchOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? WATCH_INTERVAL_MS;
  const windowMs = options.windowMs ?? WATCH_WINDOW_MS;
  // A failed read is not the end of the shadow: its window keeps the reads before, for the next report.
  const readShadow = (): Promise<ShadowScrape | undefined | 'failed'> => options.shadow?.().catch(() => 'failed' as const) ?? Promise.resolve(undefined);
  const shadows = new ShadowWindow();
  let window: MetricScrape[] = [await scrapeMetrics(serviceUrl)];
  const first = await readShadow();
  if (first !== 'failed') shadows.add(first, windowMs);
  for (let reports = 0; options.count === undefined || reports < options.count; reports++) {
    await sleep(intervalMs, undefined, { signal: options.signal }).catch(() => undefined);
    if (options.signal.aborted) return;
    const [scrape, shadow] = await Promise.all([scrapeMetrics(serviceUrl), readShadow()]);
    window = [...window.filter((s) => s.at >= scrape.at - windowMs), scrape];
    const figures = liveFigures(window, options.driftThreshold);
    const compared = shadow === 'failed' ? undefined : shadows.add(shadow, windowMs);
    options.onFigures(compared ? { ...figures, shadow: compared } : figures);
  }
}
