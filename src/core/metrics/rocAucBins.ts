/** Biased float64 exponent of 2^-64: from it up to 0.5 each binade has 2^mantissaBits bins; below it, one. */
const FIRST_FINE_EXPONENT = 1023 - 64;
/** The finest bins: 2^7 per binade, each under 0.8% of its scores' distance from 0 (or from 1). */
export const MAX_MANTISSA_BITS = 7;

const word = new Float64Array(1);
const highWord = new Uint32Array(word.buffer, 4, 1); // little-endian: sign, exponent, top 20 bits of the mantissa

/** Bins from 0 up to 0.5 included: 0 itself, a bin per binade below 2^-64, the fine binades, and 0.5 itself. */
function lowBins(mantissaBits: number): number {
  return 1 + FIRST_FINE_EXPONENT + ((1022 - FIRST_FINE_EXPONENT) << mantissaBits) + 1;
}

/** The bin of a score in [0, 0.5], by its exponent and top mantissa bits: finer near 0, with 0 (an underflowed softmax) apart. */
function lowBin(score: number, mantissaBits: number): number {
  if (!(score > 0)) return 0;
  word[0] = score;
  const high = highWord[0];
  const exponent = high >>> 20;
  if (exponent < FIRST_FINE_EXPONENT) return 1 + exponent;
  return 1 + FIRST_FINE_EXPONENT + (high >>> (20 - mantissaBits)) - (FIRST_FINE_EXPONENT << mantissaBits);
}

/** Bins in score order, finer towards both 0 and 1, where confident scores crowd. 1 - score is exact above 0.5. */
export function scoreBin(score: number, mantissaBits = MAX_MANTISSA_BITS): number {
  if (score <= 0.5 || Number.isNaN(score)) return lowBin(score, mantissaBits);
  return 2 * lowBins(mantissaBits) - 2 - lowBin(Math.max(0, 1 - score), mantissaBits);
}

/** How many bins RocAucBins keeps with `mantissaBits`: 18,049 with the finest. */
export function binCount(mantissaBits: number): number {
  return 2 * lowBins(mantissaBits) - 1;
}

/**
 * The area under the ROC curve of a stream of (score, is positive) pairs, for scores in [0, 1], in memory
 * fixed by `mantissaBits` (25 bytes a bin). Bins follow the score order, so pairs in different bins are
 * ordered exactly, and pairs in one bin count as ties. A bin that has only ever seen one score value holds
 * true ties, so the area is exact when scores take few distinct values; in a bin with several, each
 * positive-negative pair may be off by a half: errorBound() adds these up.
 */
export class RocAucBins {
  private readonly positives: Float64Array;
  private readonly negatives: Float64Array;
  /** The first score each bin saw, and whether it has seen another since. */
  private readonly value: Float64Array;
  private readonly mixed: Uint8Array;

  constructor(private readonly mantissaBits = MAX_MANTISSA_BITS) {
    const size = binCount(mantissaBits);
    this.positives = new Float64Array(size);
    this.negatives = new Float64Array(size);
    this.value = new Float64Array(size);
    this.mixed = new Uint8Array(size);
  }

  add(score: number, positive: boolean): void {
    const b = scoreBin(score, this.mantissaBits);
    if (this.positives[b] + this.negatives[b] === 0) this.value[b] = score;
    else if (this.value[b] !== score) this.mixed[b] = 1;
    if (positive) this.positives[b]++;
    else this.negatives[b]++;
  }

  /** Undefined when there are no positives or no negatives. */
  auc(): number | undefined {
    const { positives, negatives } = this;
    let area = 0;
    let negativesBelow = 0;
    let allPositives = 0;
    for (let b = 0; b < positives.length; b++) {
      area += positives[b] * (negativesBelow + negatives[b] / 2);
      negativesBelow += negatives[b];
      allPositives += positives[b];
    }
    return allPositives === 0 || negativesBelow === 0 ? undefined : area / (allPositives * negativesBelow);
  }

  /** How far auc() may be from the exact area. */
  errorBound(): number {
    const { positives, negatives, mixed } = this;
    let unordered = 0;
    let allPositives = 0;
    let allNegatives = 0;
    for (let b = 0; b < positives.length; b++) {
      if (mixed[b]) unordered += (positives[b] * negatives[b]) / 2;
      allPositives += positives[b];
      allNegatives += negatives[b];
    }
    return allPositives * allNegatives === 0 ? 0 : unordered / (allPositives * allNegatives);
  }
}
