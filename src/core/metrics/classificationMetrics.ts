import { ProbabilityMetrics } from './probabilityMetrics';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  /**
   * Binary: AUC of the class-1 score; multiclass: one-vs-rest macro. Undefined when a class never occurs.
   * Exact over the first rows (13,107 of 10 classes), then from bins (see ProbabilityMetrics).
   */
  roc_auc?: number;
  log_loss: number;
  per_class: ClassMetrics[];
  /** Rows: true class; columns: predicted class. */
  confusion_matrix: number[][];
  /** `softmax` when the scores were not probabilities (logits) and softmax was applied for log_loss and roc_auc. */
  scores: 'probabilities' | 'softmax';
}

const PROBABILITY_TOLERANCE = 1e-3;

/**
 * Classification metrics over a stream of (true class, score row) pairs, defined as scikit-learn defines
 * them: precision, recall and F1 with zero_division=0 over the classes present in y_true or y_pred (its
 * default labels), macro and support-weighted averages, ROC AUC (binary, or one-vs-rest macro on
 * probabilities) and log loss over all classes. Its memory does not grow with the rows: counts, sums and
 * ROC AUC bins.
 */
export class ClassificationMetricsAccumulator {
  private readonly confusion: number[][];
  private rows = 0;
  /**
   * The scores are probabilities when every row is one, else logits to apply softmax to; which of the two
   * is known only at the end, so both are summarised until a row that is not a probability row.
   */
  private asGiven?: ProbabilityMetrics;
  private readonly asSoftmax: ProbabilityMetrics;
  private readonly softmax: Float64Array;

  constructor(
    private readonly classCount: number,
    private readonly classNames: string[] = Array.from({ length: classCount }, (_, i) => String(i)),
  ) {
    this.confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
    this.asGiven = new ProbabilityMetrics(classCount);
    this.asSoftmax = new ProbabilityMetrics(classCount);
    this.softmax = new Float64Array(classCount);
  }

  add(trueClass: number, scores: ArrayLike<number>): void {
    const k = this.classCount;
    let predicted = 0;
    let sum = 0;
    let probabilities = true;
    for (let c = 0; c < k; c++) {
      const s = scores[c];
      if (s > scores[predicted]) predicted = c; // first maximum wins, as numpy's argmax
      if (s < 0 || s > 1) probabilities = false;
      sum += s;
    }
    if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) probabilities = false;
    if (!probabilities) this.asGiven = undefined;
    this.confusion[trueClass][predicted]++;
    this.rows++;
    this.asGiven?.add(trueClass, scores);
    softmaxRow(scores, 0, k, this.softmax, 0);
    this.asSoftmax.add(trueClass, this.softmax);
  }

  result(): ClassificationMetrics {
    const k = this.classCount;
    const n = this.rows;
    const perClass: ClassMetrics[] = [];
    let correct = 0;
    for (let c = 0; c < k; c++) {
      const tp = this.confusion[c][c];
      correct += tp;
      const support = this.confusion[c].reduce((a, b) => a + b, 0);
      const predicted = this.confusion.reduce((a, row) => a + row[c], 0);
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = 2 * tp + (predicted - tp) + (support - tp) === 0 ? 0 : (2 * tp) / (2 * tp + (predicted - tp) + (support - tp));
      perClass.push({ label: this.classNames[c], precision, recall, f1, support });
    }
    const present = perClass.filter((_, c) => perClass[c].support > 0 || this.confusion.some((row) => row[c] > 0));
    const mean = (key: 'precision' | 'recall' | 'f1') => present.reduce((a, m) => a + m[key], 0) / present.length;
    const weighted = (key: 'precision' | 'recall' | 'f1') => present.reduce((a, m) => a + m[key] * m.support, 0) / n;
    const probabilities = this.asGiven ?? this.asSoftmax;
    return {
      accuracy: correct / n,
      precision_macro: mean('precision'),
      recall_macro: mean('recall'),
      f1_macro: mean('f1'),
      precision_weighted: weighted('precision'),
      recall_weighted: weighted('recall'),
      f1_weighted: weighted('f1'),
      roc_auc: probabilities.rocAuc(),
      log_loss: probabilities.logLoss(),
      per_class: perClass,
      confusion_matrix: this.confusion.map((row) => [...row]),
      scores: this.asGiven ? 'probabilities' : 'softmax',
    };
  }
}

/** Row-wise softmax, shifted by each row's maximum so large logits do not overflow. */
export function softmaxRows(values: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let offset = 0; offset < values.length; offset += width) softmaxRow(values, offset, width, out, offset);
  return out;
}

/** Softmax of the `width` values from `offset` into `out` from `outOffset`. */
function softmaxRow(values: ArrayLike<number>, offset: number, width: number, out: Float64Array, outOffset: number): void {
  let max = -Infinity;
  for (let c = 0; c < width; c++) max = Math.max(max, values[offset + c]);
  let sum = 0;
  for (let c = 0; c < width; c++) sum += out[outOffset + c] = Math.exp(values[offset + c] - max);
  for (let c = 0; c < width; c++) out[outOffset + c] /= sum;
}
