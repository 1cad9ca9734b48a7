import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INFERENCE_HEADER_CONTENT_LENGTH, joinBinaryBody, splitBinaryBody } from '../core/oip/binaryTensors';
import { toJson } from '../core/oip/encodeOutput';
import { OipError } from '../core/oip/oipTypes';
import type { ModelHost } from '../core/oip/modelHost';
import { ServerMetrics } from './serverMetrics';

export interface ServerOptions {
  port: number;
  host: string;
  /** Largest request body accepted, in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Where the JSON access log goes (stdout in the container); undefined: no access log. */
  accessLog?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  metrics: ServerMetrics;
  /** Stops accepting connections, lets the requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/** A request body: its JSON, and for a binary tensor data request the bytes of each binary input. */
interface RequestBody {
  json: unknown;
  binaryInputs?: Map<object, Uint8Array>;
}

/** An answer that is not JSON: a binary tensor data response. */
class RawAnswer {
  constructor(
    readonly body: Buffer,
    readonly headers: http.OutgoingHttpHeaders,
  ) {}
}

type Route = { name: string; methods: string[]; handle: (request: http.IncomingMessage, body: () => Promise<RequestBody>) => Promise<[number, unknown]> };

// Bodies a client may send as JSON: curl's default (form-encoded) is accepted so the specification's curl
// examples work unchanged.
const JSON_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', ''];

/**
 * The Open Inference Protocol v2 REST API over node:http. `host` resolves to the model once it is
 * loaded; until then the model routes answer 503.
 */
export async function startHttpServer(options: ServerOptions, model: () => ModelHost | undefined, version: string): Promise<RunningServer> {
  const metrics = new ServerMetrics();
  let closing = false;
  const server = http.createServer((request, response) => void serve(request, response));
  server.keepAliveTimeout = 65_000;

  const ready = () => {
    const host = model();
    if (!host) throw new OipError(503, 'the model is not loaded yet');
    return host;
  };
  const modelRoute = (path: string): { host: ModelHost; rest: string } | undefined => {
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (!match) return undefined;
    const host = ready();
    const [, name, modelVersion, rest] = match;
    if (decodeURIComponent(name) !== host.identity.name) throw new OipError(404, `no model named "${decodeURIComponent(name)}"; this server serves "${host.identity.name}"`);
    if (modelVersion !== undefined && decodeURIComponent(modelVersion) !== host.identity.version) throw new OipError(404, `model "${host.identity.name}" has no version "${decodeURIComponent(modelVersion)}"; it serves ${host.identity.version}`);
    return { host, rest: rest ?? '' };
  };

  function route(path: string): Route | undefined {
    if (path === '/v2/health/live') return { name: 'live', methods: ['GET'], handle: async () => [200, { live: true }] };
    if (path === '/v2/health/ready') return { name: 'ready', methods: ['GET'], handle: async () => (model() ? [200, { ready: true }] : [503, { ready: false }]) };
    if (path === '/v2') return { name: 'server', methods: ['GET'], handle: async () => [200, { name: 'model-deploy', version, extensions: ['binary_tensor_data'] }] };
    if (path === '/metrics') return { name: 'metrics', methods: ['GET'], handle: async () => [200, await metrics.registry.metrics()] };
    if (!path.startsWith('/v2/models/')) return undefined;
    if (path.endsWith('/infer')) {
      return {
        name: 'infer',
        methods: ['POST'],
        handle: async (_request, body) => {
          const { host } = modelRoute(path) ?? notFound(path);
          const { json, binaryInputs } = await body();
          const { response, binary } = await host.answer(json, binaryInputs);
          if (!binary.length) return [200, response];
          // Outputs asked for as binary: the JSON part, then their bytes.
          const framed = joinBinaryBody(response, binary, toJson);
          return [200, new RawAnswer(framed.body, { 'Content-Type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: framed.headerLength })];
        },
      };
    }
    if (path.endsWith('/ready')) {
      return { name: 'model_ready', methods: ['GET'], handle: async () => [200, { name: (modelRoute(path) ?? notFound(path)).host.identity.name, ready: true }] };
    }
    return { name: 'model_metadata', methods: ['GET'], handle: async () => [200, (modelRoute(path) ?? notFound(path)).host.metadata()] };
  }

  async function serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (request.url ?? '/').split('?')[0];
    const found = route(path);
    const routeName = found?.name ?? 'unknown';
    metrics.inFlight.inc();
    let status = 500;
    let payload: unknown;
    try {
      if (!found) throw new OipError(404, `no route ${path}`);
      if (!found.methods.includes(request.method ?? '')) {
        response.setHeader('Allow', found.methods.join(', '));
        throw new OipError(405, `${request.method} is not allowed on ${path}; use ${found.methods.join(' or ')}`);
      }
      [status, payload] = await found.handle(request, () => readBody(request, options.maxBodyBytes));
    } catch (error) {
      status = error instanceof OipError ? error.status : 500;
      payload = { error: error instanceof OipError ? error.message : `internal error: ${(error as Error).message}` };
      // The rest of an unread body would be taken for the next request on this connection.
      if (status === 413 || status === 400) response.setHeader('Connection', 'close');
    }
    // While draining, each answer ends its connection so that shutdown does not wait for idle keep-alives.
    if (closing) response.setHeader('Connection', 'close');
    let bytes: number;
    if (payload instanceof RawAnswer) {
      bytes = payload.body.length;
      response.writeHead(status, { ...payload.headers, 'Content-Length': bytes });
      response.end(payload.body);
    } else {
      const text = typeof payload === 'string' ? payload : toJson(payload);
      bytes = Buffer.byteLength(text);
      response.writeHead(status, { 'Content-Type': typeof payload === 'string' ? metrics.registry.contentType : 'application/json', 'Content-Length': bytes });
      response.end(text);
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.inFlight.dec();
    metrics.observe(routeName, status, seconds);
    options.accessLog?.(JSON.stringify({ time: new Date().toISOString(), method: request.method, path, status, ms: Math.round(seconds * 10000) / 10, bytes }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function notFound(path: string): never {
  throw new OipError(404, `no route ${path}`);
}

/**
 * Reads a request body: JSON, or a binary tensor data request, recognised by its
 * Inference-Header-Content-Length header whatever its Content-Type (clients send
 * application/octet-stream, application/json or none).
 */
async function readBody(request: http.IncomingMessage, limit: number): Promise<RequestBody> {
  const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH.toLowerCase()];
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (headerLength === undefined && !JSON_CONTENT_TYPES.includes(type)) throw new OipError(400, `the body must be JSON (Content-Type: application/json), not ${type}`);
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new OipError(413, `the body of ${declared} bytes is over the limit of ${limit} bytes`);
  // Events, not an async iterator: this runs for every request, and the iterator costs a promise per chunk.
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const received: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new OipError(413, `the body is over the limit of ${limit} bytes`));
      } else received.push(chunk);
    });
    request.on('end', () => resolve(received));
    request.on('error', reject);
  });
  const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  if (headerLength !== undefined) {
    const { header, parts } = splitBinaryBody(body, String(headerLength), 'inputs');
    return { json: header, binaryInputs: parts };
  }
  try {
    return { json: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    throw new OipError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}
