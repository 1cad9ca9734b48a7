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
