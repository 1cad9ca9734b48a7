import { parseUpstreamUrl, type Upstream } from './upstreamUrl';

export interface RouterConfig {
  /** Where both listeners bind. */
  host: string;
  /** Traffic: every request here is forwarded to the active upstream. 0 picks a free port. */
  port: number;
  /** The admin API (switching, in-flight counts), on its own listener so it is never published with traffic. */
  adminPort: number;
  /** The bearer token every admin request must carry. */
  token: string;
  /** The version to serve from the start; undefined: 503 until the deployer sets one. */
  upstream?: Upstream;
  /** The environment's name (staging, production), for logs, errors and a response header. */
  environment?: string;
  /** Where the routes are saved after every change and read back at start (RouteStore); undefined: not saved. */
  routesFile?: string;
  /** How long an upstream may stay silent on a request before the router gives up with 504. */
  upstreamTimeoutMs: number;
}

export const DEFAULT_ROUTER_PORT = 8080;
export const DEFAULT_ROUTER_ADMIN_PORT = 8081;
export const MIN_TOKEN_LENGTH = 32;
// Generous: an inference under load can take a while before its first byte, and a client that gives up
// sooner aborts the upstream request anyway.
const DEFAULT_UPSTREAM_TIMEOUT_MS = 300_000;

/** The router's settings from environment variables. Throws a one-line Error naming the variable at fault. */
export function routerConfig(env: NodeJS.ProcessEnv): RouterConfig {
  const token = env.MODELDEPLOY_ROUTER_TOKEN ?? '';
  if (!token) throw new Error('MODELDEPLOY_ROUTER_TOKEN is not set: the admin API needs a bearer token of at least 32 characters');
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`MODELDEPLOY_ROUTER_TOKEN is ${token.length} characters long; it must be at least ${MIN_TOKEN_LENGTH}`);
  // It travels in an Authorization header, so it must be visible ASCII without spaces.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('MODELDEPLOY_ROUTER_TOKEN must be printable ASCII without spaces');

  const environment = env.MODELDEPLOY_ROUTER_ENVIRONMENT || undefined;
  if (environment !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(environment)) {
    throw new Error(`MODELDEPLOY_ROUTER_ENVIRONMENT=${environment} must be 1 to 63 letters, digits, '.', '_' or '-'`);
  }

  let upstream: Upstream | undefined;
  if (env.MODELDEPLOY_UPSTREAM) {
    try {
      upstream = parseUpstreamUrl(env.MODELDEPLOY_UPSTREAM);
    } catch (error) {
      throw new Error(`MODELDEPLOY_UPSTREAM: ${(error as Error).message}`);
    }
  }

  const number = (name: string, fallback: number, min: number, max: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) throw new Error(`${name}=${value} is not a whole number from ${min} to ${max}`);
    return parsed;
  };
  const port = number('MODELDEPLOY_ROUTER_PORT', DEFAULT_ROUTER_PORT, 0, 65535);
  const adminPort = number('MODELDEPLOY_ROUTER_ADMIN_PORT', DEFAULT_ROUTER_ADMIN_PORT, 0, 65535);
  if (port !== 0 && port === adminPort) throw new Error(`MODELDEPLOY_ROUTER_PORT and MODELDEPLOY_ROUTER_ADMIN_PORT are both ${port}; traffic and admin need their own ports`);

  const routesFile = env.MODELDEPLOY_ROUTER_ROUTES_FILE || undefined;
  if (routesFile !== undefined && !routesFile.startsWith('/')) throw new Error(`MODELDEPLOY_ROUTER_ROUTES_FILE=${routesFile} must be an absolute path`);

  return {
    host: env.MODELDEPLOY_ROUTER_HOST || '0.0.0.0',
    port,
    adminPort,
    token,
    upstream,
    environment,
    routesFile,
    upstreamTimeoutMs: number('MODELDEPLOY_ROUTER_UPSTREAM_TIMEOUT_MS', DEFAULT_UPSTREAM_TIMEOUT_MS, 1, 3_600_000),
  };
}
