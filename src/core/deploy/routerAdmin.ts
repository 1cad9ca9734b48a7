import { UserError } from '../errors';
import { httpRequest } from '../http/httpRequest';
import type { MetricScrape } from '../watch/metricScrape';
import { parsePrometheusText } from '../watch/parsePrometheusText';

/** The router's admin port inside its container (published on a loopback port of the engine's choosing). */
export const ROUTER_ADMIN_PORT = 8081;

/** A canary as the router reports it. */
export interface RouterCanary {
  url: string;
  /** Its percentage of the requests. */
  weight: number;
  since: string;
}

/** Which of the two answers the router compares for a shadow: the scored output, and how to read a class from it. */
export interface ShadowCompare {
  output?: string;
  task?: 'classification' | 'regression' | 'raw';
}

/** A shadow as the router reports it. */
export interface RouterShadow {
  url: string;
  since: string;
  compare: ShadowCompare;
}

export interface RouterUpstream {
  url?: string;
  since?: string;
  /** null: none set; undefined: a router that predates canaries (it does not report the field). */
  canary?: RouterCanary | null;
  /** null: none set; undefined: a router that predates shadows. */
  shadow?: RouterShadow | null;
  /** Requests in flight by upstream URL. */
  inFlight: Record<string, number>;
}

/** A client of an environment's router admin API; every call carries the router's token. */
export class RouterAdmin {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private async send(method: string, path: string, body?: unknown) {
    const answer = await httpRequest(`${this.url}${path}`, { method, timeoutMs: 5000, headers: { Authorization: `Bearer ${this.token}` }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (answer.status !== 200) throw new UserError(`the environment's router answered ${answer.status} to ${method} ${path}: ${answer.text.slice(0, 200)}`);
    return answer;
  }

  private async call(method: string, path: string, body?: unknown) {
    return (await this.send(method, path, body)).json();
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
    return { url: value.url, since: value.since, canary: value.canary, shadow: value.shadow, inFlight: value.inFlight ?? {} };
  }

  /** Atomic: requests that arrive after this answers go to `url`; those in flight finish where they are. Switching to the canary promotes it. */
  async switchTo(url: string): Promise<void> {
    await this.call('PUT', '/upstream', { url });
  }

  /** Sends `weight` percent of the requests from now on to `url`, beside the active upstream. */
  async setCanary(url: string, weight: number): Promise<void> {
    await this.call('PUT', '/canary', { url, weight });
  }

  /** Sends every request from now on to the active upstream; those on the canary finish there. */
  async clearCanary(): Promise<void> {
    await this.call('DELETE', '/canary');
  }

  /** Mirrors every inference request from now on to `url` and compares its answers with the active version's; clients get only the active version's. */
  async setShadow(url: string, compare: ShadowCompare): Promise<void> {
    await this.call('PUT', '/shadow', { url, compare });
  }

  /** Stops mirroring; the mirrors in flight finish. */
  async clearShadow(): Promise<void> {
    await this.call('DELETE', '/shadow');
  }

  /** The router's per-upstream metrics, read now. */
  async metrics(): Promise<MetricScrape> {
    const answer = await this.send('GET', '/metrics');
    return { at: Date.now(), samples: parsePrometheusText(answer.text) };
  }

  /** Waits until no request is in flight on `url` (or the timeout passes); the router answers when it is so. */
  async waitDrained(url: string, timeoutMs: number): Promise<void> {
    const answer = await httpRequest(`${this.url}/upstream/drained?url=${encodeURIComponent(url)}&timeoutMs=${timeoutMs}`, { timeoutMs: timeoutMs + 5000, headers: { Authorization: `Bearer ${this.token}` } });
    if (answer.status !== 200) throw new UserError(`the environment's router answered ${answer.status} while draining ${url}: ${answer.text.slice(0, 200)}`);
  }
}
