import { UserError } from '../errors';
import { httpRequest } from '../http/httpRequest';

/** The router's admin port inside its container (published on a loopback port of the engine's choosing). */
export const ROUTER_ADMIN_PORT = 8081;

export interface RouterUpstream {
  url?: string;
  since?: string;
  /** Requests in flight by upstream URL. */
  inFlight: Record<string, number>;
}

/** A client of an environment's router admin API; every call carries the router's token. */
export class RouterAdmin {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown) {
    const answer = await httpRequest(`${this.url}${path}`, { method, timeoutMs: 5000, headers: { Authorization: `Bearer ${this.token}` }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (answer.status !== 200) throw new UserError(`the environment's router answered ${answer.status} to ${method} ${path}: ${answer.text.slice(0, 200)}`);
    return answer.json();
  }

  async healthy(): Promise<boolean> {
    try {
      await this.call('GET', '/healthz');
      return true;
    } catch {
      return false;
    }
  }

  async upstream(): Promise<RouterUpstream> {
    const value = (await this.call('GET', '/upstream')) as Partial<RouterUpstream>;
    return { url: value.url, since: value.since, inFlight: value.inFlight ?? {} };
  }

  /** Atomic: requests that arrive after this answers go to `url`; those in flight finish where they are. */
  async switchTo(url: string): Promise<void> {
    await this.call('PUT', '/upstream', { url });
  }

  /** Waits until no request is in flight on `url` (or the timeout passes); the router answers when it is so. */
  async waitDrained(url: string, timeoutMs: number): Promise<void> {
    const answer = await httpRequest(`${this.url}/upstream/drained?url=${encodeURIComponent(url)}&timeoutMs=${timeoutMs}`, { timeoutMs: timeoutMs + 5000, headers: { Authorization: `Bearer ${this.token}` } });
    if (answer.status !== 200) throw new UserError(`the environment's router answered ${answer.status} while draining ${url}: ${answer.text.slice(0, 200)}`);
  }
}
