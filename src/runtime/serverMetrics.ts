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
