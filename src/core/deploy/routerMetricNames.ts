/**
 * The environment router's metrics on its admin /metrics, labelled by `upstream` (the version's
 * `http://host:port`) so that whoever holds the text can compare a canary with the active version
 * without reaching the model containers. `route` is `infer` for inference requests, `other` for the rest.
 */
export const ROUTER_METRICS = {
  /** Counter: answered requests by upstream, route and status (499: the client left first). */
  requests: 'modeldeploy_router_requests_total',
  /** Histogram of request latency in seconds through the router, by upstream and route. */
  latency: 'modeldeploy_router_request_duration_seconds',
  /** Counter: connections to an upstream that never opened (the request went to the active version instead). */
  connectFailures: 'modeldeploy_router_connect_failures_total',
  /** Gauge: requests in flight by upstream. */
  inFlight: 'modeldeploy_router_requests_in_flight',
  inferRoute: 'infer',
  otherRoute: 'other',
} as const;

/** The latency histogram's upper bounds in seconds: the model server's, so both read the same way. */
export const ROUTER_LATENCY_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
