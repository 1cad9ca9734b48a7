import type { ShadowFigures } from '../deploy/shadowFigures';
import { driftFromSamples, type FeatureDrift } from '../drift/driftFromSamples';
import { DEFAULT_DRIFT_THRESHOLD } from '../project/projectConfig';
import { counterIncreases, type SeriesIncrease } from './counterIncreases';
import type { MetricScrape } from './metricScrape';
import { SERVICE_METRICS } from './serviceMetrics';
import { windowQuantileMs } from './windowQuantile';

/**
 * A service's live figures over a window of scrapes, null where the window cannot tell (one scrape has
 * no rates; no requests have no shares or latencies). Requests, rates and latencies are of inference
 * requests only: health probes, metadata and the scrapes themselves are not the traffic users mean.
 */
export interface LiveFigures {
  /** When the window's last scrape was read (ISO 8601). */
  time: string;
  /** From the window's first scrape to its last. */
  windowSeconds: number;
  /** Inference requests answered in the window. */
  requests: number | null;
  requestsPerSecond: number | null;
  /** The share of inference answers that were server errors (5xx): the service failed. */
  errorRate: number | null;
  /**
   * The share that were client errors (4xx): bad input, an unknown model, a body too large, and 499, a
   * client that left before its answer. Apart from errorRate: callers' mistakes are not the service
   * failing, but a rise in them after a deploy (a changed input) is worth seeing.
   */
  clientErrorRate: number | null;
  /** Median and 95th percentile latency of inference answers, as histogram_quantile() estimates them. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Requests being served when the last scrape was read, the scrape not counted. */
  inFlight: number | null;
  /**
   * Input drift per feature: every row the service has counted since it started against the validation
   * set (a window of a minute holds too few rows to tell). Empty when its image has no input profile.
   */
  drift: FeatureDrift[];
  /** While a shadow runs beside the service: how its answers compare (read from the environment's router). */
  shadow?: ShadowFigures;
}

const isInfer = (labels: Record<string, string>) => labels.route === SERVICE_METRICS.inferRoute;

/** The figures of a window of one scrape or more of one service, oldest first. */
export function liveFigures(window: MetricScrape[], driftThreshold = DEFAULT_DRIFT_THRESHOLD): LiveFigures {
  const first = window[0];
  const last = window[window.length - 1];
  const windowSeconds = (last.at - first.at) / 1000;
  const figures: LiveFigures = { time: new Date(last.at).toISOString(), windowSeconds, requests: null, requestsPerSecond: null, errorRate: null, clientErrorRate: null, p50Ms: null, p95Ms: null, inFlight: inFlightOf(last), drift: driftFromSamples(last.samples, driftThreshold) };
  if (window.length < 2 || windowSeconds <= 0) return figures;
  const byStatus = counterIncreases(window, SERVICE_METRICS.requests, isInfer);
  const total = (series: SeriesIncrease[]) => series.reduce((sum, s) => sum + s.increase, 0);
  const requests = total(byStatus);
  const share = (status: RegExp) => (requests ? total(byStatus.filter((s) => status.test(s.labels.status ?? ''))) / requests : null);
  const quantileMs = windowQuantileMs(window, SERVICE_METRICS.latency, isInfer);
  return {
    ...figures,
    requests,
    requestsPerSecond: requests / windowSeconds,
    errorRate: share(/^5\d\d$/),
    clientErrorRate: share(/^4\d\d$/),
    p50Ms: quantileMs(0.5),
    p95Ms: quantileMs(0.95),
  };
}

/** The in-flight gauge less the scrape that read it, which the service counts among its requests. */
function inFlightOf(scrape: MetricScrape): number | null {
  const gauge = scrape.samples.find((s) => s.name === SERVICE_METRICS.inFlight);
  return gauge ? Math.max(0, gauge.value - 1) : null;
}
