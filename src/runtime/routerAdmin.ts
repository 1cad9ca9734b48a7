import type * as http from 'node:http';
import type { ActiveUpstream, Canary, Shadow } from './activeUpstream';
import { sendJson } from './jsonResponse';
import type { RouterMetrics } from './routerMetrics';
import { parseShadowCompare, type ShadowCompare } from './shadowComparison';
import { parseUpstreamUrl, type Upstream } from './upstreamUrl';
import { isCanaryWeight } from './weightedSplit';

export interface AdminContext {
  active: ActiveUpstream;
  metrics: RouterMetrics;
  /** Checks the Authorization header (constant time). */
  authorized: (authorization: string | undefined) => boolean;
  /** Aborted when the router stops: drain waits answer at once instead of holding the shutdown. */
  stopping: AbortSignal;
  /** Called after each switch, for the log. */
  onSwitch?: (to: Upstream, from: Upstream | undefined) => void;
  /** Called after the canary is set or cleared (`to` undefined), for the log. */
  onCanary?: (to: Canary | undefined, from: Canary | undefined) => void;
  /** Called after the shadow is set or cleared (`to` undefined), for the log. */
  onShadow?: (to: Shadow | undefined, from: Shadow | undefined) => void;
}

// A switch, canary or shadow request is one short URL and a number or an output's name; anything bigger is not one.
const MAX_BODY_BYTES = 4096;
const MAX_DRAIN_WAIT_MS = 600_000;
// As on the model server: curl's default (form-encoded) is taken as JSON so `curl -d '{...}'` works.
const JSON_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', ''];

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An answer that is text rather than JSON (the metrics). */
class TextBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

type Answer = [number, unknown];

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The admin API: read and switch the active upstream, set or clear a canary or a shadow, wait for an old
 * one to drain, read the per-upstream metrics. Every request needs the bearer token. Resolves with the status
 * sent, for the access log.
 */
export async function handleAdmin(request: http.IncomingMessage, response: http.ServerResponse, context: AdminContext): Promise<number> {
  const url = new URL(request.url ?? '/', 'http://admin');
  let status: number;
  let payload: unknown;
  const headers: http.OutgoingHttpHeaders = {};
  try {
    if (!context.authorized(request.headers.authorization)) {
      headers['www-authenticate'] = 'Bearer realm="modeldeploy-router"';
      throw new AdminError(401, 'the admin API needs "Authorization: Bearer <token>" with the router\'s token');
    }
    [status, payload] = await route(request, url, context, headers);
  } catch (error) {
    status = error instanceof AdminError ? error.status : 500;
    payload = { error: error instanceof AdminError ? error.message : `internal error: ${(error as Error).message}` };
  }
  if (context.stopping.aborted) headers.connection = 'close';
  if (payload instanceof TextBody) {
    response.writeHead(status, { ...headers, 'Content-Type': payload.contentType, 'Content-Length': Buffer.byteLength(payload.text) });
    response.end(payload.text);
  } else {
    sendJson(response, status, payload, headers);
  }
  return status;
}

async function route(request: http.IncomingMessage, url: URL, context: AdminContext, headers: http.OutgoingHttpHeaders): Promise<Answer> {
  const { active } = context;
  const allow = (...methods: string[]) => {
    if (methods.includes(request.method ?? '')) return;
    headers.allow = methods.join(', ');
    throw new AdminError(405, `${request.method} is not allowed on ${url.pathname}; use ${methods.join(' or ')}`);
  };
  switch (url.pathname) {
    case '/healthz':
      allow('GET');
      return [200, { ok: true }];
    case '/upstream':
      allow('GET', 'PUT');
      if (request.method === 'GET') return [200, { url: active.upstream?.url ?? null, since: active.activeSince ?? null, canary: canaryJson(active.canary), shadow: shadowJson(active.shadow), inFlight: active.inFlightCounts() }];
      return switchUpstream(await readJson(request), context);
    case '/upstream/drained':
      allow('GET');
      return waitForDrain(url.searchParams, context);
    case '/canary':
      allow('PUT', 'DELETE');
      if (request.method === 'DELETE') return clearCanary(context);
      return setCanary(await readJson(request), context);
    case '/shadow':
      allow('PUT', 'DELETE');
      if (request.method === 'DELETE') return clearShadow(context);
      return setShadow(await readJson(request), context);
    case '/metrics':
      allow('GET');
      return [200, new TextBody(context.metrics.text(active.inFlightCounts()), PROMETHEUS_TEXT)];
    default:
      throw new AdminError(404, `no route ${url.pathname}; the admin API has /healthz, /upstream, /upstream/drained, /canary, /shadow and /metrics`);
  }
}

function canaryJson(canary: Canary | undefined): { url: string; weight: number; since: string } | null {
  return canary ? { url: canary.upstream.url, weight: canary.weight, since: canary.since } : null;
}

/**
 * The upstream a PUT /canary or /shadow names, beside the active one: 400 when the URL is not one, 409
 * when nothing is active, when it is the active one, or when the other kind of trial runs.
 */
function trialUpstream(requested: unknown, kind: 'canary' | 'shadow', bodyShape: string, context: AdminContext): { upstream: Upstream; active: Upstream } {
  let upstream: Upstream;
  try {
    upstream = parseUpstreamUrl(requested);
  } catch (error) {
    throw new AdminError(400, `the body must be ${bodyShape}: ${(error as Error).message}`);
  }
  const active = context.active.upstream;
  if (!active) throw new AdminError(409, `no upstream is active: a ${kind} runs beside the active version, so set one first (PUT /upstream)`);
  if (active.url === upstream.url) throw new AdminError(409, `${upstream.url} is the active upstream: a ${kind} must be another version`);
  const other = kind === 'canary' ? context.active.shadow : context.active.canary;
  const otherKind = kind === 'canary' ? 'shadow' : 'canary';
  if (other) throw new AdminError(409, `${other.upstream.url} is the ${otherKind}: clear it first (DELETE /${otherKind}); a canary and a shadow do not run together`);
  return { upstream, active };
}

