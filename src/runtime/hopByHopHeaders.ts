import type { IncomingMessage } from 'node:http';

// Headers that describe one connection, not the message (RFC 9110 section 7.6.1): a proxy must not pass
// them on. `expect` is here too: the router has already answered "100 Continue" to its client itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

/**
 * A message's end-to-end headers (from node's `rawHeaders`, so repeated headers stay repeated), without
 * the hop-by-hop ones and those the Connection header names. Keys are lower case.
 */
export function endToEndHeaders(rawHeaders: string[]): Record<string, string | string[]> {
  const named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') for (const token of rawHeaders[i + 1].split(',')) named.add(token.trim().toLowerCase());
  }
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    const value = rawHeaders[i + 1];
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  return headers;
}

/**
 * The headers a request goes on to an upstream with: its end-to-end ones, the upstream's own Host left to
 * node (the client's goes on as X-Forwarded-Host), and the client's address and protocol forwarded.
 */
export function forwardedHeaders(request: IncomingMessage): Record<string, string | string[]> {
  const headers = endToEndHeaders(request.rawHeaders);
  delete headers.host;
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
  const clientAddress = request.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = request.headers['x-forwarded-for'] ? `${request.headers['x-forwarded-for']}, ${clientAddress}` : clientAddress;
  headers['x-forwarded-proto'] = 'http';
  return headers;
}
