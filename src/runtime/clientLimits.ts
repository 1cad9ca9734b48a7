import type * as http from 'node:http';

// Bounds on what clients send, chosen rather than left to Node's defaults (300 s for a whole request, no
// cap on connections): a client that trickles its headers or body holds a connection and memory. Idle
// keep-alive connections outlive the 60 s idle timeout of common load balancers, so that the balancer
// closes them first and never sends on a connection this side is closing.
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;
const HEADERS_TIMEOUT_MS = 20_000;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface ClientLimits {
  /** Time allowed for a whole request (headers and body) to arrive, in ms. */
  requestTimeoutMs?: number;
  /** Connections held at once; more are closed as they arrive. */
  maxConnections?: number;
  /** Added to Node's own request timeout when the server answers a late body itself (a JSON 408 that is logged). */
  backstopMs?: number;
}

/** Sets a server's header, request and keep-alive timeouts and its connection cap. */
export function applyClientLimits(server: http.Server, limits: ClientLimits = {}): void {
  const requestTimeoutMs = limits.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs);
  server.requestTimeout = requestTimeoutMs + (limits.backstopMs ?? 0);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
}
