import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake registry answers to one request. */
export interface RegistryReply {
  status: number;
  type?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * How a fake registry behaves: an answer per request, `'refused'` for a port where nothing listens, or
 * `'silent'` for one that accepts connections and never answers.
 */
export type RegistryBehaviour = ((method: string, path: string) => RegistryReply) | 'refused' | 'silent';

export interface FakeRegistry {
  /** host:port, as an environment's `registry` names it (loopback, so plain HTTP). */
  host: string;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A registry that answers what the case says (garbage, mostly), on a free loopback port. */
export async function startFakeRegistry(behaviour: RegistryBehaviour): Promise<FakeRegistry> {
  if (behaviour === 'refused') {
    // A port that was free a moment ago and has nothing listening on it now.
    const probe = http.createServer();
    const host = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    return { host, close: async () => undefined };
  }
  const server = http.createServer((request, response) => {
    request.resume();
    if (behaviour === 'silent') return;
    const reply = behaviour(request.method ?? 'GET', new URL(request.url ?? '/', 'http://registry').pathname);
    response.writeHead(reply.status, { 'Content-Type': reply.type ?? 'application/json', ...reply.headers });
    response.end(reply.body ?? '');
  });
  const host = await listen(server);
  return {
    host,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
