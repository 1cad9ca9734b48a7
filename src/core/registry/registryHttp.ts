import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { UserError } from '../errors';

/** A request body: bytes, or a factory that opens a stream (called again when the request is retried). */
export type RequestBody = Buffer | (() => Promise<Readable>);

export interface HttpCall {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Content-Length of a streamed body. */
  bodyLength?: number;
  /** Give up when the connection stays silent this long (connecting, waiting, or between chunks). */
  timeoutMs: number;
}

export interface StreamReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  stream: http.IncomingMessage;
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** The network failed (refused, reset, unknown host, TLS, silence); `reason` is short and has no secret. */
export class ConnectionError extends Error {
  constructor(
    readonly reason: string,
    readonly code?: string,
  ) {
    super(reason);
    this.name = 'ConnectionError';
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
  EPIPE: 'the connection was closed while sending',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain ends in an untrusted self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not signed by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not signed by a trusted authority',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
};

export function connectionError(error: unknown): ConnectionError {
  if (error instanceof ConnectionError) return error;
  const e = error as NodeJS.ErrnoException;
  const code = e?.code;
  if (code && REASONS[code]) return new ConnectionError(REASONS[code], code);
  // OpenSSL's "wrong version number": an https request to a server that speaks plain http.
  if (/wrong version number|packet length too long/i.test(e?.message ?? '')) return new ConnectionError('it does not speak HTTPS', code);
  return new ConnectionError((e?.message ?? String(error)).split('\n')[0], code);
}

/**
 * Sends one request and hands back the response as a stream (node:http or node:https, no keep-alive).
 * Not fetch: a port that accepts a connection and never answers must end in a clear error, not a hang.
 */
export async function openHttp(call: HttpCall): Promise<StreamReply> {
  const body = typeof call.body === 'function' ? await call.body() : call.body;
  const headers: Record<string, string> = { ...call.headers };
  if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
  // A stream of unknown length goes chunked.
  else if (body && call.bodyLength !== undefined) headers['Content-Length'] = String(call.bodyLength);
  else if (call.method === 'PUT' || call.method === 'POST') headers['Content-Length'] = '0';
  const transport = call.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(call.url, { method: call.method, headers, agent: false, timeout: call.timeoutMs }, (res) => {
      res.on('error', () => undefined);
      // An answer before the whole body went (a refusal): stop reading the body's source.
      if (body && !Buffer.isBuffer(body) && !body.readableEnded) body.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res });
    });
    req.on('timeout', () => req.destroy(new ConnectionError(`no answer within ${formatSeconds(call.timeoutMs)}`, 'TIMEOUT')));
    // A UserError comes from the body's source (a blob being copied) and keeps its own words.
    req.on('error', (error) => reject(error instanceof UserError ? error : connectionError(error)));
    if (body && !Buffer.isBuffer(body)) {
      body.on('error', (error) => req.destroy(error));
      body.pipe(req);
    } else {
      req.end(body);
    }
  });
}

/** Sends one request and reads the whole response body. */
export async function sendHttp(call: HttpCall): Promise<HttpReply> {
  const reply = await openHttp(call);
  return { status: reply.status, headers: reply.headers, body: await readAll(reply.stream) };
}

export function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', (error) => reject(connectionError(error)));
    stream.on('aborted', () => reject(new ConnectionError('the connection closed before the answer was complete')));
  });
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
