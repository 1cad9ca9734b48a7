import * as assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/deploy/stats/seededRandom';
import { ProbabilityMetrics } from '../../src/core/metrics/probabilityMetrics';
import { rocAuc } from '../../src/core/metrics/rocAuc';
import { RocAucBins, scoreBin } from '../../src/core/metrics/rocAucBins';

/** Scores of a fair classifier: positives drawn towards 1, negatives towards 0, overlapping, on a logistic scale. */
function classifierScores(random: SeededRandom, rows: number): { scores: Float64Array; positive: Uint8Array } {
  const scores = new Float64Array(rows);
  const positive = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    positive[i] = random.nextFloat() < 0.1 ? 1 : 0;
    const logit = (positive[i] ? 4 : -4) + 12 * (random.nextFloat() - 0.5) + 6 * (random.nextFloat() - 0.5);
    scores[i] = 1 / (1 + Math.exp(-logit));
  }
  return { scores, positive };
}

function binned(scores: Float64Array, positive: Uint8Array): RocAucBins {
  const bins = new RocAucBins();
  scores.forEach((score, i) => bins.add(score, positive[i] === 1));
  return bins;
}

describe('ROC AUC from bins in fixed memory, against the exact computation over every score', () => {
  it('is exact when scores take few distinct values: each bin holds true ties', () => {
    const random = new SeededRandom(2);
    const levels = [0, 1e-9, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-9, 1];
    const positive = Uint8Array.from({ length: 50_000 }, () => (random.nextFloat() < 0.3 ? 1 : 0));
    const scores = Float64Array.from(positive, (p) => levels[Math.min(levels.length - 1, Math.floor(random.nextFloat() * 6) + (p ? 5 : 0))]);
    const bins = binned(scores, positive);
    assert.equal(bins.errorBound(), 0);
    const exact = rocAuc(scores, positive)!;
    assert.ok(Math.abs(bins.auc()! - exact) <= 1e-12, `${bins.auc()} vs ${exact}`);
  });

  it('stays within its stated bound on continuous scores, and the bound is small', () => {
    for (const seed of [3, 4, 5]) {
      const { scores, positive } = classifierScores(new SeededRandom(seed), 200_000);
      const bins = binned(scores, positive);
      const exact = rocAuc(scores, positive)!;
      const bound = bins.errorBound();
      assert.ok(Math.abs(bins.auc()! - exact) <= bound + 1e-12, `seed ${seed}: ${bins.auc()} vs ${exact}, bound ${bound}`);
      // Bins under 0.8% of a score's distance from 0 or 1 wide: about 2 in 10^4 positive-negative pairs share
      // one on these heavily overlapping classes; the error itself is far smaller (under 10^-6 here).
      assert.ok(bound < 1.5e-4, `seed ${seed}: bound ${bound}`);
      assert.ok(Math.abs(bins.auc()! - exact) < 1e-6, `seed ${seed}: ${bins.auc()} vs ${exact}`);
    }
  });

  it('orders confident scores near 0 and near 1 apart, down to 0 itself (a softmax that underflowed)', () => {
    const scores = Float64Array.from([0, 1e-300, 1e-40, 1e-30, 1e-12, 2e-12, 1 - 2e-9, 1 - 1e-9, 1]);
    const positive = Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1, 1]);
    const bins = binned(scores, positive);
    assert.equal(bins.auc(), rocAuc(scores, positive));
    assert.equal(bins.errorBound(), 0);
  });

  it('numbers its bins in score order over [0, 1]', () => {
    const random = new SeededRandom(6);
    const scores = [0, 5e-324, 1e-300, 1e-20, 0.25, 0.5, 0.5 + 2 ** -53, 0.75, 1 - 2 ** -53, 1];
    for (let i = 0; i < 10_000; i++) scores.push(random.nextFloat() ** (1 + 20 * random.nextFloat()), 1 - random.nextFloat() ** 8);
    scores.sort((a, b) => a - b);
    for (const bits of [0, 3, 7]) {
      for (let i = 1; i < scores.length; i++) assert.ok(scoreBin(scores[i - 1], bits) <= scoreBin(scores[i], bits), `${bits} bits: ${scores[i - 1]} ${scores[i]}`);
    }
    assert.ok(scoreBin(0.5) < scoreBin(0.5 + 2 ** -53));
  });

  it('is undefined without positives or without negatives, as rocAuc', () => {
    const bins = new RocAucBins();
    for (let i = 0; i < 10; i++) bins.add(i / 10, true);
    assert.equal(bins.auc(), undefined);
    assert.equal(rocAuc([0.1, 0.2], [true, true]), undefined);
  });
});

describe('ProbabilityMetrics: an exact ROC AUC over the first rows, binned past them', () => {
  /** Two classes: the AUC of class 1's probability. */
  function twoClasses(rows: number, seed: number): { metrics: ProbabilityMetrics; exact: number } {
    const { scores, positive } = classifierScores(new SeededRandom(seed), rows);
    const metrics = new ProbabilityMetrics(2);
    scores.forEach((p, i) => metrics.add(positive[i], [1 - p, p]));
    return { metrics, exact: rocAuc(scores, positive)! };
  }

  it('is exact while it keeps every score', () => {
    const { metrics, exact } = twoClasses(20_000, 7);
    assert.equal(metrics.rocAuc(), exact);
    assert.equal(metrics.rocAucErrorBound(), 0);
  });

  it('stays within its bound once it bins them', () => {
    const { metrics, exact } = twoClasses(300_000, 8);
    assert.ok(metrics.rocAucErrorBound() > 0);
    assert.ok(Math.abs(metrics.rocAuc()! - exact) <= metrics.rocAucErrorBound(), `${metrics.rocAuc()} vs ${exact}`);
  });
});