function setCanary(body: unknown, context: AdminContext): Answer {
  const { url: requested, weight } = (body ?? {}) as { url?: unknown; weight?: unknown };
  const { upstream, active } = trialUpstream(requested, 'canary', '{"url": "http://host:port", "weight": 1 to 99}', context);
  if (!isCanaryWeight(weight)) {
    throw new AdminError(400, `"weight" must be a whole number from 1 to 99 (the canary's percentage of requests), not ${JSON.stringify(weight) ?? 'nothing'}`);
  }
  const previous = context.active.setCanary(upstream, weight);
  context.onCanary?.(context.active.canary, previous);
  return [200, { ...canaryJson(context.active.canary), active: active.url, previous: previous?.upstream.url ?? null }];
}

function clearCanary(context: AdminContext): Answer {
  const previous = context.active.clearCanary();
  if (previous) context.onCanary?.(undefined, previous);
  return [200, { url: null, previous: previous?.upstream.url ?? null }];
}

function shadowJson(shadow: Shadow | undefined): { url: string; since: string; compare: ShadowCompare } | null {
  return shadow ? { url: shadow.upstream.url, since: shadow.since, compare: shadow.compare } : null;
}

function setShadow(body: unknown, context: AdminContext): Answer {
  const { url: requested, compare } = (body ?? {}) as { url?: unknown; compare?: unknown };
  const { upstream, active } = trialUpstream(requested, 'shadow', '{"url": "http://host:port", "compare": {"output": "<output>", "task": "classification"}}', context);
  const comparing = shadowCompare(compare);
  const previous = context.active.setShadow(upstream, comparing);
  context.metrics.shadowSet(upstream);
  context.onShadow?.(context.active.shadow, previous);
  return [200, { ...shadowJson(context.active.shadow), active: active.url, previous: previous?.upstream.url ?? null }];
}

/** The body's `compare`; 400 naming the field that is wrong. */
function shadowCompare(compare: unknown): ShadowCompare {
  try {
    return parseShadowCompare(compare);
  } catch (error) {
    throw new AdminError(400, (error as Error).message);
  }
}

function clearShadow(context: AdminContext): Answer {
  const previous = context.active.clearShadow();
  if (previous) context.onShadow?.(undefined, previous);
  return [200, { url: null, previous: previous?.upstream.url ?? null }];
}

function switchUpstream(body: unknown, context: AdminContext): Answer {
  const requested = (body as { url?: unknown } | null)?.url;
  let next: Upstream;
  try {
    next = parseUpstreamUrl(requested);
  } catch (error) {
    throw new AdminError(400, `the body must be {"url": "http://host:port"}: ${(error as Error).message}`);
  }
  const { canary, shadow } = context.active;
  const previous = context.active.switchTo(next);
  context.onSwitch?.(next, previous);
  // Switching to the canary or the shadow promotes it: it is no longer a canary or a shadow.
  if (canary && !context.active.canary) context.onCanary?.(undefined, canary);
  if (shadow && !context.active.shadow) context.onShadow?.(undefined, shadow);
  return [200, { url: next.url, previous: previous?.url ?? null }];
}

async function waitForDrain(query: URLSearchParams, context: AdminContext): Promise<Answer> {
  let upstream: Upstream;
  try {
    upstream = parseUpstreamUrl(query.get('url') ?? '');
  } catch (error) {
    throw new AdminError(400, `?url= must name an upstream: ${(error as Error).message}`);
  }
  const timeoutText = query.get('timeoutMs') ?? '0';
  const timeoutMs = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutMs > MAX_DRAIN_WAIT_MS) throw new AdminError(400, `?timeoutMs=${timeoutText} is not a whole number from 0 to ${MAX_DRAIN_WAIT_MS}`);
  // The active upstream, the canary and the shadow keep getting new requests, so waiting for them to drain would wait for nothing.
  if (context.active.upstream?.url === upstream.url) throw new AdminError(409, `${upstream.url} is the active upstream: switch away from it before waiting for it to drain`);
  if (context.active.canary?.upstream.url === upstream.url) throw new AdminError(409, `${upstream.url} is the canary: clear it (DELETE /canary) before waiting for it to drain`);
  if (context.active.shadow?.upstream.url === upstream.url) throw new AdminError(409, `${upstream.url} is the shadow: clear it (DELETE /shadow) before waiting for it to drain`);
  const inFlight = await context.active.waitUntilDrained(upstream.url, timeoutMs, context.stopping);
  return [200, { url: upstream.url, drained: inFlight === 0, inFlight }];
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!JSON_CONTENT_TYPES.includes(type)) throw new AdminError(415, `the body must be JSON (Content-Type: application/json), not ${type}`);
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const received: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        received.push(chunk);
        return;
      }
      // Read on and drop the rest, so the 413 reaches a client that is still sending.
      request.removeAllListeners('data');
      request.resume();
      reject(new AdminError(413, `the body is over the limit of ${MAX_BODY_BYTES} bytes`));
    });
    request.on('end', () => resolve(received));
    request.on('error', reject);
  });
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new AdminError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}
