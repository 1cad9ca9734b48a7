import * as http from 'node:http';
import type { ShadowSkipReason } from '../core/deploy/routerMetricNames';
import type { ActiveUpstream, Shadow } from './activeUpstream';
import { forwardedRequest, withContentLength, type HeaderLines } from './hopByHopHeaders';
import { isInference, type RouterMetrics } from './routerMetrics';
import { compareShadowAnswers, type ShadowAnswer, type ShadowComparison } from './shadowComparison';

// A copy holds the request and the active version's answer in memory until the shadow has answered it:
// these bound that memory (8 x 2 x 4 MiB at most) and the load the shadow adds to the router.
export const MAX_MIRRORS_IN_FLIGHT = 8;
export const MAX_MIRRORED_BYTES = 4 * 1024 * 1024;

export interface MirrorContext {
  active: ActiveUpstream;
  /** The router's keep-alive connections, shared with the requests it forwards. */
  agent: http.Agent;
  metrics: RouterMetrics;
  /** How long the shadow may stay silent on a copy (504 in its metrics). */
  upstreamTimeoutMs: number;
}

/** A stream's bytes, kept up to MAX_MIRRORED_BYTES; past it, none are kept. */
class BoundedCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  over = false;

  readonly add = (chunk: Buffer): void => {
    if (this.over) return;
    this.size += chunk.length;
    if (this.size <= MAX_MIRRORED_BYTES) this.chunks.push(chunk);
    else [this.over, this.chunks] = [true, []];
  };

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/**
 * Sends a copy of each inference request to the shadow once the client has its answer from the active
 * version, and compares the two answers into the metrics. The client's answer never waits for the shadow,
 * and nothing of the shadow's reaches the client. Never throws and never logs: what happens is counted.
 */
export class ShadowMirror {
  /** Mirrored requests from their arrival to the end of the shadow's answer. */
  private inFlight = 0;

  constructor(private readonly context: MirrorContext) {}

  /** For a request that just arrived while a shadow is set, before it is forwarded. */
  watch(request: http.IncomingMessage, response: http.ServerResponse): void {
    const { active, metrics } = this.context;
    const shadow = active.shadow;
    if (!shadow || request.method !== 'POST' || !isInference((request.url ?? '/').split('?')[0])) return;
    const skip = (reason: ShadowSkipReason) => metrics.shadowSkipped(shadow.upstream, reason);
    if (Number(request.headers['content-length']) > MAX_MIRRORED_BYTES) return skip('too_large');
    if (this.inFlight >= MAX_MIRRORS_IN_FLIGHT) return skip('busy');
    this.inFlight++;
    // Leased from arrival: a shadow cleared meanwhile drains only once its copies are answered.
    const lease = active.leaseShadow()!;
    const done = () => {
      this.inFlight--;
      lease.release();
    };
    // Computed now, while the client and its socket are still there.
    const { headers } = forwardedRequest(request, shadow.upstream);
    const sent = new BoundedCapture();
    const answer = new BoundedCapture();
    let answerHeaders: http.IncomingHttpHeaders = {};
    // Read beside the router's own pipe to the active version, once that starts: a 'data' listener added
    // sooner would start the flow before the pipe exists, and the pipe would miss the first chunks.
    request.once('resume', () => request.on('data', sent.add));
    response.once('pipe', (upstreamResponse: http.IncomingMessage) => {
      answerHeaders = upstreamResponse.headers;
      // Only 200 answers are compared: others need not be kept.
      if (upstreamResponse.statusCode === 200) upstreamResponse.on('data', answer.add);
    });
    response.once('close', () => {
      const reason = !response.writableFinished || !request.readableEnded ? 'incomplete' : sent.over || answer.over ? 'too_large' : undefined;
      if (reason) {
        skip(reason);
        done();
        return;
      }
      const body = sent.bytes();
      this.send(request, shadow, withContentLength(headers, body.length), body, { status: response.statusCode, headers: answerHeaders, body: answer.bytes() }, done);
    });
  }

  private send(request: http.IncomingMessage, shadow: Shadow, headers: HeaderLines, body: Buffer, activeAnswer: ShadowAnswer, done: () => void): void {
    const { agent, metrics, upstreamTimeoutMs } = this.context;
    const { upstream } = shadow;
    const started = performance.now();
    let timedOut = false;
    let settled = false;
    const settle = (status: number, comparison?: ShadowComparison) => {
      if (settled) return;
      settled = true;
      metrics.shadowAnswered(upstream, status, (performance.now() - started) / 1000);
      if (comparison) metrics.shadowCompared(upstream, comparison);
      done();
    };
    const failed = () => settle(timedOut ? 504 : 502);

    const copy = http.request({ agent, hostname: upstream.host, port: upstream.port, method: request.method, path: request.url, headers });
    copy.setTimeout(upstreamTimeoutMs, () => {
      timedOut = true;
      copy.destroy(new Error(`no answer within ${upstreamTimeoutMs} ms`));
    });
    copy.on('error', failed);
    copy.on('response', (shadowResponse) => {
      const status = shadowResponse.statusCode ?? 502;
      const received = new BoundedCapture();
      shadowResponse.on('data', received.add);
      shadowResponse.on('end', () => settle(status, comparisonOf(activeAnswer, { status, headers: shadowResponse.headers, body: received.bytes() }, received.over, shadow)));
      // Comes after 'end' when the answer was whole (settled by then): otherwise it broke off.
      shadowResponse.on('close', failed);
    });
    copy.end(body);
  }
}

function comparisonOf(active: ShadowAnswer, shadow: ShadowAnswer, over: boolean, { compare }: Shadow): ShadowComparison | undefined {
  if (!over) return compareShadowAnswers(active, shadow, compare);
  return active.status === 200 && shadow.status === 200 ? { kind: 'incomparable', reason: `the shadow's answer is over ${MAX_MIRRORED_BYTES} bytes` } : undefined;
}
