import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActiveUpstream } from './activeUpstream';
import { bearerTokenCheck } from './bearerToken';
import { applyClientLimits } from './clientLimits';
import { proxyRequest } from './proxyRequest';
import { handleAdmin } from './routerAdmin';
import type { RouterConfig } from './routerConfig';
import type { Upstream } from './upstreamUrl';

export interface RouterHooks {
  /** Where the JSON access log goes (stdout in the container); undefined: no access log. */
  accessLog?: (line: string) => void;
  /** Called after each switch of the active upstream. */
  onSwitch?: (to: Upstream, from: Upstream | undefined) => void;
}

export interface RunningRouter {
  /** The traffic listener. */
  url: string;
  /** The admin listener. */
  adminUrl: string;
  /** Stops accepting connections, lets the requests in flight finish, then resolves. */
  close(): Promise<void>;
}

// The admin listener hears only the deployer, whose requests are small.
const ADMIN_TIMEOUT_MS = 10_000;
// Pooled connections to an upstream are closed after this long idle, or sooner when the upstream
// announces a shorter keep-alive: closing first avoids reusing a connection the upstream is closing.
const UPSTREAM_IDLE_SOCKET_MS = 30_000;

/**
 * The environment router: a traffic listener that forwards every request to the active upstream, and an
 * admin listener that switches it.
 */
export async function startRouter(config: RouterConfig, hooks: RouterHooks = {}): Promise<RunningRouter> {
  const active = new ActiveUpstream(config.upstream);
  const agent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_SOCKET_MS, scheduling: 'lifo' });
  const stopping = new AbortController();
  const closing = () => stopping.signal.aborted;

  const traffic = http.createServer((request, response) => {
    const started = performance.now();
    // The upstream is taken here, on arrival, and kept: this is what makes a switch atomic.
    const lease = active.lease();
    proxyRequest(request, response, lease, { agent, lease: () => active.lease(), upstreamTimeoutMs: config.upstreamTimeoutMs, environment: config.environment, closing }, (outcome) => {
      hooks.accessLog?.(
        JSON.stringify({
          time: new Date().toISOString(),
          method: request.method,
          path: pathOf(request),
          status: outcome.status,
          ms: elapsedMs(started),
          upstream: outcome.upstream ?? null,
          ...(outcome.attempts > 1 ? { attempts: outcome.attempts } : {}),
          ...(outcome.aborted ? { aborted: true } : {}),
        }),
      );
      // A keep-alive connection whose answer began before the shutdown is idle only now.
      if (closing()) traffic.closeIdleConnections();
    });
  });
  // The client's side is bounded like the model server's; the upstream's own silence is `upstreamTimeoutMs`.
  applyClientLimits(traffic);

  const authorized = bearerTokenCheck(config.token);
  const admin = http.createServer((request, response) => {
    const started = performance.now();
    void handleAdmin(request, response, { active, authorized, stopping: stopping.signal, onSwitch: hooks.onSwitch }).then((status) => {
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
