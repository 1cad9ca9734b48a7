import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics the server exposes on GET /metrics; one registry per server. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'modeldeploy_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'modeldeploy_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'modeldeploy_requests_in_flight', help: 'Requests being served now.', registers: [this.registry] });
  readonly batchSize = new Histogram({ name: 'modeldeploy_batch_size', help: 'Rows per inference run.', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [this.registry] });
  readonly modelLoad = new Gauge({ name: 'modeldeploy_model_load_seconds', help: 'Time to load the model and make the warm-up run.', registers: [this.registry] });
  // Labelled children, made once per route and status: looking them up by labels hashes on every call.
  private readonly children = new Map<string, { count: { inc(): void }; latency: { observe(value: number): void } }>();

  /** Counts one answered request and its latency. */
  observe(route: string, status: number, seconds: number): void {
    const key = `${route} ${status}`;
    let child = this.children.get(key);
    if (!child) {
      child = { count: this.requests.labels(route, String(status)), latency: this.latency.labels(route) };
      this.children.set(key, child);
    }
    child.count.inc();
    child.latency.observe(seconds);
  }
}
