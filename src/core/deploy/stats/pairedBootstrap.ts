import { isMetricName, METRICS } from '../../metrics/metricNames';
import type { PairedScores } from '../diffTypes';
import { checkPairedScores, classScores, classTargets } from './modelScores';
import { ClassificationResampler, RegressionResampler, type ResampledMetrics } from './resampledMetrics';
import { SeededRandom } from './seededRandom';

export interface PairedBootstrap {
  resamples: number;
  seed: number;
  /**
   * Per metric, candidate - deployed on each resample, sorted ascending. Resamples where the metric is
   * undefined for a model (roc_auc with a class missing) are left out, so there may be fewer than `resamples`.
   */
  differences: Record<string, Float64Array>;
}

/**
 * A seeded paired bootstrap of the change in each metric: the same resampled rows (drawn with
 * replacement) score both models, so what the two have in common cancels out of the change.
 */
export function pairedBootstrap(scores: PairedScores, metricNames: readonly string[], options: { resamples: number; seed: number }): PairedBootstrap {
  checkPairedScores(scores);
  const { resamples, seed } = options;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a whole number >= 1, not ${resamples}`);
  const names = metricNames.filter((name) => isMetricName(name) && METRICS[name].task === scores.task);
  const deployed = resamplerFor(scores, 'deployed', names);
  const candidate = resamplerFor(scores, 'candidate', names);
  const rows = scores.rows;
  const random = new SeededRandom(seed);
  const counts = new Int32Array(rows);
  const differences = names.map(() => new Float64Array(resamples));
  const filled = names.map(() => 0);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < rows; i++) counts[random.nextInt(rows)]++;
    const before = deployed.metrics(counts);
    const after = candidate.metrics(counts);
    names.forEach((name, m) => {
      const d = before[name];
      const c = after[name];
      if (d !== undefined && c !== undefined && Number.isFinite(d) && Number.isFinite(c)) differences[m][filled[m]++] = c - d;
    });
  }
  return {
    resamples,
    seed,
    differences: Object.fromEntries(names.map((name, m) => [name, differences[m].subarray(0, filled[m]).sort()])),
  };
}

/**
 * The percentile interval holding the central `level` (e.g. 0.95) of sorted resampled values, with
 * numpy's default linear interpolation between order statistics. Undefined without values.
 */
export function percentileInterval(sorted: ArrayLike<number>, level: number): [number, number] | undefined {
  if (!(level > 0 && level < 1)) throw new RangeError(`a confidence level is between 0 and 1, not ${level}`);
  if (sorted.length === 0) return undefined;
  const tail = (1 - level) / 2;
  return [quantile(sorted, tail), quantile(sorted, 1 - tail)];
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  let position = q * (sorted.length - 1);
  // (1 - 0.9) / 2 is 0.04999...: land on the order statistic that the level means.
  if (Math.abs(position - Math.round(position)) < 1e-9) position = Math.round(position);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

const MOST_RESAMPLES = 1000;
const FEWEST_RESAMPLES = 200;
// Resamples x rows x classes for two models: measured at 1.4 s for 1,000 resamples of 10,000 MNIST rows x
// 10 classes (accuracy, f1_macro, roc_auc, log_loss) on a 2-core machine, so this budget keeps a
// bootstrap under about 3 s until the floor of 200 resamples is reached (beyond 1,000,000 cells).
const CELL_BUDGET = 2e8;

/**
 * How many resamples to draw: 1,000 (the usual figure for a 95% percentile interval) while that stays
 * within a few seconds, fewer for big validation sets, never below 200 so the 2.5% tails still rest on
 * five resamples each.
 */
export function chooseResamples(rows: number, width: number): number {
  const cells = rows * Math.max(width, 1);
  return Math.max(FEWEST_RESAMPLES, Math.min(MOST_RESAMPLES, Math.floor(CELL_BUDGET / cells)));
}

function resamplerFor(scores: PairedScores, model: 'deployed' | 'candidate', names: string[]): ResampledMetrics {
  if (scores.task === 'regression') return new RegressionResampler(scores.targets, scores[model]);
  const { values, classCount } = classScores(scores[model], scores.width);
  return new ClassificationResampler(classTargets(scores.targets, classCount), values, classCount, names);
}
