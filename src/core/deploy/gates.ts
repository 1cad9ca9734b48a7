import { higherIsBetter, LATENCY_METRICS } from '../metrics/metricNames';
import type { GateConfig } from '../project/projectConfig';
import { formatMetricValue } from '../report/validationReport';
import type { GateCheck, MetricDiffRow, MetricsDiff, Verdict } from './diffTypes';

/** Whether a change is significant, with the evidence in words: "McNemar p = 0.0039 < 0.05". */
export interface Significance {
  significant: boolean;
  evidence: string;
}

/**
 * Asks whether a metric's change is significant at level alpha; a bare boolean when there is no evidence
 * to quote, undefined when it cannot be told (the two models were not scored on the same rows).
 */
export type SignificanceTest = (metric: string, alpha: number) => Significance | boolean | undefined;

/** The level at which a metric's change is called significant in a diff when no gate asks for another. */
export const DEFAULT_SIGNIFICANCE = 0.05;

// A value equal to its limit passes even when rounding puts it a hair over (0.95 - 0.94 > 0.01 in floats).
const ROUNDING = 1e-9;

/**
 * Checks every rule of every gate: min / max on the candidate's value, max_drop / max_rise on its change
 * against the deployed value. A breach of max_drop / max_rise under `significance: alpha` fails only
 * when the change is significant at alpha.
 */
export function checkGates(
  gates: Record<string, GateConfig>,
  candidate: Record<string, number | undefined>,
  deployed: Record<string, number> | undefined,
  significance?: SignificanceTest,
): GateCheck[] {
  return Object.entries(gates).flatMap(([metric, gate]) => checkGate(metric, gate, candidate[metric], deployed, significance));
}

function checkGate(metric: string, gate: GateConfig, value: number | undefined, deployed: Record<string, number> | undefined, significance?: SignificanceTest): GateCheck[] {
  const rules = (['min', 'max', 'max_drop', 'max_rise'] as const).filter((rule) => gate[rule] !== undefined);
  if (value === undefined || !Number.isFinite(value)) {
    // Latency is measured on the running candidate during the deploy, not by validation.
    const reason = Object.hasOwn(LATENCY_METRICS, metric) ? `${metric} is measured when the candidate runs, and it has not been measured yet` : `the candidate has no ${metric}: validate it`;
    const verdict = Object.hasOwn(LATENCY_METRICS, metric) ? 'skip' : 'fail';
    return rules.map((rule) => ({ metric, rule, limit: gate[rule]!, verdict, reason }));
  }
  return rules.map((rule) => {
    const limit = gate[rule]!;
    if (rule === 'min') return boundCheck(metric, rule, limit, value, value < limit - tolerance(limit), 'is below the minimum', 'meets the minimum');
    if (rule === 'max') return boundCheck(metric, rule, limit, value, value > limit + tolerance(limit), 'is above the maximum', 'is within the maximum');
    return changeCheck(metric, rule, limit, value, deployed, gate.significance, significance);
  });
}

function boundCheck(metric: string, rule: 'min' | 'max', limit: number, value: number, breached: boolean, breachWords: string, passWords: string): GateCheck {
  const words = breached ? breachWords : passWords;
  return { metric, rule, limit, value, verdict: breached ? 'fail' : 'pass', reason: `${metric} ${formatMetricValue(value)} ${words} ${formatMetricValue(limit)}` };
}

