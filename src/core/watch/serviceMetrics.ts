/**
 * The metrics of a Model Deploy service's /metrics that live figures are read from (the serving runtime
 * writes them), and the route label of inference requests.
 */
export const SERVICE_METRICS = {
  /** Counter: answered requests by `route` and `status`. */
  requests: 'modeldeploy_requests_total',
  /** Histogram of request latency in seconds, by `route`. */
  latency: 'modeldeploy_request_duration_seconds',
  /** Gauge: requests being served when it is read, the read itself included. */
  inFlight: 'modeldeploy_requests_in_flight',
  inferRoute: 'infer',
} as const;
