import type { LiveFigures } from './liveFigures';

const shown = (value: number | null, text: (v: number) => string) => (value === null ? '-' : text(value));
const percent = (share: number | null) => shown(share, (v) => `${(v * 100).toFixed(1)}%`);
const ms = (value: number | null) => shown(value, (v) => `${v.toFixed(1)} ms`);

/** Each profiled feature's PSI, those that drift marked; undefined PSI (no rows yet) as '-'. */
function driftText(figures: LiveFigures): string {
  if (!figures.drift.length) return '';
  return `  drift ${figures.drift.map((f) => `${f.feature} ${shown(f.psi ?? null, (v) => v.toFixed(2))}${f.drifting ? ' DRIFTING' : ''}`).join(', ')}`;
}

/** A shadow's comparison: the share of differing classes in the window, then since it started, its latency and failures. */
function shadowText(figures: LiveFigures): string {
  const { shadow } = figures;
  if (!shadow) return '';
  const { total } = shadow;
  const since = `${total.classDifferences} of ${total.compared} since it started, largest score difference ${shown(total.maxScoreDifference, (v) => v.toPrecision(3))}`;
  return `  shadow ${shadow.version}: class differs ${percent(shadow.classDifferenceRate)} of ${shown(shadow.compared, String)} compared (${since}), p50 ${ms(shadow.p50Ms)} p95 ${ms(shadow.p95Ms)}, ${percent(shadow.errorRate)} 5xx, ${shown(shadow.skipped, String)} not mirrored`;
}

/** One line of figures for a terminal: local time, rate, latencies, error shares, in flight, window, drift, a shadow's comparison. */
export function formatLiveFigures(figures: LiveFigures): string {
  const time = new Date(figures.time).toTimeString().slice(0, 8);
  const rate = shown(figures.requestsPerSecond, (v) => v.toFixed(2));
  const requests = shown(figures.requests, String);
  return `${time}  ${rate} req/s  p50 ${ms(figures.p50Ms)}  p95 ${ms(figures.p95Ms)}  errors ${percent(figures.errorRate)} 5xx, ${percent(figures.clientErrorRate)} 4xx  in flight ${shown(figures.inFlight, String)}  (${requests} requests in the last ${Math.round(figures.windowSeconds)} s)${driftText(figures)}${shadowText(figures)}`;
}

/**
 * A few words for a tree node or a status bar: the rate and p95, then only what is wrong (server errors,
 * drifting features), and a shadow's share of differing classes; undefined before the first rates.
 */
export function formatLiveSummary(figures: LiveFigures): string | undefined {
  if (figures.requestsPerSecond === null) return undefined;
  const parts = [`${figures.requestsPerSecond.toFixed(1)} req/s`];
  if (figures.p95Ms !== null) parts.push(`p95 ${figures.p95Ms.toFixed(1)} ms`);
  if (figures.errorRate) parts.push(`5xx ${percent(figures.errorRate)}`);
  const drifting = figures.drift.filter((f) => f.drifting).map((f) => f.feature);
  if (drifting.length) parts.push(`drift: ${drifting.join(', ')}`);
  if (figures.shadow?.classDifferenceRate != null) parts.push(`shadow differs ${percent(figures.shadow.classDifferenceRate)}`);
  return parts.join(' · ');
}
