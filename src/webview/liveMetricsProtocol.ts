/**
 * The messages between the live-metrics panel (extension host) and its webview, in one file both sides
 * compile against. What the webview sends is untrusted: the host accepts it only through
 * `isToHostMessage`.
 */
import type { LiveSeries } from '../extension/liveMetricsStore';
import { isRecord, isTypeOnlyMessage } from './messageGuards';

/** Host -> webview: an environment's figures after each round of scrapes; no series before its first. */
export type ToWebviewMessage = {
  type: 'series';
  project: string;
  environment: string;
  /** How far back the charts go, in milliseconds before the last point. */
  spanMs: number;
  series?: LiveSeries;
};

/** Webview -> host: loaded (again, after it was hidden), send the figures. */
export type ToHostMessage = { type: 'ready' };

export function isToHostMessage(value: unknown): value is ToHostMessage {
  return isTypeOnlyMessage(value, ['ready']);
}

/** The outline of a message the view relies on; anything else is ignored. */
export function isToWebviewMessage(value: unknown): value is ToWebviewMessage {
  if (!isRecord(value) || value.type !== 'series' || typeof value.project !== 'string' || typeof value.environment !== 'string' || typeof value.spanMs !== 'number') return false;
  const series = value.series;
  return series === undefined || (isRecord(series) && typeof series.url === 'string' && Array.isArray(series.points) && (series.error === undefined || typeof series.error === 'string'));
}
