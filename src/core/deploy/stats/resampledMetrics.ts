import { softmaxRows } from '../../metrics/classificationMetrics';
import { predictedClasses } from './modelScores';

/**
 * A model's metrics on bootstrap resamples, each given as a count per row (how often the row was drawn).
 * They are the metrics accumulators' definitions (scikit-learn's) computed from weights instead of from
 * re-added rows: re-adding 10,000 MNIST rows per resample re-sorts every class column for ROC AUC and
 * took ~90 s for 1,000 resamples of two models; here the sorting, argmax and per-row losses are done once
 * and a resample costs one pass over rows x classes.
 */
export interface ResampledMetrics {
  /** The metrics on the resample; undefined where one is not defined there (roc_auc without a class). */
  metrics(counts: Int32Array): Record<string, number | undefined>;
}

// The accumulator's rules: scores in [0, 1] summing to 1 are probabilities, else logits (softmax applied),
// and probabilities are clipped to float64's epsilon for the log loss.
const PROBABILITY_TOLERANCE = 1e-3;
const EPSILON = 2.220446049250313e-16;

const CONFUSION_METRICS = ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted'];

/** One class column's rows sorted by score once, for the ROC AUC of any resample. */
interface Ranking {
  order: Int32Array;
  /** 1 where the row in `order` is of the positive class. */
  positive: Uint8Array;
  /** 1 where the next row in `order` has a different score: the end of a run of tied scores. */
  runEnds: Uint8Array;
}

export class ClassificationResampler implements ResampledMetrics {
  private readonly predicted: Int32Array;
  private readonly confusion: Float64Array;
  private readonly rowLoss?: Float64Array;
  private readonly rankings?: Ranking[];
  private readonly wantsConfusion: boolean;

  constructor(
    private readonly truth: Int32Array,
    scores: Float64Array,
    private readonly classCount: number,
    names: readonly string[],
  ) {
    this.predicted = predictedClasses(scores, classCount);
    this.confusion = new Float64Array(classCount * classCount);
    this.wantsConfusion = names.some((name) => CONFUSION_METRICS.includes(name));
    const wantsLoss = names.includes('log_loss');
    const wantsAuc = names.includes('roc_auc');
    if (!wantsLoss && !wantsAuc) return;
    const probabilities = areProbabilities(scores, classCount) ? scores : softmaxRows(scores, classCount);
    if (wantsLoss) this.rowLoss = rowLogLoss(probabilities, truth, classCount);
    if (wantsAuc) {
      // Binary: the AUC of class 1's score; multiclass: one-vs-rest, the mean over classes.
      const classes = classCount === 2 ? [1] : Array.from({ length: classCount }, (_, c) => c);
      this.rankings = classes.map((c) => rankColumn(probabilities, truth, classCount, c));
    }
  }

  metrics(counts: Int32Array): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = this.wantsConfusion ? this.confusionMetrics(counts) : {};
    if (this.rowLoss) {
      let total = 0;
      let weight = 0;
      for (let r = 0; r < counts.length; r++) {
        if (counts[r] === 0) continue;
        total += counts[r] * this.rowLoss[r];
        weight += counts[r];
      }
      out.log_loss = total / weight;
    }
    if (this.rankings) {
      let sum = 0;
      for (const ranking of this.rankings) {
        const auc = weightedAuc(ranking, counts);
        if (auc === undefined) {
          sum = NaN; // as the accumulator: undefined when some class is absent from the resample
          break;
        }
        sum += auc;
      }
      out.roc_auc = Number.isNaN(sum) ? undefined : sum / this.rankings.length;
    }
    return out;
  }

  /** Accuracy, precision, recall and F1 over the classes present in truth or predictions (zero_division=0). */
  private confusionMetrics(counts: Int32Array): Record<string, number> {
    const k = this.classCount;
    const confusion = this.confusion.fill(0);
    let rows = 0;
    for (let r = 0; r < counts.length; r++) {
      const w = counts[r];
      if (w === 0) continue;
      confusion[this.truth[r] * k + this.predicted[r]] += w;
      rows += w;
    }
    let correct = 0;
    let present = 0;
    const macro = { precision: 0, recall: 0, f1: 0 };
    const weighted = { precision: 0, recall: 0, f1: 0 };
    for (let c = 0; c < k; c++) {
      const tp = confusion[c * k + c];
      let support = 0;
      let predicted = 0;
      for (let j = 0; j < k; j++) {
        support += confusion[c * k + j];
        predicted += confusion[j * k + c];
      }
      correct += tp;
      if (support === 0 && predicted === 0) continue;
      present++;
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = support + predicted === 0 ? 0 : (2 * tp) / (support + predicted);
      macro.precision += precision;
      macro.recall += recall;
      macro.f1 += f1;
      weighted.precision += precision * support;
      weighted.recall += recall * support;
      weighted.f1 += f1 * support;
    }
    return {
      accuracy: correct / rows,
      precision_macro: macro.precision / present,
      recall_macro: macro.recall / present,
      f1_macro: macro.f1 / present,
      precision_weighted: weighted.precision / rows,
      recall_weighted: weighted.recall / rows,
      f1_weighted: weighted.f1 / rows,
    };
  }
}

