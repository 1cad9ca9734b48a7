import type { ValidationReport } from '../validation/validationReport';
import { textTable } from './textTable';

export function formatMetricValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** The text `modeldeploy validate` prints: metrics, then per-class figures and the confusion matrix. */
export function formatValidationReport(report: ValidationReport): string {
  const lines = [
    `${report.project} ${report.version}: ${report.rows} rows of ${report.dataFile} in ${(report.wallTimeMs / 1000).toFixed(2)} s (${report.rowsPerSecond} rows/s${report.secondSessionRows ? `, ${report.secondSessionRows} of them on a second session` : ''})`,
    '',
    textTable([['metric', 'value'], ...Object.entries(report.metrics).map(([name, value]) => [name, formatMetricValue(value)])], [1]),
  ];
  const classification = report.classification;
  if (classification) {
    lines.push(
      '',
      textTable(
        [['class', 'precision', 'recall', 'f1', 'support'], ...classification.perClass.map((c) => [c.label, formatMetricValue(c.precision), formatMetricValue(c.recall), formatMetricValue(c.f1), String(c.support)])],
        [1, 2, 3, 4],
      ),
      '',
      'confusion matrix (rows: true class, columns: predicted)',
      textTable([['', ...classification.labels], ...classification.confusionMatrix.map((row, i) => [classification.labels[i], ...row.map(String)])], classification.labels.map((_, i) => i + 1)),
    );
    if (classification.scores === 'softmax') lines.push('', 'note: the scored output holds raw scores, so softmax was applied for log_loss and roc_auc');
  }
  lines.push('', `data sha256  ${report.dataSha256}`, `model sha256 ${report.modelSha256}`);
  return lines.join('\n');
}
