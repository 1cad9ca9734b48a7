import { counterIncreases, type SeriesIncrease } from '../watch/counterIncreases';
import type { MetricScrape } from '../watch/metricScrape';
import { windowQuantileMs } from '../watch/windowQuantile';
import { ROUTER_METRICS } from './routerMetricNames';

/** One version's inference traffic over a window, as the environment's router saw it. */
export interface VersionFigures {
  /** Inference requests it answered, plus those whose connection to it never opened. */
  requests: number;
  /** The share of them that failed on the server's side: 5xx answers and connections that never opened. */
  errorRate: number | null;
  /** The 95th percentile latency through the router, as histogram_quantile() estimates it. */
  p95Ms: number | null;
}

const total = (series: SeriesIncrease[]) => series.reduce((sum, s) => sum + s.increase, 0);

/**
 * The figures of the version at `upstream` (`http://host:port`) over a window of router scrapes, oldest
 * first; null where the window cannot tell (no requests). A request the router could not deliver to the
 * version counts against it, although the router then sent it to the active version: a canary that
 * cannot be reached is failing.
 */
export function versionFigures(window: MetricScrape[], upstream: string): VersionFigures {
  const inference = (labels: Record<string, string>) => labels.upstream === upstream && labels.route === ROUTER_METRICS.inferRoute;
  const answers = counterIncreases(window, ROUTER_METRICS.requests, inference);
  const unreached = total(counterIncreases(window, ROUTER_METRICS.connectFailures, (labels) => labels.upstream === upstream));
  const requests = total(answers) + unreached;
  const errors = total(answers.filter((s) => /^5\d\d$/.test(s.labels.status ?? ''))) + unreached;
  return { requests, errorRate: requests ? errors / requests : null, p95Ms: windowQuantileMs(window, ROUTER_METRICS.latency, inference)(0.95) };
}
