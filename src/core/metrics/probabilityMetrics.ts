import { sortedRocAuc } from './rocAuc';
import { binCount, MAX_MANTISSA_BITS, RocAucBins } from './rocAucBins';

// scikit-learn clips probabilities to [eps, 1 - eps] with float64's machine epsilon.
const EPSILON = 2.220446049250313e-16;

/** Scores kept as they are, for an exact ROC AUC: every row up to 13,107 rows of 10 classes. */
const EXACT_SCORES = 1 << 17;
/**
 * Bins over all classes (25 bytes each) once the exact scores are used up: 10 classes get the finest (about
 * 4.5 MB); from about 500 classes on, each gets the coarsest, one bin per binade (50 KB a class).
 */
const BIN_BUDGET = 1 << 20;

/**
 * ROC AUC and log loss over a stream of (true class, probability row) pairs, in memory that does not grow
 * with the rows: binary, the AUC of class 1's probability; multiclass, one-vs-rest, the mean over classes.
 * The first rows are kept and give the exact AUC; past them, each scored class's probabilities go to bins.
 */
export class ProbabilityMetrics {
  private readonly firstScored: number;
  private readonly exactRows: number;
  private scores: Float64Array;
  private truth: Int32Array;
  private bins?: RocAucBins[];
  private lossSum = 0;
  private rows = 0;

  constructor(private readonly classCount: number) {
    this.firstScored = classCount === 2 ? 1 : 0;
    this.exactRows = Math.max(256, Math.floor(EXACT_SCORES / classCount));
    // Allocated whole: pages that are never written cost no memory.
    this.scores = new Float64Array(this.exactRows * classCount);
    this.truth = new Int32Array(this.exactRows);
  }

  add(trueClass: number, probabilities: ArrayLike<number>): void {
    const k = this.classCount;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += clip(probabilities[c]);
    this.lossSum -= Math.log(clip(probabilities[trueClass]) / sum);
    if (!this.bins && this.rows === this.exactRows) this.bins = this.fold();
    if (this.bins) {
      for (let c = this.firstScored; c < k; c++) this.bins[c - this.firstScored].add(probabilities[c], c === trueClass);
    } else {
      for (let c = 0; c < k; c++) this.scores[this.rows * k + c] = probabilities[c];
      this.truth[this.rows] = trueClass;
    }
    this.rows++;
  }

  /** Undefined when a scored class never occurs or always does, as scikit-learn refuses it. */
  rocAuc(): number | undefined {
    let total = 0;
    for (let c = this.firstScored; c < this.classCount; c++) {
      const auc = this.bins ? this.bins[c - this.firstScored].auc() : this.exactRocAuc(c);
      if (auc === undefined) return undefined;
      total += auc;
    }
    return total / (this.classCount - this.firstScored);
  }

  /** How far rocAuc() may be from the exact value: 0 while it is exact. */
  rocAucErrorBound(): number {
    return this.bins ? this.bins.reduce((a, bins) => a + bins.errorBound(), 0) / this.bins.length : 0;
  }

  logLoss(): number {
    return this.lossSum / this.rows;
  }

  private exactRocAuc(c: number): number | undefined {
    const k = this.classCount;
    let positives = 0;
    for (let r = 0; r < this.rows; r++) if (this.truth[r] === c) positives++;
    const ofPositives = new Float64Array(positives);
    const ofNegatives = new Float64Array(this.rows - positives);
    for (let r = 0, p = 0, n = 0; r < this.rows; r++) {
      if (this.truth[r] === c) ofPositives[p++] = this.scores[r * k + c];
      else ofNegatives[n++] = this.scores[r * k + c];
    }
    return sortedRocAuc(ofPositives.sort(), ofNegatives.sort());
  }

  private fold(): RocAucBins[] {
    const k = this.classCount;
    const columns = k - this.firstScored;
    let mantissaBits = MAX_MANTISSA_BITS;
    while (mantissaBits > 0 && columns * binCount(mantissaBits) > BIN_BUDGET) mantissaBits--;
    const bins = Array.from({ length: columns }, () => new RocAucBins(mantissaBits));
    for (let r = 0; r < this.rows; r++) {
      for (let c = this.firstScored; c < k; c++) bins[c - this.firstScored].add(this.scores[r * k + c], this.truth[r] === c);
    }
    this.scores = new Float64Array(0);
    this.truth = new Int32Array(0);
    return bins;
  }
}

function clip(probability: number): number {
  return Math.min(Math.max(probability, EPSILON), 1 - EPSILON);
}