export class RegressionResampler implements ResampledMetrics {
  constructor(
    private readonly actual: Float64Array,
    private readonly predicted: Float64Array,
  ) {}

  metrics(counts: Int32Array): Record<string, number> {
    const { actual, predicted } = this;
    let n = 0;
    let absolute = 0;
    let squared = 0;
    let percentage = 0;
    let sum = 0;
    let lowest = Infinity;
    let highest = -Infinity;
    for (let r = 0; r < counts.length; r++) {
      const w = counts[r];
      if (w === 0) continue;
      const y = actual[r];
      const error = y - predicted[r];
      n += w;
      absolute += w * Math.abs(error);
      squared += w * error * error;
      percentage += (w * Math.abs(error)) / Math.max(Math.abs(y), EPSILON);
      sum += w * y;
      lowest = Math.min(lowest, y);
      highest = Math.max(highest, y);
    }
    // A constant target has no spread, exactly, whatever the rounding of its mean.
    let deviations = 0;
    if (lowest !== highest) {
      const mean = sum / n;
      for (let r = 0; r < counts.length; r++) if (counts[r] !== 0) deviations += counts[r] * (actual[r] - mean) ** 2;
    }
    // scikit-learn's force_finite, as the accumulator: a constant target gives 1 for a perfect fit, else 0.
    const r2 = deviations === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / deviations;
    return { mae: absolute / n, rmse: Math.sqrt(squared / n), r2, mape: percentage / n };
  }
}

function areProbabilities(scores: Float64Array, classCount: number): boolean {
  for (let offset = 0; offset < scores.length; offset += classCount) {
    let sum = 0;
    for (let c = 0; c < classCount; c++) {
      const s = scores[offset + c];
      if (s < 0 || s > 1) return false;
      sum += s;
    }
    if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) return false;
  }
  return true;
}

/** Each row's log loss: its clipped probabilities renormalised, as scikit-learn's log_loss. */
function rowLogLoss(probabilities: Float64Array, truth: Int32Array, classCount: number): Float64Array {
  const loss = new Float64Array(truth.length);
  for (let r = 0; r < truth.length; r++) {
    let sum = 0;
    let own = 0;
    for (let c = 0; c < classCount; c++) {
      const p = Math.min(Math.max(probabilities[r * classCount + c], EPSILON), 1 - EPSILON);
      sum += p;
      if (c === truth[r]) own = p;
    }
    loss[r] = -Math.log(own / sum);
  }
  return loss;
}

function rankColumn(probabilities: Float64Array, truth: Int32Array, classCount: number, positiveClass: number): Ranking {
  const rows = truth.length;
  const column = new Float64Array(rows);
  for (let r = 0; r < rows; r++) column[r] = probabilities[r * classCount + positiveClass];
  const order = Int32Array.from({ length: rows }, (_, r) => r).sort((a, b) => column[a] - column[b]);
  const positive = new Uint8Array(rows);
  const runEnds = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    positive[i] = truth[order[i]] === positiveClass ? 1 : 0;
    runEnds[i] = i === rows - 1 || column[order[i + 1]] !== column[order[i]] ? 1 : 0;
  }
  return { order, positive, runEnds };
}

/**
 * The area under the ROC curve with each row weighted by its count: the probability that a positive
 * scores above a negative, ties counted as half (the Mann-Whitney form the accumulator's ranks compute).
 */
function weightedAuc({ order, positive, runEnds }: Ranking, counts: Int32Array): number | undefined {
  let negativesBelow = 0;
  let positives = 0;
  let area = 0;
  let runPositives = 0;
  let runNegatives = 0;
  for (let i = 0; i < order.length; i++) {
    const w = counts[order[i]];
    if (positive[i]) runPositives += w;
    else runNegatives += w;
    if (runEnds[i]) {
      area += runPositives * (negativesBelow + runNegatives / 2);
      negativesBelow += runNegatives;
      positives += runPositives;
      runPositives = 0;
      runNegatives = 0;
    }
  }
  if (positives === 0 || negativesBelow === 0) return undefined;
  return area / (positives * negativesBelow);
}
