/** Where the router sends traffic: a model container on the router's private network. */
export interface Upstream {
  /** Normalised `http://host:port`, the key for in-flight counts. */
  url: string;
  /** `host:port`, sent back as X-Model-Deploy-Upstream so a client can tell which version answered. */
  name: string;
  /** Where to connect, parsed once here rather than for every request: the host (an IPv6 address without brackets) and port. */
  host: string;
  port: number;
}

// The port must be written out: the deployer always names it, and a missing one is more likely a typo
// than a wish for port 80.
const EXPLICIT_PORT = /^http:\/\/[^/?#]*:\d+\/?$/i;

/**
 * Checks an upstream URL: http only (the hop is on a private Docker network), a host and an explicit port,
 * nothing else (no credentials, path, query or fragment). Throws an Error that says what is wrong.
 */
export function parseUpstreamUrl(text: unknown): Upstream {
  if (typeof text !== 'string' || text === '') throw new Error('the upstream URL must be a non-empty string such as "http://model-blue:8080"');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL; expected something like "http://model-blue:8080"`);
  }
  if (url.protocol !== 'http:') throw new Error(`"${text}" must use http:, not ${url.protocol}`);
  if (url.username || url.password) throw new Error(`"${text}" must not carry credentials`);
  if (!url.hostname) throw new Error(`"${text}" has no host`);
  if (!EXPLICIT_PORT.test(text)) throw new Error(`"${text}" must be just http://host:port, with the port written out and no path, query or fragment`);
  const port = url.port || '80';
  if (port === '0') throw new Error(`"${text}" has port 0, which no server listens on`);
  return { url: `http://${url.hostname}:${port}`, name: `${url.hostname}:${port}`, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(port) };
}
