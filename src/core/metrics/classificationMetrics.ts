import { rocAuc } from './rocAuc';

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
  /** Binary: AUC of the class-1 score; multiclass: one-vs-rest macro. Undefined when a class never occurs. */
  roc_auc?: number;
  log_loss: number;
  per_class: ClassMetrics[];
  /** Rows: true class; columns: predicted class. */
  confusion_matrix: number[][];
  /** `softmax` when the scores were not probabilities (logits) and softmax was applied for log_loss and roc_auc. */
  scores: 'probabilities' | 'softmax';
}

// scikit-learn clips probabilities to [eps, 1 - eps] with float64's machine epsilon.
const EPSILON = 2.220446049250313e-16;
const PROBABILITY_TOLERANCE = 1e-3;

/**
 * Classification metrics over a stream of (true class, score row) pairs, defined as scikit-learn defines
 * them: precision, recall and F1 with zero_division=0 over the classes present in y_true or y_pred (its
 * default labels), macro and support-weighted averages, ROC AUC (binary, or one-vs-rest macro on
 * probabilities) and log loss over all classes.
 */
export class ClassificationMetricsAccumulator {
  private readonly confusion: number[][];
  private truth: Int32Array = new Int32Array(1024);
  private scores: Float64Array;
  private rows = 0;
  private allProbabilities = true;

  constructor(
    private readonly classCount: number,
    private readonly classNames: string[] = Array.from({ length: classCount }, (_, i) => String(i)),
  ) {
    this.confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
    this.scores = new Float64Array(1024 * classCount);
  }

  add(trueClass: number, scores: ArrayLike<number>): void {
    const k = this.classCount;
    if (this.rows === this.truth.length) this.grow();
    let predicted = 0;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const s = scores[c];
      this.scores[this.rows * k + c] = s;
      if (s > scores[predicted]) predicted = c; // first maximum wins, as numpy's argmax
      if (s < 0 || s > 1) this.allProbabilities = false;
      sum += s;
    }
    if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) this.allProbabilities = false;
    this.confusion[trueClass][predicted]++;
    this.truth[this.rows++] = trueClass;
  }

  result(): ClassificationMetrics {
    const k = this.classCount;
    const n = this.rows;
    const probabilities = this.allProbabilities ? this.scores.subarray(0, n * k) : softmaxRows(this.scores.subarray(0, n * k), k);
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
    return {
      accuracy: correct / n,
      precision_macro: mean('precision'),
      recall_macro: mean('recall'),
      f1_macro: mean('f1'),
      precision_weighted: weighted('precision'),
      recall_weighted: weighted('recall'),
      f1_weighted: weighted('f1'),
      roc_auc: this.rocAuc(probabilities),
      log_loss: this.logLoss(probabilities),
      per_class: perClass,
      confusion_matrix: this.confusion.map((row) => [...row]),
      scores: this.allProbabilities ? 'probabilities' : 'softmax',
    };
  }

  private rocAuc(probabilities: Float64Array): number | undefined {
    const k = this.classCount;
    const n = this.rows;
    const column = (c: number) => Float64Array.from({ length: n }, (_, r) => probabilities[r * k + c]);
    const truth = this.truth.subarray(0, n);
    if (k === 2) return rocAuc(column(1), Array.from(truth, (t) => t === 1));
    let total = 0;
    for (let c = 0; c < k; c++) {
      const auc = rocAuc(column(c), Array.from(truth, (t) => t === c));
      if (auc === undefined) return undefined; // scikit-learn refuses one-vs-rest AUC when a class never occurs
      total += auc;
    }
    return total / k;
  }

  private logLoss(probabilities: Float64Array): number {
    const k = this.classCount;
    let total = 0;
    const row = new Float64Array(k);
    for (let r = 0; r < this.rows; r++) {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        row[c] = Math.min(Math.max(probabilities[r * k + c], EPSILON), 1 - EPSILON);
        sum += row[c];
      }
      total -= Math.log(row[this.truth[r]] / sum);
    }
    return total / this.rows;
  }

  private grow(): void {
    const truth = new Int32Array(this.truth.length * 2);
    truth.set(this.truth);
    this.truth = truth;
    const scores = new Float64Array(this.scores.length * 2);
    scores.set(this.scores);
    this.scores = scores;
  }
}

/** Row-wise softmax, shifted by each row's maximum so large logits do not overflow. */
export function softmaxRows(values: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let r = 0; r < values.length / width; r++) {
    let max = -Infinity;
    for (let c = 0; c < width; c++) max = Math.max(max, values[r * width + c]);
    let sum = 0;
    for (let c = 0; c < width; c++) sum += out[r * width + c] = Math.exp(values[r * width + c] - max);
    for (let c = 0; c < width; c++) out[r * width + c] /= sum;
  }
  return out;
}
