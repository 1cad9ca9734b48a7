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

/**
 * The shadow's metrics on the same /metrics, each labelled `upstream` with the shadow's `http://host:port`.
 * A shadow gets a copy of each inference request after the active version has answered it; only the
 * active version's answer goes back to the client, and the two answers are compared.
 */
export const ROUTER_SHADOW_METRICS = {
  /** Counter: copies the shadow answered, by `status` (502: unreachable or broke off, 504: timed out). */
  requests: 'modeldeploy_router_shadow_requests_total',
  /** Histogram of the shadow's latency in seconds, from sending the copy to the end of its answer (ROUTER_LATENCY_BOUNDS). */
  latency: 'modeldeploy_router_shadow_duration_seconds',
  /** Counter: pairs of 200 answers (the active version's and the shadow's) compared. */
  compared: 'modeldeploy_router_shadow_compared_total',
  /** Counter: of the pairs compared, those whose predicted class differs in any row. */
  classDifferences: 'modeldeploy_router_shadow_class_differences_total',
  /** Counter: pairs of 200 answers that could not be compared (an output missing, shapes that differ, a body that is not OIP). */
  incomparable: 'modeldeploy_router_shadow_incomparable_total',
  /** Gauge: the largest absolute difference between the two answers' scores since the shadow was set (0 until a pair is compared). */
  maxScoreDifference: 'modeldeploy_router_shadow_score_difference_max',
  /** Counter: inference requests not mirrored, by `reason` (ROUTER_SHADOW_SKIP_REASONS). */
  skipped: 'modeldeploy_router_shadow_skipped_total',
} as const;

/**
 * Why a request was not mirrored: `busy`, the most copies were in flight already; `too_large`, the request
 * or the active version's answer is over the bound; `incomplete`, the client left before its whole answer
 * was sent (or the router never read the whole request).
 */
export const ROUTER_SHADOW_SKIP_REASONS = ['busy', 'too_large', 'incomplete'] as const;

export type ShadowSkipReason = (typeof ROUTER_SHADOW_SKIP_REASONS)[number];
