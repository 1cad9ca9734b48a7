import type { ShadowCompare } from './shadowComparison';
import type { Upstream } from './upstreamUrl';
import { WeightedSplit } from './weightedSplit';

/** One request's hold on the upstream it was given; released when its response is over (sent or aborted). */
export interface Lease {
  upstream: Upstream;
  release(): void;
}

/** A candidate version served beside the active one with a share of the requests. */
export interface Canary {
  upstream: Upstream;
  /** Its percentage of the requests, 1 to 99. */
  weight: number;
  /** When it was set, as an ISO time. */
  since: string;
}

/** A candidate version that gets a copy of each inference request; only the active version's answer is sent back. */
export interface Shadow {
  upstream: Upstream;
  /** When it was set, as an ISO time. */
  since: string;
  /** Which output the two answers are compared on, and how. */
  compare: ShadowCompare;
}

/**
 * The version that serves traffic now, the canary or the shadow beside it if there is one (never both:
 * the admin API refuses), and how many requests are still in flight on each version.
 *
 * A request takes its upstream once, when it arrives (`lease`), and keeps it to the end: so a switch is
 * atomic (Node runs one handler at a time, and every request that arrives after `switchTo` returns gets
 * the new upstream) and loses nothing (requests already in flight finish where they started). While a
 * canary is set, arrivals are split between the two by its weight, deterministically (WeightedSplit).
 */
export class ActiveUpstream {
  private current: Upstream | undefined;
  private since: Date | undefined;
  private canaryNow: Canary | undefined;
  private split: WeightedSplit | undefined;
  private shadowNow: Shadow | undefined;
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

  get canary(): Canary | undefined {
    return this.canaryNow;
  }

  get shadow(): Shadow | undefined {
    return this.shadowNow;
  }

  /**
   * Makes `next` the upstream of every request from now on; returns the one it replaces. Switching to the
   * canary or the shadow promotes it: it gets all the traffic and is no longer a canary or a shadow.
   */
  switchTo(next: Upstream, since = new Date()): Upstream | undefined {
    const previous = this.current;
    this.current = next;
    this.since = since;
    if (this.canaryNow?.upstream.url === next.url) this.clearCanary();
    if (this.shadowNow?.upstream.url === next.url) this.clearShadow();
    return previous;
  }

  /** Mirrors the inference requests that arrive from now on to `upstream`; returns the shadow it replaces. */
  setShadow(upstream: Upstream, compare: ShadowCompare, since = new Date().toISOString()): Shadow | undefined {
    const previous = this.shadowNow;
    this.shadowNow = { upstream, since, compare };
    return previous;
  }

  /** Stops mirroring requests that arrive from now on; returns the shadow that was set. */
  clearShadow(): Shadow | undefined {
    const previous = this.shadowNow;
    this.shadowNow = undefined;
    return previous;
  }

  /** Sends `weight` percent of the requests from now on to `upstream`; returns the canary it replaces. */
  setCanary(upstream: Upstream, weight: number, since = new Date().toISOString()): Canary | undefined {
    const previous = this.canaryNow;
    this.canaryNow = { upstream, weight, since };
    this.split = new WeightedSplit(weight);
    return previous;
  }

  /** Sends every request from now on to the active upstream; returns the canary that was set. */
  clearCanary(): Canary | undefined {
    const previous = this.canaryNow;
    this.canaryNow = undefined;
    this.split = undefined;
    return previous;
  }

  /** The upstream for a request that just arrived (the canary for its share); undefined when none is set. */
  lease(): Lease | undefined {
    return this.leaseOn(this.canaryNow && this.split!.next() ? this.canaryNow.upstream : this.current);
  }

  /**
   * The active upstream, never the canary: for a request sent again after its connection failed, which
   * should not depend on a version that may be the one failing.
   */
  leaseActive(): Lease | undefined {
    return this.leaseOn(this.current);
  }

  /** The shadow, for one mirrored request: held until its copy is answered, so that draining waits for it. */
  leaseShadow(): Lease | undefined {
    return this.leaseOn(this.shadowNow?.upstream);
  }

  private leaseOn(upstream: Upstream | undefined): Lease | undefined {
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

  /** Requests in flight by upstream URL: the active one, the canary and the shadow always, others while they still have some. */
  inFlightCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const upstream of [this.current, this.canaryNow?.upstream, this.shadowNow?.upstream]) if (upstream) counts[upstream.url] = this.inFlightOn(upstream.url);
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
