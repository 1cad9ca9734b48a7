import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { httpRequest } from '../../src/core/http/httpRequest';
import { REPO_ROOT } from './projectFixture';

/** The router tests' parts: the bundled router in a process of its own, stand-in upstreams, plain requests. */

export const ROUTER = path.join(REPO_ROOT, 'dist', 'router.js');
export const TOKEN = 'router-test-token-0123456789abcdef';
export const auth = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });

/** A stand-in server on a loopback port, as the router reaches an upstream: `start` it, then use its `url`. */
export class LoopbackUpstream extends EventEmitter {
  protected readonly server: http.Server;
  url = '';

  constructor(handler: http.RequestListener) {
    super();
    this.server = http.createServer(handler);
    // Like the model server: idle connections outlive the router's pool, so the router always closes first.
    this.server.keepAliveTimeout = 65_000;
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The router's name for this upstream, as sent in X-Model-Deploy-Upstream. */
  get routerName(): string {
    return this.url.slice('http://'.length);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A stand-in for a model container: answers every request with its own name and what it received.
 * `/slow` requests are held until the test releases them; `/echo` streams the body straight back.
 */
export class FakeUpstream extends LoopbackUpstream {
  readonly received: string[] = [];
  private readonly held = new Map<string, () => void>();

  constructor(readonly name: string) {
    super((request, response) => this.answer(request, response));
  }

  /** Resolves when a held request with this id has arrived here. */
  arrival(id: string): Promise<void> {
    return this.held.has(id) ? Promise.resolve() : once(this, `arrived:${id}`).then(() => undefined);
  }

  release(id: string): void {
    this.held.get(id)?.();
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const id = String(request.headers['x-test-id'] ?? '');
    this.received.push(id);
    response.setHeader('X-Upstream-Name', this.name);
    response.on('close', () => {
      if (!response.writableFinished) this.emit(`aborted:${id}`);
    });
    if (request.url?.startsWith('/crash')) {
      request.socket.destroy();
      return;
    }
    if (request.url?.startsWith('/break')) {
      // Half an answer, then the connection drops.
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 100 });
      response.write(`${this.name} half`, () => setTimeout(() => request.socket.destroy(), 20));
      return;
    }
    if (request.url?.startsWith('/echo')) {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      request.pipe(response);
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    request.on('end', () => {
      const reply = () => {
        response.writeHead(Number(request.headers['x-test-status'] ?? 200), { 'Content-Type': 'application/json', 'X-Test-Echo': String(request.headers['x-test-echo'] ?? '') });
        response.end(JSON.stringify({ name: this.name, method: request.method, url: request.url, headers: request.headers, bytes, sha256: hash.digest('hex') }));
      };
      if (request.url?.startsWith('/streaming')) {
        // The head goes out now, the end of the body when released.
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.write(`${this.name} started;`);
        this.held.set(id, () => response.end(' done'));
        this.emit(`arrived:${id}`);
        return;
      }
      if (!request.url?.startsWith('/slow')) return reply();
      this.held.set(id, reply);
      this.emit(`arrived:${id}`);
    });
  }
}

export interface RouterProcess {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  exited: Promise<number | null>;
  lines: () => Record<string, unknown>[];
  /** Resolves with the first log line that matches, waiting for it when it has not come yet. */
  line: (matches: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
}

/** Starts the bundled router as the image does, on free ports, and waits for its "listening" line. */
export async function startRouter(env: Record<string, string> = {}): Promise<RouterProcess> {
  const child = spawn(process.execPath, [ROUTER], {
    env: { ...process.env, MODELDEPLOY_ROUTER_HOST: '127.0.0.1', MODELDEPLOY_ROUTER_PORT: '0', MODELDEPLOY_ROUTER_ADMIN_PORT: '0', MODELDEPLOY_ROUTER_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed: Record<string, unknown>[] = [];
  const events = new EventEmitter();
  let pending = '';
  child.stdout!.on('data', (data: Buffer) => {
    pending += data.toString();
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      parsed.push(JSON.parse(text) as Record<string, unknown>);
      events.emit('line');
    }
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (matches: (line: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const look = () => {
        const found = parsed.find(matches);
        if (!found) return;
        events.off('line', look);
        resolve(found);
      };
      events.on('line', look);
      void exited.then((code) => reject(new Error(`the router exited (${code}) without that log line; stderr: ${stderr}`)));
      look();
    });
  const listening = await line((l) => l.message === 'listening').catch((error: Error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { child, url: String(listening.url), adminUrl: String(listening.adminUrl), exited, lines: () => parsed, line };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request through node:http, optionally on a keep-alive agent. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

export async function switchTo(router: RouterProcess, upstream: LoopbackUpstream | string): Promise<{ url: string; previous: string | null }> {
  const answer = await httpRequest(`${router.adminUrl}/upstream`, { method: 'PUT', headers: auth(), body: JSON.stringify({ url: typeof upstream === 'string' ? upstream : upstream.url }) });
  assert.equal(answer.status, 200, answer.text);
  return answer.json() as { url: string; previous: string | null };
}

/** A URL where nothing listens: a port that was just free. */
export async function deadUrl(): Promise<string> {
  const server = http.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * A URL where connections never open, as on a host that drops packets: a listener whose thread never
 * accepts, its backlog of 1 filled by connections held here, so the kernel drops every further SYN.
 */
export async function unansweredListener(): Promise<{ url: string; close: () => Promise<void> }> {
  const script = `const net = require('node:net'); const { parentPort } = require('node:worker_threads');
    const server = net.createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      setImmediate(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
    });`;
  const thread = new Worker(script, { eval: true });
  const [port] = (await once(thread, 'message')) as [number];
  const held: net.Socket[] = [];
  // The accept queue takes backlog + 1 connections; a connection that does not open within 1 s shows it is full.
  for (;;) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    held.push(socket);
    const opened = await Promise.race([once(socket, 'connect').then(() => true), new Promise((resolve) => setTimeout(resolve, 1000, false))]);
    if (!opened) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of held) socket.destroy();
      await thread.terminate();
    },
  };
}
