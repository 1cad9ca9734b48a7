import { INPUT_BIN_EXPECTED_RATIO, INPUT_BIN_TOTAL } from '../core/drift/driftMetricNames';
import { InputBinCounts } from '../core/drift/inputBinCounts';
import type { InputProfile } from '../core/drift/inputProfile';
import { Counter, Gauge, Histogram, Registry } from './promClient';
import { LatencyHistogram, type LatencySeries } from './latencyHistogram';

/** One route and status: its answers since the last scrape, and where they go then. */
interface Answers {
  unscraped: number;
  count: { inc(value: number): void };
  latency: LatencySeries;
}

/**
 * The Prometheus metrics the server exposes on GET /metrics; one registry per server. What every request
 * updates avoids prom-client's per-call label lookups: requests and in-flight requests are counted in
 * plain numbers and handed to prom-client when it is scraped, and latencies go to a LatencyHistogram.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private inFlightNow = 0;
  private readonly answers = new Map<string, Map<number, Answers>>();
  readonly requests = new Counter({
    name: 'modeldeploy_requests_total',
    help: 'HTTP requests by route and status.',
    labelNames: ['route', 'status'],
    registers: [this.registry],
    collect: () => {
      for (const byStatus of this.answers.values()) {
        for (const answers of byStatus.values()) {
          if (answers.unscraped) answers.count.inc(answers.unscraped);
          answers.unscraped = 0;
        }
      }
    },
  });
  readonly latency = new LatencyHistogram(
    'modeldeploy_request_duration_seconds',
    'HTTP request latency by route.',
    'route',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    this.registry,
  );
  readonly inFlight: Gauge = new Gauge({
    name: 'modeldeploy_requests_in_flight',
    help: 'Requests being served now.',
    registers: [this.registry],
    collect: (): void => this.inFlight.set(this.inFlightNow),
  });
  readonly batchSize = new Histogram({ name: 'modeldeploy_batch_size', help: 'Rows per inference run.', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [this.registry] });
  readonly modelLoad = new Gauge({ name: 'modeldeploy_model_load_seconds', help: 'Time to load the model and make the warm-up run.', registers: [this.registry] });

  /**
   * Input drift metrics for the profile: live rows per feature and bin (counted by the returned counts,
   * handed to prom-client when scraped) and the validation set's share per bin. Every series is there
   * from the start, at 0, so that a window's counts are differences of the same series.
   */
  countInputs(profile: InputProfile): InputBinCounts {
    const bins = new InputBinCounts(profile);
    const scraped = bins.counts.map((counts) => new Float64Array(counts.length));
    const labels = profile.features.map((feature) => feature.expected.map((_, bin) => ({ feature: feature.name, bin: String(bin) })));
    const total: Counter = new Counter({
      name: INPUT_BIN_TOTAL,
      help: 'Rows of successful inference requests by input feature and bin (bins from the validation set).',
      labelNames: ['feature', 'bin'],
      registers: [this.registry],
      collect: (): void => {
        bins.counts.forEach((counts, f) => {
          for (let bin = 0; bin < counts.length; bin++) {
            if (counts[bin] === scraped[f][bin]) continue;
            total.inc(labels[f][bin], counts[bin] - scraped[f][bin]);
            scraped[f][bin] = counts[bin];
          }
        });
      },
    });
    const expected = new Gauge({ name: INPUT_BIN_EXPECTED_RATIO, help: "The validation set's share of rows by input feature and bin.", labelNames: ['feature', 'bin'], registers: [this.registry] });
    profile.features.forEach((feature, f) =>
      feature.expected.forEach((share, bin) => {
        total.inc(labels[f][bin], 0);
        expected.set(labels[f][bin], share);
      }),
    );
    return bins;
  }

  /** A request has come in. */
  started(): void {
    this.inFlightNow++;
  }

  /** A request has been answered with `status` after `seconds`. */
  answered(route: string, status: number, seconds: number): void {
    this.inFlightNow--;
    let byStatus = this.answers.get(route);
    if (!byStatus) this.answers.set(route, (byStatus = new Map()));
    let answers = byStatus.get(status);
    if (!answers) {
      answers = { unscraped: 0, count: this.requests.labels(route, String(status)), latency: this.latency.seriesOf(route) };
      byStatus.set(status, answers);
    }
    answers.unscraped++;
    this.latency.observe(answers.latency, seconds);
  }
}
