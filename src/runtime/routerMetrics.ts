import { ROUTER_LATENCY_BOUNDS, ROUTER_METRICS, ROUTER_SHADOW_METRICS, type ShadowSkipReason } from '../core/deploy/routerMetricNames';
import type { ShadowComparison } from './shadowComparison';
import type { Upstream } from './upstreamUrl';

/** Answers by status, and their latencies (per bucket, not cumulative; the last is +Inf). */
interface Answers {
  statuses: Map<number, number>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface UpstreamSeries {
  /** The upstream's URL as a label value. */
  label: string;
  /** [infer, other] */
  routes: [Answers, Answers];
  connectFailures: number;
}

/** A shadow's answers to the copies it was sent, and how they compared with the active version's. */
interface ShadowSeries {
  label: string;
  answers: Answers;
  compared: number;
  classDifferences: number;
  incomparable: number;
  maxScoreDifference: number;
  skipped: Map<ShadowSkipReason, number>;
}

type Header = (name: string, type: string, help: string) => void;

const ROUTES = [ROUTER_METRICS.inferRoute, ROUTER_METRICS.otherRoute] as const;

const answers = (): Answers => ({ statuses: new Map(), buckets: new Float64Array(ROUTER_LATENCY_BOUNDS.length + 1), sum: 0, count: 0 });

/**
 * The router's per-upstream counters, written as Prometheus text (format 0.0.4) when the admin API is
 * asked for /metrics. Every request only adds to plain numbers found by one map lookup; the text is made
 * at scrape time. The router has no dependencies, so no client library: the few lines are written here.
 * Every upstream the router has served since it started keeps its series (a few dozen lines each), and
 * so does every shadow.
 */
export class RouterMetrics {
  private readonly upstreams = new Map<string, UpstreamSeries>();
  private readonly shadows = new Map<string, ShadowSeries>();

  /** A request through `upstream` was answered (or its client left: 499) after `seconds`. */
  answered(upstream: Upstream, infer: boolean, status: number, seconds: number): void {
    observe(this.seriesOf(upstream).routes[infer ? 0 : 1], status, seconds);
  }

  /** A connection to `upstream` never opened. */
  connectFailed(upstream: Upstream): void {
    this.seriesOf(upstream).connectFailures++;
  }

  /** `upstream` was made the shadow: its series show from now on, and its largest difference starts again. */
  shadowSet(upstream: Upstream): void {
    this.shadowOf(upstream).maxScoreDifference = 0;
  }

  /** The shadow answered a copy (or failed to: 502, 504) `seconds` after it was sent. */
  shadowAnswered(upstream: Upstream, status: number, seconds: number): void {
    observe(this.shadowOf(upstream).answers, status, seconds);
  }

  /** Two 200 answers to one request, the active version's and the shadow's, were compared. */
  shadowCompared(upstream: Upstream, comparison: ShadowComparison): void {
    const series = this.shadowOf(upstream);
    if (comparison.kind === 'incomparable') {
      series.incomparable++;
      return;
    }
    series.compared++;
    if (comparison.classDiffers) series.classDifferences++;
    series.maxScoreDifference = Math.max(series.maxScoreDifference, comparison.maxAbsDifference);
  }

  /** An inference request that arrived while `upstream` was the shadow was not mirrored. */
  shadowSkipped(upstream: Upstream, reason: ShadowSkipReason): void {
    const { skipped } = this.shadowOf(upstream);
    skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  }

  /** The exposition, with the requests in flight by upstream URL as the gauge. */
  text(inFlight: Record<string, number>): string {
    const lines: string[] = [];
    const header: Header = (name, type, help) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    header(ROUTER_METRICS.requests, 'counter', 'Requests answered through the router by upstream, route and status.');
    this.each((upstream, route, series) => {
      for (const [status, count] of series.statuses) lines.push(`${ROUTER_METRICS.requests}{upstream="${upstream}",route="${route}",status="${status}"} ${count}`);
    });
    header(ROUTER_METRICS.latency, 'histogram', 'Request latency through the router in seconds, by upstream and route.');
    this.each((upstream, route, series) => histogramLines(lines, ROUTER_METRICS.latency, `upstream="${upstream}",route="${route}"`, series));
    header(ROUTER_METRICS.connectFailures, 'counter', 'Connections to an upstream that never opened; the request was sent to the active upstream instead.');
    for (const series of this.upstreams.values()) lines.push(`${ROUTER_METRICS.connectFailures}{upstream="${series.label}"} ${series.connectFailures}`);
    header(ROUTER_METRICS.inFlight, 'gauge', 'Requests in flight by upstream.');
    for (const [url, count] of Object.entries(inFlight)) lines.push(`${ROUTER_METRICS.inFlight}{upstream="${labelValue(url)}"} ${count}`);
    this.shadowLines(lines, header);
    return `${lines.join('\n')}\n`;
  }

