import { counterIncreases, type SeriesIncrease } from '../watch/counterIncreases';
import type { MetricScrape } from '../watch/metricScrape';
import { windowQuantileMs } from '../watch/windowQuantile';
import { ROUTER_SHADOW_METRICS } from './routerMetricNames';

/**
 * A shadow's comparison with the active version, from the router's metrics: over a window of scrapes
 * (rates and latencies, like the service's live figures) and since the shadow started (its totals).
 */
export interface ShadowFigures {
  version: string;
  /** Inference requests mirrored to the shadow in the window. */
  mirrored: number | null;
  /** Pairs of answers (both 200) compared in the window. */
  compared: number | null;
  /** Pairs of 200 answers that could not be compared (an output missing, shapes that differ), in the window. */
  incomparable: number | null;
  /** The share of compared requests whose predicted class differs in some row, in the window. */
  classDifferenceRate: number | null;
  /** The share of mirrored requests the shadow failed (5xx, unreachable, timed out), in the window. */
  errorRate: number | null;
  /** The shadow's latency on its copies, as histogram_quantile() estimates it, in the window. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Copies not sent in the window: too many mirrors in flight, a body over the bound, a client that left. */
  skipped: number | null;
  /** Since the shadow started: requests compared, those whose class differs, and the largest absolute score difference. */
  total: { compared: number; classDifferences: number; maxScoreDifference: number | null };
}

const sum = (series: SeriesIncrease[]) => series.reduce((total, s) => total + s.increase, 0);

/** The shadow at `upstream` (`http://host:port`) over a window of router scrapes, oldest first; null where the window cannot tell. */
export function shadowFigures(window: MetricScrape[], upstream: string, version: string): ShadowFigures {
  const last = window[window.length - 1];
  const ofShadow = (labels: Record<string, string>) => labels.upstream === upstream;
  const current = (name: string) => last.samples.find((s) => s.name === name && ofShadow(s.labels))?.value;
  const total = { compared: current(ROUTER_SHADOW_METRICS.compared) ?? 0, classDifferences: current(ROUTER_SHADOW_METRICS.classDifferences) ?? 0, maxScoreDifference: current(ROUTER_SHADOW_METRICS.maxScoreDifference) ?? null };
  const figures: ShadowFigures = { version, mirrored: null, compared: null, incomparable: null, classDifferenceRate: null, errorRate: null, p50Ms: null, p95Ms: null, skipped: null, total };
  if (window.length < 2) return figures;
  const answers = counterIncreases(window, ROUTER_SHADOW_METRICS.requests, ofShadow);
  const mirrored = sum(answers);
  const compared = sum(counterIncreases(window, ROUTER_SHADOW_METRICS.compared, ofShadow));
  const differences = sum(counterIncreases(window, ROUTER_SHADOW_METRICS.classDifferences, ofShadow));
  const quantileMs = windowQuantileMs(window, ROUTER_SHADOW_METRICS.latency, ofShadow);
  return {
    ...figures,
    mirrored,
    compared,
    incomparable: sum(counterIncreases(window, ROUTER_SHADOW_METRICS.incomparable, ofShadow)),
    classDifferenceRate: compared ? differences / compared : null,
    errorRate: mirrored ? sum(answers.filter((s) => /^5\d\d$/.test(s.labels.status ?? ''))) / mirrored : null,
    p50Ms: quantileMs(0.5),
    p95Ms: quantileMs(0.95),
    skipped: sum(counterIncreases(window, ROUTER_SHADOW_METRICS.skipped, ofShadow)),
  };
}
