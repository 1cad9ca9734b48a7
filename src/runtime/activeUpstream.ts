import type { Upstream } from './upstreamUrl';

/** One request's hold on the upstream it was given; released when its response is over (sent or aborted). */
export interface Lease {
  upstream: Upstream;
  release(): void;
}

/**
 * The version that serves traffic now, and how many requests are still in flight on each version.
 *
 * A request takes its upstream once, when it arrives (`lease`), and keeps it to the end: so a switch is
 * atomic (Node runs one handler at a time, and every request that arrives after `switchTo` returns gets
 * the new upstream) and loses nothing (requests already in flight finish where they started).
 */
export class ActiveUpstream {
  private current: Upstream | undefined;
  private since: Date | undefined;
  private readonly inFlight = new Map<string, number>();
  private readonly drainWaiters = new Map<string, Set<() => void>>();

  constructor(initial?: Upstream) {
    if (initial) this.switchTo(initial);
  }

  get upstream(): Upstream | undefined {
    return this.current;
  }

  /** When the current upstream was set, as an ISO time. */
  get activeSince(): string | undefined {
    return this.since?.toISOString();
  }

  /** Makes `next` the upstream of every request from now on; returns the one it replaces. */
  switchTo(next: Upstream): Upstream | undefined {
    const previous = this.current;
    this.current = next;
    this.since = new Date();
    return previous;
  }

  /** The active upstream for a request that just arrived; undefined when none is set. */
  lease(): Lease | undefined {
    const upstream = this.current;
    if (!upstream) return undefined;
    this.inFlight.set(upstream.url, (this.inFlight.get(upstream.url) ?? 0) + 1);
    let released = false;
    return {
      upstream,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.inFlight.get(upstream.url) ?? 1) - 1;
        if (left > 0) {
          this.inFlight.set(upstream.url, left);
          return;
        }
        this.inFlight.delete(upstream.url);
        for (const wake of this.drainWaiters.get(upstream.url) ?? []) wake();
      },
    };
  }

  inFlightOn(url: string): number {
    return this.inFlight.get(url) ?? 0;
  }

  /** Requests in flight by upstream URL: the active one always, others while they still have some. */
  inFlightCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    if (this.current) counts[this.current.url] = this.inFlightOn(this.current.url);
    for (const [url, count] of this.inFlight) counts[url] = count;
    return counts;
  }

  /**
   * Resolves with 0 as soon as no request is in flight on `url`, or with the number still in flight when
   * `timeoutMs` passes or `signal` aborts first. Event-driven, so the deployer need not poll.
   */
  waitUntilDrained(url: string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.inFlightOn(url) === 0 || signal?.aborted) return Promise.resolve(this.inFlightOn(url));
    return new Promise((resolve) => {
      const waiters = this.drainWaiters.get(url) ?? new Set<() => void>();
      this.drainWaiters.set(url, waiters);
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        waiters.delete(finish);
        if (!waiters.size) this.drainWaiters.delete(url);
        resolve(this.inFlightOn(url));
      };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish);
      waiters.add(finish);
    });
  }
}
