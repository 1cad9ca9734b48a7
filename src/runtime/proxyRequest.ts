import * as http from 'node:http';
import type { Lease } from './activeUpstream';
import { answerHeaders, forwardedRequest } from './hopByHopHeaders';
import { sendJson } from './jsonResponse';
import type { Upstream } from './upstreamUrl';

export interface ProxyContext {
  /** Keep-alive connections to the upstreams, shared by all requests. */
  agent: http.Agent;
  /** The upstream for a second attempt: the active one at the time of asking, never the canary. */
  lease: () => Lease | undefined;
  /** How long an upstream may stay silent on a request before the router answers 504. */
  upstreamTimeoutMs: number;
  /** Named in the 503 answer and the X-Model-Deploy-Environment header. */
  environment?: string;
  /** True while the router shuts down: answers then close their connections so draining ends. */
  closing: () => boolean;
}

/** What happened to one request, for the access log. */
export interface ProxyOutcome {
  /** The status sent to the client; 499 when the client went away before one was sent. */
  status: number;
  /** The upstream that answered (or failed). */
  upstream?: Upstream;
  /** When the request was sent again: the upstream its first attempt could not reach. */
  retriedFrom?: Upstream;
  attempts: number;
  /** The client closed its connection before the whole answer was sent. */
  aborted: boolean;
}

export const UPSTREAM_HEADER = 'x-model-deploy-upstream';
export const ENVIRONMENT_HEADER = 'x-model-deploy-environment';
// Containers on the same Docker network connect in microseconds; a connection that takes seconds is to a
// host that drops packets, and waiting for the kernel's own timeout (minutes) would hold the client.
const CONNECT_TIMEOUT_MS = 5_000;
const IDEMPOTENT_WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

class UpstreamTimeout extends Error {}

/**
 * Forwards one request to the upstream it was leased, streaming the body both ways (backpressure, no
 * buffering), and calls `done` once when the exchange is over, sent or aborted.
 */
export function proxyRequest(request: http.IncomingMessage, response: http.ServerResponse, firstLease: Lease | undefined, context: ProxyContext, done: (outcome: ProxyOutcome) => void): void {
  let lease = firstLease;
  let retriedFrom: Upstream | undefined;
  let attempts = 0;
  let upstreamRequest: http.ClientRequest | undefined;
  let status = 0;
  let over = false;

  // The router's own headers on every answer (lower case): which version answered, in which environment.
  const ownHeaders = (): [string, string][] => {
    const own: [string, string][] = [];
    if (lease) own.push([UPSTREAM_HEADER, lease.upstream.name]);
    if (context.environment) own.push([ENVIRONMENT_HEADER, context.environment]);
    if (context.closing()) own.push(['connection', 'close']);
    return own;
  };
  const answerError = (code: number, message: string) => {
    status = code;
    sendJson(response, code, { error: message }, Object.fromEntries(ownHeaders()));
  };

  // 'close' comes once whether the answer was sent or the client went away: the one place to clean up.
  response.on('close', () => {
    over = true;
    const aborted = !response.writableFinished;
    if (aborted) upstreamRequest?.destroy();
    lease?.release();
    done({ status: status || 499, upstream: lease?.upstream, retriedFrom, attempts, aborted });
  });
  request.on('error', () => upstreamRequest?.destroy());

  const attempt = () => {
    if (!lease) {
      answerError(503, `no version is deployed to ${context.environment ?? 'this environment'} yet`);
      return;
    }
    attempts += 1;
    const { upstream } = lease;
    const { headers, hasBody } = forwardedRequest(request, upstream);
    // `timeout`: the upstream's silence, on the socket while this request has it.
    const outgoing = http.request({ agent: context.agent, hostname: upstream.host, port: upstream.port, method: request.method, path: request.url, headers, timeout: context.upstreamTimeoutMs });
    upstreamRequest = outgoing;
    let connected = false;
    let answered = false;

    outgoing.on('timeout', () => outgoing.destroy(new UpstreamTimeout()));
    outgoing.on('socket', (socket) => {
      const start = () => {
        connected = true;
        // The body is read from the client only now, once there is a connection to write it to: until
        // then nothing of it is consumed, so a failed connection can be retried with the body intact.
        if (hasBody) request.pipe(outgoing);
      };
      if (!socket.connecting) return start(); // a pooled connection
      const connectTimer = setTimeout(() => outgoing.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      outgoing.once('close', () => clearTimeout(connectTimer));
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        start();
      });
    });
    if (!hasBody) {
      request.resume();
      outgoing.end();
    }

    outgoing.on('response', (upstreamResponse) => {
      answered = true;
      status = upstreamResponse.statusCode ?? 502;
      response.writeHead(status, upstreamResponse.statusMessage, answerHeaders(upstreamResponse.rawHeaders, ownHeaders()));
      // An upstream that breaks off mid-answer ends the client's answer too; a client that goes away ends
      // the upstream request ('close' above). pipe() rather than pipeline(), which makes an AbortController
      // for every request and an AbortError with its stack when done: over a third of the router's CPU
      // time per request, measured.
      upstreamResponse.on('close', () => {
        if (!upstreamResponse.complete) response.destroy();
      });
      upstreamResponse.pipe(response);
    });

    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (answered || over) {
        // The answer is under way (its end ends it) or the client is gone: nothing left to tell anyone.
        if (!response.writableFinished) response.destroy();
        return;
      }
      if (attempts === 1 && nothingReachedTheServer(connected, outgoing, error, hasBody, request.method)) {
        // Safe to send again, to whichever version is active now (it may have just been switched).
        retriedFrom = upstream;
        lease?.release();
        lease = context.lease();
        attempt();
        return;
      }
      if (response.headersSent) response.destroy();
      else if (error instanceof UpstreamTimeout) answerError(504, `${upstream.name} did not answer within ${context.upstreamTimeoutMs / 1000} s`);
      else if (!connected) answerError(502, `${upstream.name} cannot be reached (${error.message})`);
      else answerError(502, `${upstream.name} closed the connection before answering (${error.message})`);
    });
  };
  attempt();
}

/**
 * True when a failed attempt cannot have had any effect upstream. Either the connection never opened
 * (refused, no such host, connect timeout): not a byte went out. Or a pooled keep-alive connection turned
 * out to be closed by the upstream as the request was written, for a request without a body whose method
 * is safe to repeat: the classic keep-alive race, where the upstream discards what it gets.
 */
function nothingReachedTheServer(connected: boolean, outgoing: http.ClientRequest, error: NodeJS.ErrnoException, hasBody: boolean, method: string | undefined): boolean {
  if (!connected) return true;
  return outgoing.reusedSocket && !hasBody && IDEMPOTENT_WITHOUT_BODY.has(method ?? '') && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}
