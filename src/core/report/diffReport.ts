import { formatP } from '../deploy/compareScores';
import type { MetricDiffRow, MetricsDiff, PredictionChanges } from '../deploy/diffTypes';
import { markdownTable } from './textTable';
import { formatMetricValue } from './validationReport';

/**
 * The metrics diff as Markdown (the editor, CI logs): which versions, one row per metric with its change,
 * interval and gate, how the predictions moved, and whether the gates let the deploy through.
 */
export function formatDiffMarkdown(diff: MetricsDiff): string {
  const deployed = diff.deployed ? `deployed ${diff.deployed.version}` : 'nothing deployed yet';
  const lines = [`## Metrics diff for ${diff.environment}: ${deployed}, candidate ${diff.candidate.version}`, ''];
  lines.push(
    markdownTable([
      ['metric', 'deployed', 'candidate', 'change', '95% interval', 'gate'],
      ...diff.rows.map((row) => [row.name, formatValue(row.deployed), formatValue(row.candidate), formatChange(row), formatInterval(row.interval), formatGate(row)]),
    ]),
  );
  if (diff.predictions) lines.push('', describePredictions(diff.predictions));
  // The notes already say whether the deployed model was re-scored (diff.rescored) and on which rows.
  const notes = [...diff.notes];
  if (diff.bootstrap) notes.push(`Intervals: seeded paired bootstrap, ${diff.bootstrap.resamples} resamples, seed ${diff.bootstrap.seed}.`);
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  lines.push('', gatesVerdict(diff));
  return lines.join('\n');
}

function formatValue(value: number | undefined): string {
  return value === undefined ? '-' : formatMetricValue(value);
}

function signed(value: number): string {
  return value > 0 ? `+${formatMetricValue(value)}` : formatMetricValue(value);
}

/** The change with its sign and an arrow, and whether that way is better for this metric. */
function formatChange(row: MetricDiffRow): string {
  if (row.change === undefined) return '';
  if (row.change === 0) return '0';
  const better = row.change > 0 === row.higherIsBetter;
  return `${signed(row.change)} ${row.change > 0 ? '↑' : '↓'} ${better ? 'better' : 'worse'}`;
}

function formatInterval(interval: [number, number] | undefined): string {
  return interval ? `[${signed(interval[0])}, ${signed(interval[1])}]` : '';
}

function formatGate(row: MetricDiffRow): string {
  const reasons = (verdict: string) => [...new Set(row.checks.filter((check) => check.verdict === verdict).map((check) => check.reason))].join('; ');
  if (row.verdict === 'fail') return `FAIL: ${reasons('fail')}`;
  if (row.verdict === 'pass') {
    // A limit breached by a change that is not significant passes, but the reader should see it.
    const waved = row.checks.filter((check) => check.verdict === 'pass' && (check.rule === 'max_drop' || check.rule === 'max_rise') && check.value !== undefined && check.value > check.limit);
    return waved.length > 0 ? `pass: ${waved.map((check) => check.reason).join('; ')}` : 'pass';
  }
  const skipped = reasons('skip');
  return skipped ? `skipped: ${skipped}` : '';
}

function describePredictions(p: PredictionChanges): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const share = p.rows === 0 ? 0 : (100 * p.changed) / p.rows;
  return (
    `Predictions: ${count(p.changed)} of ${count(p.rows)} rows changed class (${share.toFixed(2)}%). ` +
    `Only the candidate is right on ${count(p.onlyCandidateRight)}, only the deployed model on ${count(p.onlyDeployedRight)} ` +
    `(both right on ${count(p.bothRight)}, both wrong on ${count(p.bothWrong)}); exact McNemar p = ${formatP(p.mcnemarP)}.`
  );
}

function gatesVerdict(diff: MetricsDiff): string {
  if (diff.gates.passed) return diff.rows.some((row) => row.checks.length > 0) ? 'gates pass' : 'gates pass: none configured';
  return diff.gates.blocking ? `gates FAIL: blocks ${diff.environment}` : `gates fail: ${diff.environment} goes on with a warning`;
}
