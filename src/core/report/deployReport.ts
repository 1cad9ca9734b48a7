import type { HistoryView } from '../deploy/history';
import type { ReleaseResult } from '../deploy/release';
import type { SmokeResult } from '../deploy/smokeTest';
import { formatTrialRelease } from './trialReport';
import { formatDiffMarkdown } from './diffReport';
import { textTable } from './textTable';

/** A digest as people read it: its algorithm and first 12 hex digits. */
export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/, '$1$2');
}

/** The smoke prediction's line of a release's report. */
export function smokeLine(smoke: SmokeResult): string {
  return `smoke prediction: answered${smoke.parityMaxAbsDiff !== undefined ? `, parity ${smoke.parityMaxAbsDiff}` : ''}; p95 latency ${smoke.latencyP95Ms} ms`;
}

/** What a deploy, promotion or rollback did, with the diff it was decided on. */
export function formatRelease(result: ReleaseResult): string {
  if (result.canary) return formatTrialRelease(result, { kind: 'canary', outcome: result.canary });
  if (result.shadow) return formatTrialRelease(result, { kind: 'shadow', outcome: result.shadow });
  const lines: string[] = [];
  if (result.diff) lines.push(formatDiffMarkdown(result.diff), '');
  if (!result.changed) {
    lines.push(`${result.environment} already runs ${result.version} (${shortDigest(result.digest)}): nothing changed`);
  } else {
    lines.push(`${result.environment} now runs ${result.version} (${shortDigest(result.digest)}) from ${result.image}`);
    if (result.smoke) lines.push(smokeLine(result.smoke));
    if (result.swapMs !== undefined) lines.push(`serving the new version ${(result.swapMs / 1000).toFixed(1)} s after it was started`);
  }
  if (result.url) lines.push(`serving at ${result.url}`);
  return lines.join('\n');
}

/** An environment's history as a table, newest first, the current entry marked. */
export function formatHistory(history: HistoryView[]): string {
  if (!history.length) return 'no deploys yet';
  const rows = history.map((e) => [e.current ? '*' : '', e.time.replace(/\.\d+Z$/, 'Z'), e.canary !== undefined ? `${e.action} (canary ${e.canary} %)` : e.shadow ? `${e.action} (shadow)` : e.action, e.version, shortDigest(e.digest), e.who ?? '', e.metrics?.accuracy !== undefined ? `accuracy ${e.metrics.accuracy.toFixed(4)}` : e.metrics?.rmse !== undefined ? `rmse ${e.metrics.rmse.toFixed(4)}` : '']);
  return textTable([['', 'time', 'action', 'version', 'digest', 'who', 'metrics'], ...rows]);
}
