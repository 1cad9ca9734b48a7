import { INPUT_BIN_EXPECTED_RATIO, INPUT_BIN_TOTAL } from '../core/drift/driftMetricNames';
import { InputBinCounts } from '../core/drift/inputBinCounts';
import type { InputProfile } from '../core/drift/inputProfile';
import { BucketHistogram, type HistogramSeries } from './bucketHistogram';
import type { Registry } from './promClient';

/** prom-client's classes, loaded at the first scrape and not with the server. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promClient = () => require('./promClient') as typeof import('./promClient');

/** One route and status: its answers so far, how many of them the last scrape saw, and their latencies. */
interface Answers {
  route: string;
  status: string;
  count: number;
  scraped: number;
  latency: HistogramSeries;
}

/**
 * The Prometheus metrics the server exposes on GET /metrics; one registry per server. What requests and
 * runs update are plain numbers and BucketHistograms. prom-client, its registry and its metrics are made
 * at the first scrape (loading and making them is milliseconds of every start, before the model loads),
 * and they read those numbers whenever they are scraped.
 */
export class ServerMetrics {
  private inFlightNow = 0;
  private modelLoadSeconds = 0;
  private readonly answers = new Map<string, Map<number, Answers>>();
  private readonly latency = new BucketHistogram(
    'modeldeploy_request_duration_seconds',
    'HTTP request latency by route.',
    'route',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  private readonly batchSizes = new BucketHistogram('modeldeploy_batch_size', 'Rows per inference run.', undefined, [1, 2, 4, 8, 16, 32, 64, 128, 256]);
  private readonly batchSeries = this.batchSizes.seriesOf('');
  private inputBins?: InputBinCounts;
  private made?: Registry;

  /** The registry, with every metric in it, made on first use: the first scrape. */
  get registry(): Registry {
    return (this.made ??= this.makeRegistry());
  }

  /**
   * Counts live rows into the input profile's bins, for the input drift metrics: rows per feature and bin,
   * and the validation set's share per bin. Every series is there from the first scrape, at 0, so that a
   * window's counts are differences of the same series.
   */
  countInputs(profile: InputProfile): InputBinCounts {
    const bins = (this.inputBins = new InputBinCounts(profile));
    if (this.made) this.registerInputBins(this.made, bins);
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
    if (!answers) byStatus.set(status, (answers = { route, status: String(status), count: 0, scraped: 0, latency: this.latency.seriesOf(route) }));
    answers.count++;
    this.latency.observe(answers.latency, seconds);
  }

  /** An inference run of `rows` rows. */
  ran(rows: number): void {
    this.batchSizes.observe(this.batchSeries, rows);
  }

  /** The model has loaded and answered its warm-up, `seconds` after it began loading. */
  modelLoaded(seconds: number): void {
    this.modelLoadSeconds = seconds;
  }

  private makeRegistry(): Registry {
    const { Counter, Gauge, Registry } = promClient();
    const registry = new Registry();
    const requests: InstanceType<typeof Counter> = new Counter({
      name: 'modeldeploy_requests_total',
      help: 'HTTP requests by route and status.',
      labelNames: ['route', 'status'],
      registers: [registry],
      collect: () => {
        for (const byStatus of this.answers.values()) {
          for (const answers of byStatus.values()) {
            if (answers.count > answers.scraped) requests.inc({ route: answers.route, status: answers.status }, answers.count - answers.scraped);
            answers.scraped = answers.count;
          }
        }
      },
    });
    // A gauge that reads its value from this object whenever it is scraped.
    const gauge = (name: string, help: string, read: () => number) => {
      const made: InstanceType<typeof Gauge> = new Gauge({ name, help, registers: [registry], collect: () => made.set(read()) });
    };
    this.latency.registerIn(registry);
    gauge('modeldeploy_requests_in_flight', 'Requests being served now.', () => this.inFlightNow);
    this.batchSizes.registerIn(registry);
    gauge('modeldeploy_model_load_seconds', 'Time to load the model and make the warm-up run.', () => this.modelLoadSeconds);
    if (this.inputBins) this.registerInputBins(registry, this.inputBins);
    return registry;
  }

  private registerInputBins(registry: Registry, bins: InputBinCounts): void {
    const { Counter, Gauge } = promClient();
    const { profile } = bins;
    const scraped = bins.counts.map((counts) => new Float64Array(counts.length));
    const labels = profile.features.map((feature) => feature.expected.map((_, bin) => ({ feature: feature.name, bin: String(bin) })));
    const total: InstanceType<typeof Counter> = new Counter({
      name: INPUT_BIN_TOTAL,
      help: 'Rows of successful inference requests by input feature and bin (bins from the validation set).',
      labelNames: ['feature', 'bin'],
      registers: [registry],
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
    const expected = new Gauge({ name: INPUT_BIN_EXPECTED_RATIO, help: "The validation set's share of rows by input feature and bin.", labelNames: ['feature', 'bin'], registers: [registry] });
    profile.features.forEach((feature, f) =>
      feature.expected.forEach((share, bin) => {
        total.inc(labels[f][bin], 0);
        expected.set(labels[f][bin], share);
      }),
    );
  }
}
