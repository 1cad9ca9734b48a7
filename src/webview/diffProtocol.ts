/**
 * The messages between the metrics-diff panel (extension host) and its webview, in one file both sides
 * compile against. What the webview sends is untrusted: the host accepts it only through
 * `isToHostMessage`.
 */
import type { MetricsDiff } from '../core/deploy/diffTypes';
import { isRecord, isTypeOnlyMessage } from './messageGuards';

/** What the host tells the view about the deploy it offers. */
export interface DiffViewState {
  /** A deploy is running: the Deploy button is disabled. */
  busy: boolean;
  /** The environment asks for an explicit confirmation before every deploy. */
  approvalRequired: boolean;
  environment: string;
}

/** Host -> webview. */
export type ToWebviewMessage =
  | { type: 'show'; diff: MetricsDiff; state: DiffViewState }
  | { type: 'busy'; busy: boolean; message?: string }
  | { type: 'result'; ok: boolean; message: string };

/** Webview -> host: none carries a payload. */
export type ToHostMessage = { type: 'ready' } | { type: 'deploy' } | { type: 'cancel' } | { type: 'copyMarkdown' };

export const TO_HOST_TYPES: readonly ToHostMessage['type'][] = ['ready', 'deploy', 'cancel', 'copyMarkdown'];

/** A message the webview may send: a plain object whose only key is a known `type`. */
export function isToHostMessage(value: unknown): value is ToHostMessage {
  return isTypeOnlyMessage(value, TO_HOST_TYPES);
}

function isDiffViewState(value: unknown): value is DiffViewState {
  return isRecord(value) && typeof value.busy === 'boolean' && typeof value.approvalRequired === 'boolean' && typeof value.environment === 'string';
}

/** The outline of a MetricsDiff the view relies on (the host built it; this guards against a stale or foreign sender). */
function looksLikeMetricsDiff(value: unknown): value is MetricsDiff {
  return (
    isRecord(value) &&
    typeof value.environment === 'string' &&
    isRecord(value.candidate) &&
    typeof value.candidate.version === 'string' &&
    (value.deployed === undefined || (isRecord(value.deployed) && typeof value.deployed.version === 'string')) &&
    Array.isArray(value.notes) &&
    Array.isArray(value.rows) &&
    value.rows.every((row) => isRecord(row) && typeof row.name === 'string' && Array.isArray(row.checks)) &&
    isRecord(value.gates) &&
    typeof value.gates.passed === 'boolean' &&
    typeof value.gates.blocking === 'boolean' &&
    Array.isArray(value.gates.failures)
  );
}

/** A message the host may send; the webview ignores anything else. */
export function isToWebviewMessage(value: unknown): value is ToWebviewMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'show':
      return looksLikeMetricsDiff(value.diff) && isDiffViewState(value.state);
    case 'busy':
      return typeof value.busy === 'boolean' && (value.message === undefined || typeof value.message === 'string');
    case 'result':
      return typeof value.ok === 'boolean' && typeof value.message === 'string';
    default:
      return false;
  }
}
