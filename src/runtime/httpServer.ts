import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { INFERENCE_HEADER_CONTENT_LENGTH, joinBinaryBody, splitBinaryBody } from '../core/oip/binaryTensors';
import { toJson } from '../core/oip/encodeOutput';
import { parseInferenceRequestJson } from '../core/oip/inferenceRequestJson';
import { OipError, type OipInferenceResponseHeader } from '../core/oip/oipTypes';
import { JsonAnswerWriter } from '../core/oip/jsonAnswerWriter';
import type { Answer, ModelHost } from '../core/oip/modelHost';
import { applyClientLimits, DEFAULT_REQUEST_TIMEOUT_MS, type ClientLimits } from './clientLimits';
import { DRAIN_FACTOR, readRequestBody, type BodyLimits } from './requestBody';
import { ServerMetrics } from './serverMetrics';

export interface ServerOptions extends Omit<ClientLimits, 'backstopMs'> {
  port: number;
  host: string;
  /** Largest request body accepted, in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Told of every answered request, for the access log (JSON lines on stdout in the container); undefined: no access log. */
  accessLog?: AccessLog;
}

// Node's own request timeout stays a backstop behind the body deadline, which answers a JSON 408 that is logged.
const NODE_TIMEOUT_MARGIN_MS = 5_000;

/** What the access log and the metrics record for a client that went away before its answer (nginx's code). */
const CLIENT_CLOSED_REQUEST = 499;

/** What the access log records of an answered request. */
export type AccessLog = (method: string | undefined, path: string, status: number, ms: number, bytes: number) => void;

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

/** A route; `handle` answers it, except for inference, which has no handler and is driven by infer(). */
interface Route {
  name: string;
  methods: string[];
  handle?: (path: string) => Promise<[number, unknown]>;
}

// Bodies a client may send as JSON: curl's default (form-encoded) is accepted so the specification's curl
// examples work unchanged.
const JSON_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', ''];
/** The binary framing header as Node keys it in `request.headers`. */
const INFERENCE_HEADER_CONTENT_LENGTH_KEY = INFERENCE_HEADER_CONTENT_LENGTH.toLowerCase();

/**
 * The Open Inference Protocol v2 REST API over node:http. `host` resolves to the model once it is
 * loaded; until then the model routes answer 503.
 */
