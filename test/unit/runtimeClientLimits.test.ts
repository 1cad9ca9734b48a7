import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { httpRequest as request } from '../../src/core/http/httpRequest';
import type { ModelServer, StartOptions } from '../../src/runtime/startServer';
import { IRIS, serve } from '../support/servingFixture';

const LIMIT = 4096;
const GOOD_BODY = JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });

interface Logged {
  status: number;
  ms: number;
}

/** A server with a small body limit and a short body deadline, and what its access log was told. */
async function limitedServer(overrides: Partial<StartOptions> = {}): Promise<{ server: ModelServer; log: Logged[]; infer: string }> {
  const log: Logged[] = [];
  const server = await serve(IRIS, 'iris', { maxBodyBytes: LIMIT, overrides: { requestTimeoutMs: 400, accessLog: (_method, _path, status, ms) => log.push({ status, ms }), ...overrides } });
  return { server, log, infer: `${server.url}/v2/models/iris/infer` };
}

/**
 * Writes an infer request with `headers` and `pieces` bodies of 1 MiB, 150 ms apart, reading nothing
 * until the last is written; resolves with what it then reads and any socket errors.
 */
function uploadThenRead(port: number, headers: Record<string, string>, pieces: number): Promise<{ read: string; errors: string[] }> {
  const chunked = headers['Transfer-Encoding'] === 'chunked';
  const piece = Buffer.alloc(1 << 20, 0x20);
  const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
  return new Promise((resolve) => {
    const errors: string[] = [];
    let read = '';
    const socket = net.connect(port, '127.0.0.1');
    socket.pause();
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('data', (d: Buffer) => (read += d.toString()));
    socket.on('close', () => resolve({ read, errors }));
    const head = Object.entries({ Host: 'x', 'Content-Type': 'application/json', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`POST /v2/models/iris/infer HTTP/1.1\r\n${head}\r\n`);
    const writePiece = (left: number) => {
      if (!left) return void socket.write(chunked ? '0\r\n\r\n' : '', () => socket.resume());
      socket.write(framed);
      setTimeout(() => writePiece(left - 1), 150);
    };
    writePiece(pieces);
  });
}

/** Opens a raw connection and writes `text`; resolves with all it reads until the server closes it. */
function rawExchange(port: number, text: string, options: { closeAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let read = '';
    socket.on('data', (d: Buffer) => (read += d.toString()));
    socket.on('close', () => resolve(read));
    socket.on('error', reject);
    if (options.closeAfterMs !== undefined) setTimeout(() => socket.destroy(), options.closeAfterMs);
  });
}

const portOf = (url: string) => Number(new URL(url).port);
const statusCount = async (base: string, status: number) => Number(new RegExp(`modeldeploy_requests_total\\{route="infer",status="${status}"\\} (\\d+)`).exec((await request(`${base}/metrics`)).text)?.[1] ?? 0);

describe('the serving runtime and clients that misbehave: timeouts, aborts, over-limit bodies, a connection cap', function () {
  this.timeout(30_000);

  // Clients such as Python's requests write the whole body before they read: a server that answered and
  // closed at once would reset the connection, and the client would lose the 413 with it (EPIPE, no answer).
  for (const [what, framing] of [
    ['a declared length', { 'Content-Length': String(3 << 20) }],
    ['no declared length (chunked)', { 'Transfer-Encoding': 'chunked' }],
  ] as const) {
    it(`a body of three times the limit with ${what}, written whole in pauses before reading: the client reads the 413`, async () => {
      const { server, log } = await limitedServer({ maxBodyBytes: 1 << 20 });
      try {
        const answer = await uploadThenRead(portOf(server.url), framing, 3);
        assert.deepEqual(answer.errors, []);
        assert.match(answer.read, /^HTTP\/1\.1 413 /);
        assert.match(answer.read, /"error":"the body is over the limit of 1048576 bytes"/);
        assert.deepEqual(log.map((line) => line.status), [413]);
      } finally {
        await server.close();
      }
    });
  }

  it('a declared length beyond four times the limit is refused at once, before any body, and the connection closed', async () => {
    const { server } = await limitedServer();
    try {
      const reply = await rawExchange(portOf(server.url), `POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${5 * LIMIT}\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 413 /);
      assert.match(reply, /Connection: close/i);
      assert.match(reply, /"error":"the body of 20480 bytes is over the limit of 4096 bytes"/);
    } finally {
      await server.close();
    }
  });

  it('a body that trickles past the deadline: a JSON 408, logged and counted as 408, never as a 500', async () => {
    const { server, log } = await limitedServer();
    try {
      const reply = await rawExchange(portOf(server.url), `POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${GOOD_BODY.length}\r\n\r\n${GOOD_BODY.slice(0, 10)}`);
      assert.match(reply, /^HTTP\/1\.1 408 /);
      assert.match(reply, /"error":"the body did not arrive within 0\.4 s"/);
      assert.deepEqual(log.map((line) => line.status), [408]);
      assert.ok(log[0].ms >= 400 && log[0].ms < 5000, `logged after the deadline, not Node's backstop: ${log[0].ms} ms`);
      assert.equal(await statusCount(server.url, 408), 1);
      assert.equal(await statusCount(server.url, 500), 0);
    } finally {
      await server.close();
    }
  });

  it('a client that goes away in the middle of its body: logged and counted as 499, not 500', async () => {
    const { server, log } = await limitedServer({ requestTimeoutMs: 10_000 });
    try {
      await rawExchange(portOf(server.url), `POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${GOOD_BODY.length}\r\n\r\n${GOOD_BODY.slice(0, 10)}`, { closeAfterMs: 100 });
      await waitFor(() => log.length === 1);
      assert.deepEqual(log.map((line) => line.status), [499]);
      assert.equal(await statusCount(server.url, 499), 1);
      assert.equal(await statusCount(server.url, 500), 0);
    } finally {
      await server.close();
    }
  });

  it('a client that goes away while its request waits for inference: logged as 499 and nothing is written to it', async () => {
    // A long batching window holds the request after its body is read, for the client to leave meanwhile.
    const { server, log } = await limitedServer({ batching: { windowMs: 600, maxRows: 64 } });
    try {
      await rawExchange(portOf(server.url), `POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${GOOD_BODY.length}\r\n\r\n${GOOD_BODY}`, { closeAfterMs: 100 });
      await waitFor(() => log.length === 1);
      assert.deepEqual(log.map((line) => line.status), [499]);
      assert.equal((await request(`${server.url}/v2/models/iris/infer`, { method: 'POST', body: GOOD_BODY })).status, 200, 'and the server goes on answering');
    } finally {
      await server.close();
    }
  });

  it('connections beyond the cap are closed as they arrive; the ones held go on being served', async () => {
    const { server } = await limitedServer({ maxConnections: 2 });
    try {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
      const ready = () => statusOver(agent, `${server.url}/v2/health/ready`);
      assert.deepEqual(await Promise.all([ready(), ready()]), [200, 200]);
      const refused = await rawExchange(portOf(server.url), 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(refused, '', 'a third connection is closed without an answer');
      assert.deepEqual(await Promise.all([ready(), ready()]), [200, 200]);
      agent.destroy();
    } finally {
      await server.close();
    }
  });
});

/** A GET over `agent`'s kept-alive connections; resolves with the status once the answer is read. */
function statusOver(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0))).on('error', reject);
  });
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the access log line never came');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
