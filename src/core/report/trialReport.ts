import type { CanaryAnalysis } from '../deploy/canaryAnalysis';
import type { CanaryOutcome, ShadowOutcome } from '../deploy/trialOutcome';
import type { VersionFigures } from '../deploy/versionFigures';
import type { ReleaseResult } from '../deploy/release';
// deployReport imports this file too; these are only called, never read at load, so the cycle is harmless.
import { shortDigest, smokeLine } from './deployReport';
import { formatDiffMarkdown } from './diffReport';
import { textTable } from './textTable';

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(2)} %`);
const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(2)} ms`);

/** A deploy, promote or rollback of a canary or a shadow: who answers which requests now, and a canary's analysis when there was one. */
export function formatTrialRelease(result: ReleaseResult, trial: { kind: 'canary'; outcome: CanaryOutcome } | { kind: 'shadow'; outcome: ShadowOutcome }): string {
  const { environment } = result;
  const { outcome } = trial;
  const lines: string[] = [];
  if (result.diff) lines.push(formatDiffMarkdown(result.diff), '');
  if (outcome.state === 'running') {
    lines.push(
      trial.kind === 'canary'
        ? `${environment} runs ${outcome.beside} with ${100 - trial.outcome.share} % of the requests and the canary ${outcome.version} (${shortDigest(result.digest)}) with ${trial.outcome.share} %`
        : `${environment} answers every request with ${outcome.beside}; the shadow ${outcome.version} (${shortDigest(result.digest)}) gets a copy of each inference request, its answers compared with ${outcome.beside}'s`,
    );
    if (result.smoke) lines.push(smokeLine(result.smoke));
    if (result.swapMs !== undefined) lines.push(`the ${trial.kind} got its ${trial.kind === 'canary' ? 'share' : 'first copies'} ${(result.swapMs / 1000).toFixed(1)} s after it was started`);
  } else if (outcome.state === 'promoted') {
    lines.push(`${environment} now runs ${outcome.version} (${shortDigest(result.digest)}) with every request: the ${trial.kind} was promoted${trial.kind === 'canary' ? ` from ${trial.outcome.share} %` : ''}; ${outcome.beside} is removed`);
  } else {
    lines.push(`${environment} runs ${outcome.beside} alone again: the ${trial.kind} ${outcome.version}${trial.kind === 'canary' ? ` (${trial.outcome.share} %)` : ''} was rolled back and removed`);
  }
  if (trial.kind === 'canary' && trial.outcome.analysis) lines.push('', formatCanaryAnalysis(trial.outcome.analysis));
  if (outcome.state === 'running') {
    if (trial.kind === 'shadow') lines.push('', `watch the comparison: modeldeploy watch --env ${environment}`);
    lines.push('', `promote it: modeldeploy promote --${trial.kind} --env ${environment}`, `roll it back: modeldeploy rollback --env ${environment}`);
  }
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
