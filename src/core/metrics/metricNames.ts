import type { Task } from '../project/projectConfig';

/** Metrics by task, with whether a higher value is better (gates: max_drop vs max_rise). */
export const METRICS = {
  accuracy: { task: 'classification', higherIsBetter: true },
  precision_macro: { task: 'classification', higherIsBetter: true },
  recall_macro: { task: 'classification', higherIsBetter: true },
  f1_macro: { task: 'classification', higherIsBetter: true },
  precision_weighted: { task: 'classification', higherIsBetter: true },
  recall_weighted: { task: 'classification', higherIsBetter: true },
  f1_weighted: { task: 'classification', higherIsBetter: true },
  roc_auc: { task: 'classification', higherIsBetter: true },
  log_loss: { task: 'classification', higherIsBetter: false },
  mae: { task: 'regression', higherIsBetter: false },
  rmse: { task: 'regression', higherIsBetter: false },
  r2: { task: 'regression', higherIsBetter: true },
  mape: { task: 'regression', higherIsBetter: false },
} as const satisfies Record<string, { task: Exclude<Task, 'raw'>; higherIsBetter: boolean }>;

export type MetricName = keyof typeof METRICS;

/** Measured by the serving benchmark rather than by validation; valid for every task. */
export const LATENCY_METRICS = { latency_p95_ms: { higherIsBetter: false } } as const;

export const DEFAULT_METRICS: Record<Exclude<Task, 'raw'>, MetricName[]> = {
  classification: ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'log_loss'],
  regression: ['mae', 'rmse', 'r2', 'mape'],
};

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export function metricsFor(task: Task): MetricName[] {
  return (Object.keys(METRICS) as MetricName[]).filter((name) => METRICS[name].task === task);
}

export function higherIsBetter(name: string): boolean {
  return isMetricName(name) ? METRICS[name].higherIsBetter : false;
}
