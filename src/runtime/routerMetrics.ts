import { ROUTER_LATENCY_BOUNDS, ROUTER_METRICS } from '../core/deploy/routerMetricNames';
import type { Upstream } from './upstreamUrl';

/** One upstream and route: answers by status, and their latencies (per bucket, not cumulative; the last is +Inf). */
interface RouteSeries {
  statuses: Map<number, number>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface UpstreamSeries {
  /** The upstream's URL as a label value. */
  label: string;
  /** [infer, other] */
  routes: [RouteSeries, RouteSeries];
  connectFailures: number;
}

const ROUTES = [ROUTER_METRICS.inferRoute, ROUTER_METRICS.otherRoute] as const;

const routeSeries = (): RouteSeries => ({ statuses: new Map(), buckets: new Float64Array(ROUTER_LATENCY_BOUNDS.length + 1), sum: 0, count: 0 });

/**
 * The router's per-upstream counters, written as Prometheus text (format 0.0.4) when the admin API is
 * asked for /metrics. Every request only adds to plain numbers found by one map lookup; the text is made
 * at scrape time. The router has no dependencies, so no client library: the few lines are written here.
 * Every upstream the router has served since it started keeps its series (a few dozen lines each).
 */
export class RouterMetrics {
  private readonly upstreams = new Map<string, UpstreamSeries>();

  /** A request through `upstream` was answered (or its client left: 499) after `seconds`. */
  answered(upstream: Upstream, infer: boolean, status: number, seconds: number): void {
    const series = this.seriesOf(upstream).routes[infer ? 0 : 1];
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < ROUTER_LATENCY_BOUNDS.length && seconds > ROUTER_LATENCY_BOUNDS[bucket]) bucket++;
    series.buckets[bucket]++;
    series.sum += seconds;
    series.count++;
  }

  /** A connection to `upstream` never opened. */
  connectFailed(upstream: Upstream): void {
    this.seriesOf(upstream).connectFailures++;
  }

  /** The exposition, with the requests in flight by upstream URL as the gauge. */
  text(inFlight: Record<string, number>): string {
    const lines: string[] = [];
    const header = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    header(ROUTER_METRICS.requests, 'counter', 'Requests answered through the router by upstream, route and status.');
    this.each((upstream, route, series) => {
      for (const [status, count] of series.statuses) lines.push(`${ROUTER_METRICS.requests}{upstream="${upstream}",route="${route}",status="${status}"} ${count}`);
    });
    header(ROUTER_METRICS.latency, 'histogram', 'Request latency through the router in seconds, by upstream and route.');
    this.each((upstream, route, series) => {
      const labels = `upstream="${upstream}",route="${route}"`;
      let cumulative = 0;
      ROUTER_LATENCY_BOUNDS.forEach((bound, i) => {
        cumulative += series.buckets[i];
        lines.push(`${ROUTER_METRICS.latency}_bucket{${labels},le="${bound}"} ${cumulative}`);
      });
      lines.push(`${ROUTER_METRICS.latency}_bucket{${labels},le="+Inf"} ${series.count}`, `${ROUTER_METRICS.latency}_sum{${labels}} ${series.sum}`, `${ROUTER_METRICS.latency}_count{${labels}} ${series.count}`);
    });
    header(ROUTER_METRICS.connectFailures, 'counter', 'Connections to an upstream that never opened; the request was sent to the active upstream instead.');
    for (const series of this.upstreams.values()) lines.push(`${ROUTER_METRICS.connectFailures}{upstream="${series.label}"} ${series.connectFailures}`);
    header(ROUTER_METRICS.inFlight, 'gauge', 'Requests in flight by upstream.');
    for (const [url, count] of Object.entries(inFlight)) lines.push(`${ROUTER_METRICS.inFlight}{upstream="${labelValue(url)}"} ${count}`);
    return `${lines.join('\n')}\n`;
  }

  private seriesOf(upstream: Upstream): UpstreamSeries {
    let series = this.upstreams.get(upstream.url);
    if (!series) this.upstreams.set(upstream.url, (series = { label: labelValue(upstream.url), routes: [routeSeries(), routeSeries()], connectFailures: 0 }));
    return series;
  }

  /** Each upstream's routes that have had requests. */
  private each(write: (label: string, route: string, series: RouteSeries) => void): void {
    for (const upstream of this.upstreams.values()) upstream.routes.forEach((series, i) => series.count && write(upstream.label, ROUTES[i], series));
  }
}

/** A label value as the text format writes it: a host name may hold a `"`. */
function labelValue(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
