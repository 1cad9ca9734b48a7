import type { CanaryAnalysis } from '../deploy/canaryAnalysis';
import type { CanaryOutcome } from '../deploy/canaryOutcome';
import type { VersionFigures } from '../deploy/versionFigures';
import type { ReleaseResult } from '../deploy/release';
// deployReport imports this file too; shortDigest is only called, never read at load, so the cycle is harmless.
import { shortDigest } from './deployReport';
import { formatDiffMarkdown } from './diffReport';
import { textTable } from './textTable';

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(2)} %`);
const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(2)} ms`);

/** A deploy, promote or rollback of a canary: who serves which share now, and the analysis when there was one. */
export function formatCanaryRelease(result: ReleaseResult & { canary: CanaryOutcome }): string {
  const { canary, environment } = result;
  const lines: string[] = [];
  if (result.diff) lines.push(formatDiffMarkdown(result.diff), '');
  const others = 100 - canary.share;
  if (canary.state === 'running') {
    lines.push(`${environment} runs ${canary.beside} with ${others} % of the requests and the canary ${canary.version} (${shortDigest(result.digest)}) with ${canary.share} %`);
    if (result.smoke) lines.push(`smoke prediction: answered${result.smoke.parityMaxAbsDiff !== undefined ? `, parity ${result.smoke.parityMaxAbsDiff}` : ''}; p95 latency ${result.smoke.latencyP95Ms} ms`);
    if (result.swapMs !== undefined) lines.push(`the canary got its share ${(result.swapMs / 1000).toFixed(1)} s after it was started`);
  } else if (canary.state === 'promoted') {
    lines.push(`${environment} now runs ${canary.version} (${shortDigest(result.digest)}) with every request: the canary was promoted from ${canary.share} %; ${canary.beside} is removed`);
  } else {
    lines.push(`${environment} runs ${canary.beside} with every request again: the canary ${canary.version} (${canary.share} %) was rolled back and removed`);
  }
  if (canary.analysis) lines.push('', formatCanaryAnalysis(canary.analysis));
  if (canary.state === 'running') lines.push('', `promote it: modeldeploy promote --canary --env ${environment}`, `roll it back: modeldeploy rollback --env ${environment}`);
  if (result.url) lines.push(`serving at ${result.url}`);
  return lines.join('\n');
}

/** The analysis: both versions' figures over the window, the limits, the verdict and why. */
export function formatCanaryAnalysis(analysis: CanaryAnalysis): string {
  const row = (role: string, figures: VersionFigures & { version: string }) => [role, figures.version, String(figures.requests), percent(figures.errorRate), ms(figures.p95Ms)];
  const { limits } = analysis;
  const verdict =
    analysis.verdict === 'regression'
      ? `verdict: regression (${analysis.reasons.join('; ')})`
      : analysis.verdict === 'pass'
        ? `verdict: pass (server errors up at most ${(limits.maxErrorRateIncrease * 100).toFixed(2)} points, p95 at most ${limits.maxP95Ratio} times the current version's)`
        : `verdict: none (${analysis.reasons.join('; ')})`;
  return [
    `canary analysis over ${analysis.windowSeconds.toFixed(1)} s of live traffic (inference requests through the router):`,
    textTable([['', 'version', 'requests', 'server errors', 'p95'], row('canary', analysis.canary), row('current', analysis.current)]),
    verdict,
  ].join('\n');
}
