import type { Readable } from 'node:stream';
import { UserError } from '../errors';
import { mergeScopes } from './authChallenge';
import type { RegistryAuth } from './registryAuth';
import { deniedAccess, loginHint, notReachable, reasonFromBody } from './registryErrors';
import { ConnectionError, header, openHttp, readAll, type HttpReply, type RequestBody, type StreamReply } from './registryHttp';

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path under the registry ("/v2/"), or an absolute URL the registry handed out (an upload). */
  path: string | URL;
  /** The token scopes the request needs ("repository:team/app:pull"). */
  scopes: string[];
  headers?: Record<string, string>;
  body?: RequestBody;
  bodyLength?: number;
}

const MAX_REDIRECTS = 5;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * Requests to one registry with its authentication: sends, reads a 401's challenge, retries with
 * credentials or a token, and turns a dead connection into "registry X is not reachable".
 */
export class RegistryTransport {
  constructor(
    readonly host: string,
    readonly baseUrl: URL,
    private readonly auth: RegistryAuth,
    private readonly timeoutMs: number,
  ) {}

  url(path: string | URL): URL {
    return typeof path === 'string' ? new URL(path, this.baseUrl) : path;
  }

  /** Sends a request and hands back the answer as a stream; 401s are answered and 403s thrown. */
  async open(request: RegistryRequest): Promise<StreamReply> {
    const url = this.url(request.path);
    // Another origin (a blob store the registry redirected to) gets no credentials of the registry.
    if (url.origin !== this.baseUrl.origin) return this.plain(request, url);
    let scopes = mergeScopes(request.scopes);
    for (let attempt = 1; ; attempt++) {
      const sent = await this.auth.authorization(scopes);
      const reply = await this.plain({ ...request, headers: { ...request.headers, ...(sent.header ? { Authorization: sent.header } : {}) } }, url);
      if (reply.status === 403) {
        const body = await readAll(reply.stream);
        throw deniedAccess(this.host, await this.auth.credentials(), scopes, reasonFromBody(body, 403));
      }
      if (reply.status !== 401) return reply;
      const reason = reasonFromBody(await readAll(reply.stream), 401);
      if (attempt >= 3) throw new UserError(`registry ${this.host} kept refusing the request (401): ${reason}`, undefined, loginHint(this.host));
      scopes = await this.auth.unauthorized(header(reply.headers, 'www-authenticate'), scopes, sent, reason);
    }
  }

  /** Sends a request and reads the whole answer. */
  async send(request: RegistryRequest): Promise<HttpReply> {
    const reply = await this.open(request);
    return { status: reply.status, headers: reply.headers, body: await this.read(reply.stream) };
  }

  /** A GET that follows redirects (blob stores), to the final answer. */
  async openFollowing(request: RegistryRequest): Promise<StreamReply> {
    let url = this.url(request.path);
    let reply = await this.open({ ...request, path: url });
    for (let hops = 0; REDIRECT.has(reply.status) && hops < MAX_REDIRECTS; hops++) {
      const location = header(reply.headers, 'location');
      if (!location) break;
      reply.stream.resume();
      url = new URL(location, url);
      reply = await this.open({ ...request, path: url });
    }
    return reply;
  }

  /** Reads an answer's body; a connection that dies meanwhile is "not reachable". */
  async read(stream: Readable): Promise<Buffer> {
    try {
      return await readAll(stream);
    } catch (error) {
      if (error instanceof ConnectionError) throw notReachable(this.host, error);
      throw error;
    }
  }

  private async plain(request: RegistryRequest, url: URL): Promise<StreamReply> {
    try {
      return await openHttp({ method: request.method, url, headers: request.headers, body: request.body, bodyLength: request.bodyLength, timeoutMs: this.timeoutMs });
    } catch (error) {
      if (error instanceof ConnectionError) throw notReachable(url.origin === this.baseUrl.origin ? this.host : url.host, error);
      throw error;
    }
  }
}