export async function startHttpServer(options: ServerOptions, model: () => ModelHost | undefined, version: string): Promise<RunningServer> {
  const metrics = new ServerMetrics();
  let closing = false;
  const limits: BodyLimits = { maxBytes: options.maxBodyBytes, timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  const server = http.createServer(serve);
  applyClientLimits(server, { requestTimeoutMs: limits.timeoutMs, maxConnections: options.maxConnections, backstopMs: NODE_TIMEOUT_MARGIN_MS });
  // A client that asks before sending its body hears of a declared length over the limit at once, as a
  // 413 it can read, instead of a 100 Continue followed by a closed connection.
  server.on('checkContinue', (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (Number(request.headers['content-length'] ?? 0) <= options.maxBodyBytes) response.writeContinue();
    serve(request, response);
  });

  const ready = () => {
    const host = model();
    if (!host) throw new OipError(503, 'the model is not loaded yet');
    return host;
  };
  // The last model path that matched, and its model: clients send the same path again and again.
  let lastMatch: { path: string; host: ModelHost } | undefined;
  const modelOf = (path: string): ModelHost => {
    if (lastMatch?.path === path && lastMatch.host === model()) return lastMatch.host;
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (!match) notFound(path);
    const host = ready();
    const name = decodedSegment(match[1]);
    const modelVersion = match[2] === undefined ? undefined : decodedSegment(match[2]);
    if (name !== host.identity.name) throw new OipError(404, `no model named "${name}"; this server serves "${host.identity.name}"`);
    if (modelVersion !== undefined && modelVersion !== host.identity.version) throw new OipError(404, `model "${host.identity.name}" has no version "${modelVersion}"; it serves ${host.identity.version}`);
    lastMatch = { path, host };
    return host;
  };

  const routes = {
    live: { name: 'live', methods: ['GET'], handle: async () => [200, { live: true }] },
    ready: { name: 'ready', methods: ['GET'], handle: async () => (model() ? [200, { ready: true }] : [503, { ready: false }]) },
    server: { name: 'server', methods: ['GET'], handle: async () => [200, { name: 'model-deploy', version, extensions: ['binary_tensor_data'] }] },
    metrics: { name: 'metrics', methods: ['GET'], handle: async () => [200, await metrics.registry.metrics()] },
    infer: { name: 'infer', methods: ['POST'] },
    modelReady: { name: 'model_ready', methods: ['GET'], handle: async (path) => [200, { name: modelOf(path).identity.name, ready: true }] },
    modelMetadata: { name: 'model_metadata', methods: ['GET'], handle: async (path) => [200, modelOf(path).metadata()] },
  } satisfies Record<string, Route>;

  function route(path: string): Route | undefined {
    if (path === '/v2/health/live') return routes.live;
    if (path === '/v2/health/ready') return routes.ready;
    if (path === '/v2') return routes.server;
    if (path === '/metrics') return routes.metrics;
    if (!path.startsWith('/v2/models/')) return undefined;
    if (path.endsWith('/infer')) return routes.infer;
    if (path.endsWith('/ready')) return routes.modelReady;
    return routes.modelMetadata;
  }

  // Callbacks rather than an async chain from here to the answer: this runs for every request.
  function serve(request: http.IncomingMessage, response: http.ServerResponse): void {
    const started = performance.now();
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const found = route(path);
    metrics.started();
    if (!found) return fail(request, response, path, 'unknown', started, new OipError(404, `no route ${path}`));
    if (!found.methods.includes(request.method ?? '')) {
      response.setHeader('Allow', found.methods.join(', '));
      return fail(request, response, path, found.name, started, new OipError(405, `${request.method} is not allowed on ${path}; use ${found.methods.join(' or ')}`));
    }
    if (!found.handle) return infer(request, response, path, started);
    found.handle(path).then(
      ([status, payload]) => {
        if (typeof payload === 'string') send(request, response, path, found.name, started, status, metrics.registry.contentType, payload);
        else sendJson(request, response, path, found.name, started, status, payload);
      },
      (error: unknown) => fail(request, response, path, found.name, started, error),
    );
  }

  function infer(request: http.IncomingMessage, response: http.ServerResponse, path: string, started: number): void {
    let host: ModelHost;
    let headerLength: string | undefined;
    try {
      host = modelOf(path);
      headerLength = bodyFraming(request, options.maxBodyBytes);
    } catch (error) {
      return fail(request, response, path, 'infer', started, error);
    }
    readRequestBody(request, limits, (error, bytes) => {
      let body: RequestBody;
      try {
        if (error) throw error;
        body = parseBody(bytes, headerLength);
      } catch (error) {
        return fail(request, response, path, 'infer', started, error);
      }
      host.answer(body.json, body.binaryInputs, true, (error, answer) => {
        if (!answer) return fail(request, response, path, 'infer', started, error);
        try {
          answerInference(request, response, path, started, answer);
        } catch (error) {
          fail(request, response, path, 'infer', started, error);
        }
      });
    });
  }

  // The JSON of the last binary answer's JSON part: the model host gives requests that ask for the same
  // outputs of the same shapes the same (frozen) object.
  let lastHeader: OipInferenceResponseHeader | undefined;
  let lastHeaderJson = '';
  const headerJson = (header: OipInferenceResponseHeader) => {
    if (header !== lastHeader) {
      lastHeaderJson = toJson(header);
      lastHeader = header;
    }
    return lastHeaderJson;
  };

  // JSON answers whose numbers are written without JSON.stringify, the shared header's text made once.
  const jsonAnswers = new JsonAnswerWriter();

  function answerInference(request: http.IncomingMessage, response: http.ServerResponse, path: string, started: number, { response: header, binary, data }: Answer): void {
    if (data) return send(request, response, path, 'infer', started, 200, 'application/json', jsonAnswers.write(header, data));
    if (!binary.length) return send(request, response, path, 'infer', started, 200, 'application/json', toJson(header));
    // Outputs asked for as binary: the JSON part, then their bytes.
    const framed = joinBinaryBody(header, binary, headerJson);
    response.writeHead(200, withClose({ 'Content-Type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: framed.headerLength, 'Content-Length': framed.body.length }, 200));
    response.end(framed.body);
    done(request, path, 'infer', started, 200, framed.body.length);
  }

  function fail(request: http.IncomingMessage, response: http.ServerResponse, path: string, routeName: string, started: number, error: unknown): void {
    const status = error instanceof OipError ? error.status : 500;
    sendJson(request, response, path, routeName, started, status, { error: error instanceof OipError ? error.message : `internal error: ${(error as Error).message}` });
  }

  function sendJson(request: http.IncomingMessage, response: http.ServerResponse, path: string, routeName: string, started: number, status: number, payload: unknown): void {
    send(request, response, path, routeName, started, status, 'application/json', toJson(payload));
  }

  function send(request: http.IncomingMessage, response: http.ServerResponse, path: string, routeName: string, started: number, status: number, contentType: string, body: string | Buffer): void {
    // Gone before its answer: neither the client's mistake nor ours, and not an error to count as one.
    if (response.destroyed) return done(request, path, routeName, started, CLIENT_CLOSED_REQUEST, 0);
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    response.writeHead(status, withClose({ 'Content-Type': contentType, 'Content-Length': bytes }, status));
    response.end(body);
    done(request, path, routeName, started, status, bytes);
  }

  /**
   * `headers`, with Connection: close after a 400, 408 or 413 (the rest of an unread body would be taken
   * for the next request on this connection) and while draining (so that shutdown does not wait for idle
   * keep-alives).
   */
  function withClose(headers: http.OutgoingHttpHeaders, status: number): http.OutgoingHttpHeaders {
    if (closing || status === 400 || status === 408 || status === 413) headers.Connection = 'close';
    return headers;
  }

  function done(request: http.IncomingMessage, path: string, routeName: string, started: number, status: number, bytes: number): void {
    const seconds = (performance.now() - started) / 1000;
    metrics.answered(routeName, status, seconds);
    options.accessLog?.(request.method, path, status, Math.round(seconds * 10000) / 10, bytes);
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

/** A path segment with its %-escapes decoded; a malformed escape is the client's mistake (400), not ours. */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new OipError(400, `the path segment "${segment}" has a malformed %-escape`);
  }
}

function notFound(path: string): never {
  throw new OipError(404, `no route ${path}`);
}

/**
 * Checks a request's headers before its body is read: JSON, or a binary tensor data request, recognised
 * by its Inference-Header-Content-Length header whatever its Content-Type (clients send
 * application/octet-stream, application/json or none). A declared length over `limit` is refused at once
 * when the client waits for 100 Continue or the body is too large to read and drop; otherwise the body is
 * read and dropped first (readRequestBody), so that a client that writes before it reads gets its 413.
 * Returns that header, or undefined for JSON.
 */
function bodyFraming(request: http.IncomingMessage, limit: number): string | undefined {
  const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH_KEY];
  const contentType = request.headers['content-type'];
  // The usual header as it is, before the general reading of a media type with parameters.
  if (headerLength === undefined && contentType !== 'application/json') {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!JSON_CONTENT_TYPES.includes(type)) throw new OipError(400, `the body must be JSON (Content-Type: application/json), not ${type}`);
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit && (request.headers.expect !== undefined || declared > DRAIN_FACTOR * limit)) throw new OipError(413, `the body of ${declared} bytes is over the limit of ${limit} bytes`);
  return headerLength === undefined ? undefined : String(headerLength);
}

function parseBody(body: Buffer, headerLength: string | undefined): RequestBody {
  if (headerLength !== undefined) {
    const { header, parts } = splitBinaryBody(body, headerLength, 'inputs');
    return { json: header, binaryInputs: parts };
  }
  try {
    return { json: parseInferenceRequestJson(body) };
  } catch (error) {
    throw new OipError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}
