import type { MetricSample } from './metricSample';

/** One read of a service's /metrics: when it was read (ms since the epoch) and what it said. */
export interface MetricScrape {
  at: number;
  samples: MetricSample[];
}
