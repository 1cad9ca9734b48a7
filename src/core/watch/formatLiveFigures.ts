import type { LiveFigures } from './liveFigures';

const shown = (value: number | null, text: (v: number) => string) => (value === null ? '-' : text(value));
const percent = (share: number | null) => shown(share, (v) => `${(v * 100).toFixed(1)}%`);
const ms = (value: number | null) => shown(value, (v) => `${v.toFixed(1)} ms`);

/** Each profiled feature's PSI, those that drift marked; undefined PSI (no rows yet) as '-'. */
function driftText(figures: LiveFigures): string {
  if (!figures.drift.length) return '';
  return `  drift ${figures.drift.map((f) => `${f.feature} ${shown(f.psi ?? null, (v) => v.toFixed(2))}${f.drifting ? ' DRIFTING' : ''}`).join(', ')}`;
}

/** One line of figures for a terminal: local time, rate, latencies, error shares, in flight, window, drift. */
export function formatLiveFigures(figures: LiveFigures): string {
  const time = new Date(figures.time).toTimeString().slice(0, 8);
  const rate = shown(figures.requestsPerSecond, (v) => v.toFixed(2));
  const requests = shown(figures.requests, String);
  return `${time}  ${rate} req/s  p50 ${ms(figures.p50Ms)}  p95 ${ms(figures.p95Ms)}  errors ${percent(figures.errorRate)} 5xx, ${percent(figures.clientErrorRate)} 4xx  in flight ${shown(figures.inFlight, String)}  (${requests} requests in the last ${Math.round(figures.windowSeconds)} s)${driftText(figures)}`;
}

/**
 * A few words for a tree node or a status bar: the rate and p95, then only what is wrong (server errors,
 * drifting features); undefined before the first rates.
 */
export function formatLiveSummary(figures: LiveFigures): string | undefined {
  if (figures.requestsPerSecond === null) return undefined;
  const parts = [`${figures.requestsPerSecond.toFixed(1)} req/s`];
  if (figures.p95Ms !== null) parts.push(`p95 ${figures.p95Ms.toFixed(1)} ms`);
  if (figures.errorRate) parts.push(`5xx ${percent(figures.errorRate)}`);
  const drifting = figures.drift.filter((f) => f.drifting).map((f) => f.feature);
  if (drifting.length) parts.push(`drift: ${drifting.join(', ')}`);
  return parts.join(' · ');
}
