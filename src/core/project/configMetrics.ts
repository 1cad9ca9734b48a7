import { DEFAULT_METRICS, higherIsBetter, isMetricName, LATENCY_METRICS, METRICS, metricsFor } from '../metrics/metricNames';
import type { GateConfig, Task } from './projectConfig';

type Report = (fieldPath: (string | number)[], message: string, hint?: string) => void;

/** The metrics a task reports when the config does not list them. */
export function defaultMetricsFor(task: Task): string[] {
  return task === 'raw' ? [] : [...DEFAULT_METRICS[task]];
}

/**
 * What the schema cannot say about metrics: each listed metric and each gate must fit the task, and a
 * gate's change limit must point the way the metric improves.
 */
export function checkMetricNames(task: Task, metrics: string[] | undefined, gates: Record<string, GateConfig> | undefined, report: Report): void {
  const allowed = metricsFor(task).join(', ') || 'none (raw projects are not scored)';
  (metrics ?? []).forEach((name, index) => {
    if (isMetricName(name) && METRICS[name].task !== task) report(['validation', 'metrics', index], `metric "${name}" is for ${METRICS[name].task}, not ${task}`, `use one of: ${allowed}`);
  });
  for (const [name, gate] of Object.entries(gates ?? {})) {
    if (Object.hasOwn(LATENCY_METRICS, name)) continue;
    if (isMetricName(name) && METRICS[name].task !== task) {
      report(['gates', name], `gate "${name}" is a ${METRICS[name].task} metric, not a ${task} one`, `gate one of: ${allowed}, latency_p95_ms`);
      continue;
    }
    if (gate.max_drop !== undefined && !higherIsBetter(name)) report(['gates', name, 'max_drop'], `"${name}" is better when lower, so it can rise, not drop`, 'use max_rise');
    if (gate.max_rise !== undefined && higherIsBetter(name)) report(['gates', name, 'max_rise'], `"${name}" is better when higher, so it can drop, not rise`, 'use max_drop');
  }
}
