import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActiveUpstream, type Canary, type Shadow } from './activeUpstream';
import { bearerTokenCheck } from './bearerToken';
import { applyClientLimits } from './clientLimits';
import { proxyRequest } from './proxyRequest';
import { RouteStore } from './routeStore';
import { routerAccessLogLine } from './routerAccessLogLine';
import { handleAdmin } from './routerAdmin';
import type { RouterConfig } from './routerConfig';
import { isInference, RouterMetrics } from './routerMetrics';
import { ShadowMirror } from './shadowMirror';
import type { Upstream } from './upstreamUrl';

export interface RouterHooks {
  /** Where the JSON access log goes (stdout in the container); undefined: no access log. */
  accessLog?: (line: string) => void;
  /** Called after each switch of the active upstream. */
  onSwitch?: (to: Upstream, from: Upstream | undefined) => void;
  /** Called after the canary is set or cleared (`to` undefined, also when a switch to it promoted it). */
  onCanary?: (to: Canary | undefined, from: Canary | undefined) => void;
  /** Called after the shadow is set or cleared (`to` undefined, also when a switch to it promoted it). */
  onShadow?: (to: Shadow | undefined, from: Shadow | undefined) => void;
  /** Told when the saved routes cannot be read (the router then starts from its configured upstream) or written. */
  onRoutesProblem?: (message: string) => void;
}

export interface RunningRouter {
  /** The traffic listener. */
  url: string;
  /** The admin listener. */
  adminUrl: string;
  /** Whether it routes as its saved routes said (a restart) rather than from its configured upstream. */
  restored: boolean;
  /** The upstream it started routing to. */
  startedWith: string | undefined;
  /** Stops accepting connections, lets the requests in flight finish, then resolves. */
  close(): Promise<void>;
}

// The admin listener hears only the deployer, whose requests are small.
const ADMIN_TIMEOUT_MS = 10_000;
// Pooled connections to an upstream are closed after this long idle, or sooner when the upstream
// announces a shorter keep-alive: closing first avoids reusing a connection the upstream is closing.
const UPSTREAM_IDLE_SOCKET_MS = 30_000;

/**
 * The environment router: a traffic listener that forwards every request to the active upstream (or, for
 * its share, to the canary; a copy of inference requests to the shadow), and an admin listener that
 * switches them and reads their metrics.
 */
export async function startRouter(config: RouterConfig, hooks: RouterHooks = {}): Promise<RunningRouter> {
  const active = new ActiveUpstream(config.upstream);
  const agent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_SOCKET_MS, scheduling: 'lifo' });
  const stopping = new AbortController();
  const closing = () => stopping.signal.aborted;

  const metrics = new RouterMetrics();
  const store = config.routesFile === undefined ? undefined : new RouteStore(config.routesFile);
  const restored = store ? restoreRoutes(store, active, hooks) : false;
  if (active.shadow) metrics.shadowSet(active.shadow.upstream);
  // Saved before the admin API answers a change, so that an acknowledged change outlives a restart.
  const saved = <T extends unknown[]>(hook?: (...args: T) => void) => (...args: T) => {
    if (store) saveRoutes(store, active, hooks);
    hook?.(...args);
  };
  // A second attempt (nothing of the first reached a server) goes to the active version, never the canary.
  const proxyContext = { agent, lease: () => active.leaseActive(), upstreamTimeoutMs: config.upstreamTimeoutMs, environment: config.environment, closing };
  const mirror = new ShadowMirror({ active, agent, metrics, upstreamTimeoutMs: config.upstreamTimeoutMs });

  const traffic = http.createServer((request, response) => {
    const started = performance.now();
    // The upstream is taken here, on arrival, and kept: this is what makes a switch atomic.
    const lease = active.lease();
    // Looked at only while a shadow is set: without one, a request costs what it did before shadows.
    if (active.shadow) mirror.watch(request, response);
    proxyRequest(request, response, lease, proxyContext, (outcome) => {
      const path = pathOf(request);
      const seconds = (performance.now() - started) / 1000;
      if (outcome.upstream) metrics.answered(outcome.upstream, isInference(path), outcome.status, seconds);
      if (outcome.retriedFrom) metrics.connectFailed(outcome.retriedFrom);
      hooks.accessLog?.(routerAccessLogLine(request.method, path, outcome.status, elapsedMs(started), outcome.upstream?.name, outcome.attempts, outcome.aborted));
      // A keep-alive connection whose answer began before the shutdown is idle only now.
      if (closing()) traffic.closeIdleConnections();
    });
  });
  // The client's side is bounded like the model server's; the upstream's own silence is `upstreamTimeoutMs`.
  applyClientLimits(traffic);

  const authorized = bearerTokenCheck(config.token);
  const admin = http.createServer((request, response) => {
    const started = performance.now();
    void handleAdmin(request, response, { active, metrics, authorized, stopping: stopping.signal, onSwitch: saved(hooks.onSwitch), onCanary: saved(hooks.onCanary), onShadow: saved(hooks.onShadow) }).then((status) => {
      hooks.accessLog?.(JSON.stringify({ time: new Date().toISOString(), admin: true, method: request.method, path: pathOf(request), status, ms: elapsedMs(started) }));
      if (closing()) admin.closeIdleConnections();
    });
  });
  admin.headersTimeout = ADMIN_TIMEOUT_MS;
  admin.requestTimeout = ADMIN_TIMEOUT_MS;

  const url = await listen(traffic, config.port, config.host);
  let adminUrl: string;
  try {
    adminUrl = await listen(admin, config.adminPort, config.host);
  } catch (error) {
    traffic.close();
    throw error;
  }

  return {
    url,
    adminUrl,
    restored,
    startedWith: active.upstream?.url,
    close: async () => {
      stopping.abort();
      await Promise.all([traffic, admin].map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })));
      agent.destroy();
    },
  };
}

/** Restores the saved routes into `active`; a file that cannot be used is reported and the configured upstream kept. */
function restoreRoutes(store: RouteStore, active: ActiveUpstream, hooks: RouterHooks): boolean {
  let restored = false;
  try {
    restored = store.restore(active);
  } catch (error) {
    hooks.onRoutesProblem?.(`${(error as Error).message}; routing to the configured upstream instead`);
  }
  // Saved at once: the first start's configured upstream is then what a restart goes back to, and an
  // unusable file is replaced.
  saveRoutes(store, active, hooks);
  return restored;
}

function saveRoutes(store: RouteStore, active: ActiveUpstream, hooks: RouterHooks): void {
  try {
    store.save(active);
  } catch (error) {
    hooks.onRoutesProblem?.(`cannot save the routes to ${store.file}: ${(error as Error).message}; a restart of the router would lose the last change`);
  }
}

/** The path without the query: queries may carry what does not belong in logs. */
function pathOf(request: http.IncomingMessage): string {
  return (request.url ?? '/').split('?')[0];
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

async function listen(server: http.Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}