function changeCheck(
  metric: string,
  rule: 'max_drop' | 'max_rise',
  limit: number,
  value: number,
  deployed: Record<string, number> | undefined,
  alpha: number | undefined,
  significance: SignificanceTest | undefined,
): GateCheck {
  if (deployed === undefined) return { metric, rule, limit, verdict: 'skip', reason: 'nothing deployed to compare with' };
  const before = deployed[metric];
  if (before === undefined || !Number.isFinite(before)) return { metric, rule, limit, verdict: 'skip', reason: `the deployed version has no ${metric} to compare with` };
  const worsening = rule === 'max_drop' ? before - value : value - before;
  const moved = rule === 'max_drop' ? 'dropped' : 'rose';
  const values = `(${formatMetricValue(before)} -> ${formatMetricValue(value)})`;
  const check = { metric, rule, limit, value: worsening };
  if (worsening <= 0) return { ...check, verdict: 'pass', reason: `${metric} did not ${rule === 'max_drop' ? 'drop' : 'rise'} ${values}` };
  const change = `${metric} ${moved} by ${formatMetricValue(worsening)} ${values}`;
  if (worsening <= limit + tolerance(limit)) return { ...check, verdict: 'pass', reason: `${change}, within the allowed ${formatMetricValue(limit)}` };
  const breach = `${change}, more than the allowed ${formatMetricValue(limit)}`;
  if (alpha === undefined) return { ...check, verdict: 'fail', reason: breach };
  const tested = asSignificance(significance?.(metric, alpha));
  // Without a test the breach stands: a gate that asks for significance must not pass for want of data.
  if (!tested) return { ...check, verdict: 'fail', reason: `${breach}; its significance could not be tested (the two models were not scored on the same rows)` };
  const evidence = tested.evidence ? ` (${tested.evidence})` : ` at ${alpha}`;
  if (tested.significant) return { ...check, verdict: 'fail', reason: `${breach}; significant${evidence}` };
  return { ...check, verdict: 'pass', reason: `${breach}, but not significant${evidence}` };
}

function tolerance(limit: number): number {
  return ROUNDING * Math.max(1, Math.abs(limit));
}

function asSignificance(answer: Significance | boolean | undefined): Significance | undefined {
  return typeof answer === 'boolean' ? { significant: answer, evidence: '' } : answer;
}

export interface DiffRowsInput {
  /** The reported metrics, in the config's order. */
  metrics: readonly string[];
  gates: Record<string, GateConfig>;
  candidate: Record<string, number | undefined>;
  /** Undefined on a first deploy. */
  deployed?: Record<string, number>;
  /** 95% intervals of the change, where the two models were scored on the same rows. */
  intervals?: Record<string, [number, number]>;
  significance?: SignificanceTest;
}

/**
 * The diff's rows: the reported metrics in the config's order, then metrics that only a gate names
 * (latency), each with its values, change, interval, significance and gate checks.
 */
export function diffRows(input: DiffRowsInput): MetricDiffRow[] {
  const checks = checkGates(input.gates, input.candidate, input.deployed, input.significance);
  const names = [...new Set([...input.metrics, ...Object.keys(input.gates)])];
  return names.map((name) => {
    const deployed = input.deployed?.[name];
    const candidate = input.candidate[name];
    const own = checks.filter((check) => check.metric === name);
    const alpha = input.gates[name]?.significance ?? DEFAULT_SIGNIFICANCE;
    const tested = deployed === undefined ? undefined : asSignificance(input.significance?.(name, alpha));
    return {
      name,
      higherIsBetter: higherIsBetter(name),
      deployed,
      candidate,
      change: deployed !== undefined && candidate !== undefined ? candidate - deployed : undefined,
      interval: input.intervals?.[name],
      significant: tested?.significant,
      verdict: rowVerdict(own),
      checks: own,
    };
  });
}

function rowVerdict(checks: GateCheck[]): Verdict {
  if (checks.some((check) => check.verdict === 'fail')) return 'fail';
  return checks.some((check) => check.verdict === 'pass') ? 'pass' : 'none';
}

/** The diff's gate summary: a failure blocks production and only warns elsewhere (staging). */
export function summarizeGates(rows: MetricDiffRow[], blocking: boolean): MetricsDiff['gates'] {
  const failures = [...new Set(rows.flatMap((row) => row.checks.filter((check) => check.verdict === 'fail').map((check) => check.reason)))];
  return { passed: failures.length === 0, blocking, failures };
}
