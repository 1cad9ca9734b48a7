import { ClassificationMetricsAccumulator } from '../metrics/classificationMetrics';
import { isMetricName, METRICS } from '../metrics/metricNames';
import { RegressionMetricsAccumulator } from '../metrics/regressionMetrics';
import { formatMetricValue } from '../report/validationReport';
import type { PairedScores, PredictionChanges } from './diffTypes';
import type { Significance } from './gates';
import { mcnemarExactP } from './stats/mcnemar';
import { checkPairedScores, classScores, classTargets, predictedClasses } from './stats/modelScores';
import { chooseResamples, pairedBootstrap, percentileInterval } from './stats/pairedBootstrap';

/** The confidence of the intervals a diff shows. */
export const DISPLAY_CONFIDENCE = 0.95;
/** The bootstrap's seed unless one is given: a fixed one, so the same two models give the same diff. */
export const DEFAULT_BOOTSTRAP_SEED = 1;

export interface ScoreComparison {
  /** Each model's metrics on all rows: the accumulators' values, the same as validation's. */
  deployed: Record<string, number>;
  candidate: Record<string, number>;
  /** Classification only. */
  predictions?: PredictionChanges;
  /** The 95% paired-bootstrap interval of each metric's change (candidate - deployed). */
  intervals: Record<string, [number, number]>;
  bootstrap: { resamples: number; seed: number };
  /** Accuracy: McNemar's exact test; other metrics: whether the (1 - alpha) bootstrap interval excludes 0. */
  significance(metric: string, alpha: number): Significance | undefined;
  significantAt(metric: string, alpha: number): boolean;
}

/**
 * Compares two models scored on the same rows: their metrics, how their predictions changed, and how
 * sure the change is (McNemar for accuracy, a seeded paired bootstrap for every metric's interval).
 */
export function compareScores(scores: PairedScores, metricNames: readonly string[], options: { seed?: number; resamples?: number } = {}): ScoreComparison {
  checkPairedScores(scores);
  const names = metricNames.filter((name) => isMetricName(name) && METRICS[name].task === scores.task);
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const resamples = options.resamples ?? chooseResamples(scores.rows, scores.width);
  const bootstrap = pairedBootstrap(scores, names, { resamples, seed });
  const intervals: Record<string, [number, number]> = {};
  for (const name of names) {
    const interval = percentileInterval(bootstrap.differences[name], DISPLAY_CONFIDENCE);
    if (interval) intervals[name] = interval;
  }
  const predictions = scores.task === 'classification' ? predictionChanges(scores) : undefined;

  const significance = (metric: string, alpha: number): Significance | undefined => {
    if (metric === 'accuracy' && predictions) {
      const p = predictions.mcnemarP;
      return { significant: p < alpha, evidence: `McNemar p = ${formatP(p)} ${p < alpha ? '<' : '>='} ${alpha}` };
    }
    const differences = bootstrap.differences[metric];
    const interval = differences && percentileInterval(differences, 1 - alpha);
    if (!interval) return undefined;
    const significant = interval[0] > 0 || interval[1] < 0;
    const level = `${Number((100 * (1 - alpha)).toFixed(2))}%`;
    return { significant, evidence: `the ${level} bootstrap interval of the change, [${interval.map(formatMetricValue).join(', ')}], ${significant ? 'excludes' : 'includes'} 0` };
  };

  return {
    deployed: fullMetrics(scores, 'deployed', names),
    candidate: fullMetrics(scores, 'candidate', names),
    predictions,
    intervals,
    bootstrap: { resamples, seed },
    significance,
    significantAt: (metric, alpha) => significance(metric, alpha)?.significant ?? false,
  };
}

/** The metrics on all rows, through the same accumulators as validation, keeping the finite ones. */
function fullMetrics(scores: PairedScores, model: 'deployed' | 'candidate', names: string[]): Record<string, number> {
  let all: object;
  if (scores.task === 'regression') {
    const accumulator = new RegressionMetricsAccumulator();
    for (let r = 0; r < scores.rows; r++) accumulator.add(scores.targets[r], scores[model][r]);
    all = accumulator.result();
  } else {
    const { values, classCount } = classScores(scores[model], scores.width);
    const accumulator = new ClassificationMetricsAccumulator(classCount, scores.labels?.length === classCount ? scores.labels : undefined);
    for (let r = 0; r < scores.rows; r++) accumulator.add(scores.targets[r], values.subarray(r * classCount, (r + 1) * classCount));
    all = accumulator.result();
  }
  const values = all as Record<string, unknown>;
  return Object.fromEntries(names.flatMap((name) => (typeof values[name] === 'number' && Number.isFinite(values[name]) ? [[name, values[name] as number]] : [])));
}

function predictionChanges(scores: PairedScores): PredictionChanges {
  const deployed = classScores(scores.deployed, scores.width);
  const candidate = classScores(scores.candidate, scores.width);
  const truth = classTargets(scores.targets, deployed.classCount);
  const before = predictedClasses(deployed.values, deployed.classCount);
  const after = predictedClasses(candidate.values, candidate.classCount);
  const changes = { rows: scores.rows, changed: 0, onlyCandidateRight: 0, onlyDeployedRight: 0, bothRight: 0, bothWrong: 0 };
  for (let r = 0; r < scores.rows; r++) {
    if (before[r] !== after[r]) changes.changed++;
    const deployedRight = before[r] === truth[r];
    const candidateRight = after[r] === truth[r];
    if (deployedRight && candidateRight) changes.bothRight++;
    else if (candidateRight) changes.onlyCandidateRight++;
    else if (deployedRight) changes.onlyDeployedRight++;
    else changes.bothWrong++;
  }
  return { ...changes, mcnemarP: mcnemarExactP(changes.onlyCandidateRight, changes.onlyDeployedRight) };
}

/** A p-value in four decimals, or in exponent form when that would read as 0. */
export function formatP(p: number): string {
  if (Number.isInteger(p)) return String(p);
  return p >= 1e-4 ? p.toFixed(4) : p.toExponential(1);
}
