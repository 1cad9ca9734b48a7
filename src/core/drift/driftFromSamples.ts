import type { MetricSample } from '../watch/metricSample';
import { BIN_COUNT } from './decileBins';
import { INPUT_BIN_EXPECTED_RATIO, INPUT_BIN_TOTAL } from './driftMetricNames';
import { populationStabilityIndex } from './populationStabilityIndex';

/**
 * Fewer live rows than this never flag drift: with 10 bins, rows drawn from the very distribution of the
 * validation set give a PSI of about 9 / rows by chance alone (0.09 at 100 rows, 0.45 at 20).
 */
export const MIN_DRIFT_ROWS = 100;

/** One input feature's live rows against the validation set's. */
export interface FeatureDrift {
  feature: string;
  /** The population stability index; undefined while no row has been counted. */
  psi?: number;
  /** Live rows counted, in all and per bin. */
  rows: number;
  counts: number[];
  /** The validation set's share of rows per bin. */
  expected: number[];
  /** psi above the threshold, over at least `minRows` rows. */
  drifting: boolean;
}

/**
 * Drift per feature from one scrape of a server's /metrics: every row it has counted since it started,
 * against the validation set. An empty list when the server exposes no input drift metrics (its image
 * was built without validation, so it has no input profile).
 */
export function driftFromSamples(samples: readonly MetricSample[], threshold: number, minRows = MIN_DRIFT_ROWS): FeatureDrift[] {
  return binsOf(samples).map(({ feature, expected, counts }) => featureDrift(feature, expected, counts, threshold, minRows));
}

/**
 * Drift per feature over a window: the rows counted between two scrapes of the same server, from the
 * differences of its counters. Where a count went down, or the feature was not there before, the server
 * has restarted (or been replaced) since `before`, and all it has counted is the window.
 */
export function driftBetweenScrapes(before: readonly MetricSample[], after: readonly MetricSample[], threshold: number, minRows = MIN_DRIFT_ROWS): FeatureDrift[] {
  const earlier = new Map(binsOf(before).map((bins) => [bins.feature, bins.counts]));
  return binsOf(after).map(({ feature, expected, counts }) => {
    const previous = earlier.get(feature);
    const restarted = !previous || previous.length !== counts.length || counts.some((count, i) => count < previous[i]);
    return featureDrift(feature, expected, restarted ? counts : counts.map((count, i) => count - previous[i]), threshold, minRows);
  });
}

function featureDrift(feature: string, expected: number[], counts: number[], threshold: number, minRows: number): FeatureDrift {
  const rows = counts.reduce((a, b) => a + b, 0);
  const psi = rows > 0 ? populationStabilityIndex(expected, counts.map((count) => count / rows)) : undefined;
  return { feature, ...(psi === undefined ? {} : { psi }), rows, counts, expected, drifting: psi !== undefined && rows >= minRows && psi > threshold };
}

/** Each profiled feature's expected shares and live counts per bin, in the order the server lists them. */
function binsOf(samples: readonly MetricSample[]): { feature: string; expected: number[]; counts: number[] }[] {
  const expected = new Map<string, number[]>();
  const counts = new Map<string, number[]>();
  for (const sample of samples) {
    const into = sample.name === INPUT_BIN_EXPECTED_RATIO ? expected : sample.name === INPUT_BIN_TOTAL ? counts : undefined;
    const bin = Number(sample.labels.bin);
    const feature = sample.labels.feature;
    if (!into || feature === undefined || !Number.isInteger(bin) || bin < 0 || bin >= BIN_COUNT) continue;
    let values = into.get(feature);
    if (!values) into.set(feature, (values = []));
    values[bin] = sample.value;
  }
  return [...expected].map(([feature, shares]) => {
    const live = counts.get(feature) ?? [];
    const bins = Math.max(shares.length, live.length);
    return { feature, expected: Array.from({ length: bins }, (_, i) => shares[i] ?? 0), counts: Array.from({ length: bins }, (_, i) => live[i] ?? 0) };
  });
}
