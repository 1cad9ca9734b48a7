import type { IncomingMessage } from 'node:http';
import type { Upstream } from './upstreamUrl';

// Headers that describe one connection, not the message (RFC 9110 section 7.6.1): a proxy must not pass
// them on. `expect` is here too: the router has already answered "100 Continue" to its client itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);
// What the router writes itself on a forwarded request, in place of what the client sent.
const REPLACED_ON_REQUESTS = new Set(['host', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);

/**
 * Header lines as node's `rawHeaders` holds them and as `writeHead` and `http.request` take them: name,
 * value, name, value. `http.request` writes such a list as it is, where it takes a headers object through
 * `setHeader` name by name: on the router's path of every request, that shows.
 */
export type HeaderLines = string[];

/**
 * A message's end-to-end header lines (repeated headers stay repeated, names keep their case), without
 * the hop-by-hop ones and those its Connection header names. `onLine` sees every line first, by its
 * lower-case name, and drops it by returning false.
 */
export function endToEndHeaders(rawHeaders: string[], onLine?: (name: string, value: string) => boolean): HeaderLines {
  let named: Set<string> | undefined;
  const lines: HeaderLines = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    if (onLine && !onLine(name, value)) continue;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') named = namedIn(value, named);
      continue;
    }
    lines.push(rawHeaders[i], value);
  }
  return named ? withoutNamed(lines, named) : lines;
}

/** The headers a Connection header names besides the hop-by-hop ones and `close` (usually none). */
function namedIn(value: string, named: Set<string> | undefined): Set<string> | undefined {
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && !HOP_BY_HOP.has(name)) (named ??= new Set()).add(name);
  }
  return named;
}

function withoutNamed(lines: HeaderLines, named: Set<string>): HeaderLines {
  const kept: HeaderLines = [];
  for (let i = 0; i < lines.length; i += 2) if (!named.has(lines[i].toLowerCase())) kept.push(lines[i], lines[i + 1]);
  return kept;
}

/** An upstream's answer's end-to-end header lines with `own` added, in place of any the upstream sent by their names. */
export function answerHeaders(rawHeaders: string[], own: [name: string, value: string][]): HeaderLines {
  const lines = endToEndHeaders(rawHeaders, (name) => !own.some(([ownName]) => ownName === name));
  for (const [name, value] of own) lines.push(name, value);
  return lines;
}

/** A client's request as the router sends it on to an upstream. */
export interface ForwardedRequest {
  headers: HeaderLines;
  /** Whether a body follows: a Content-Length above 0, or a chunked one. */
  hasBody: boolean;
}

/**
 * The request's end-to-end headers for `upstream`: its own Host (the client's goes on as
 * X-Forwarded-Host), the client's address appended to X-Forwarded-For, X-Forwarded-Proto, and a body the
 * client sent chunked re-framed chunked (its length is unknown).
 */
export function forwardedRequest(request: IncomingMessage, upstream: Upstream): ForwardedRequest {
  let host: string | undefined;
  let forwardedFor: string | undefined;
  let hasBody = false;
  let chunked = false;
  const headers = endToEndHeaders(request.rawHeaders, (name, value) => {
    if (name === 'transfer-encoding') chunked = hasBody = true;
    else if (name === 'content-length') hasBody ||= Number(value) > 0;
    if (!REPLACED_ON_REQUESTS.has(name)) return true;
    if (name === 'host') host ??= value;
    else if (name === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    return false;
  });
  const clientAddress = request.socket.remoteAddress ?? '';
  headers.push('Host', upstream.name, 'X-Forwarded-For', forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`, 'X-Forwarded-Proto', 'http');
  if (host) headers.push('X-Forwarded-Host', host);
  if (chunked) headers.push('Transfer-Encoding', 'chunked');
  return { headers, hasBody };
}

/** `headers` for a body of `length` bytes sent whole: any length or framing they named replaced by it. */
export function withContentLength(headers: HeaderLines, length: number): HeaderLines {
  const kept: HeaderLines = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    if (name !== 'content-length' && name !== 'transfer-encoding') kept.push(headers[i], headers[i + 1]);
  }
  kept.push('Content-Length', String(length));
  return kept;
}