  private shadowLines(lines: string[], header: Header): void {
    const shadows = [...this.shadows.values()];
    const each = (name: string, value: (series: ShadowSeries) => number) => {
      for (const series of shadows) lines.push(`${name}{upstream="${series.label}"} ${sampleValue(value(series))}`);
    };
    header(ROUTER_SHADOW_METRICS.requests, 'counter', 'Copies of inference requests answered by the shadow, by status (502: unreachable, 504: timed out).');
    for (const series of shadows) for (const [status, count] of series.answers.statuses) lines.push(`${ROUTER_SHADOW_METRICS.requests}{upstream="${series.label}",status="${status}"} ${count}`);
    header(ROUTER_SHADOW_METRICS.latency, 'histogram', 'Shadow latency in seconds, from sending the copy to the end of its answer.');
    for (const series of shadows) if (series.answers.count) histogramLines(lines, ROUTER_SHADOW_METRICS.latency, `upstream="${series.label}"`, series.answers);
    header(ROUTER_SHADOW_METRICS.compared, 'counter', 'Pairs of 200 answers, the active version\'s and the shadow\'s, compared.');
    each(ROUTER_SHADOW_METRICS.compared, (series) => series.compared);
    header(ROUTER_SHADOW_METRICS.classDifferences, 'counter', 'Compared requests whose predicted class differs in any row.');
    each(ROUTER_SHADOW_METRICS.classDifferences, (series) => series.classDifferences);
    header(ROUTER_SHADOW_METRICS.incomparable, 'counter', 'Pairs of 200 answers that could not be compared.');
    each(ROUTER_SHADOW_METRICS.incomparable, (series) => series.incomparable);
    header(ROUTER_SHADOW_METRICS.maxScoreDifference, 'gauge', 'Largest absolute score difference between the two answers since the shadow was set.');
    each(ROUTER_SHADOW_METRICS.maxScoreDifference, (series) => series.maxScoreDifference);
    header(ROUTER_SHADOW_METRICS.skipped, 'counter', 'Inference requests not mirrored to the shadow, by reason.');
    for (const series of shadows) for (const [reason, count] of series.skipped) lines.push(`${ROUTER_SHADOW_METRICS.skipped}{upstream="${series.label}",reason="${reason}"} ${count}`);
  }

  private seriesOf(upstream: Upstream): UpstreamSeries {
    let series = this.upstreams.get(upstream.url);
    if (!series) this.upstreams.set(upstream.url, (series = { label: labelValue(upstream.url), routes: [answers(), answers()], connectFailures: 0 }));
    return series;
  }

  private shadowOf(upstream: Upstream): ShadowSeries {
    let series = this.shadows.get(upstream.url);
    if (!series) {
      series = { label: labelValue(upstream.url), answers: answers(), compared: 0, classDifferences: 0, incomparable: 0, maxScoreDifference: 0, skipped: new Map() };
      this.shadows.set(upstream.url, series);
    }
    return series;
  }

  /** Each upstream's routes that have had requests. */
  private each(write: (label: string, route: string, series: Answers) => void): void {
    for (const upstream of this.upstreams.values()) upstream.routes.forEach((series, i) => series.count && write(upstream.label, ROUTES[i], series));
  }
}

/** Inference requests as the model server tells them apart (its `infer` route), by path without the query. */
export function isInference(path: string): boolean {
  return path.startsWith('/v2/models/') && path.endsWith('/infer');
}

function observe(series: Answers, status: number, seconds: number): void {
  series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
  let bucket = 0;
  while (bucket < ROUTER_LATENCY_BOUNDS.length && seconds > ROUTER_LATENCY_BOUNDS[bucket]) bucket++;
  series.buckets[bucket]++;
  series.sum += seconds;
  series.count++;
}

function histogramLines(lines: string[], name: string, labels: string, series: Answers): void {
  let cumulative = 0;
  ROUTER_LATENCY_BOUNDS.forEach((bound, i) => {
    cumulative += series.buckets[i];
    lines.push(`${name}_bucket{${labels},le="${bound}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{${labels},le="+Inf"} ${series.count}`, `${name}_sum{${labels}} ${series.sum}`, `${name}_count{${labels}} ${series.count}`);
}

/** A sample's value as the text format writes it: an answer may hold an infinite score. */
function sampleValue(value: number): string {
  return value === Infinity ? '+Inf' : String(value);
}

/** A label value as the text format writes it: a host name may hold a `"`. */
function labelValue(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
