import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { compareScores } from '../../src/core/deploy/compareScores';
import type { PairedScores } from '../../src/core/deploy/diffTypes';
import { mcnemarExactP } from '../../src/core/deploy/stats/mcnemar';
import { chooseResamples, pairedBootstrap, percentileInterval } from '../../src/core/deploy/stats/pairedBootstrap';
import { ClassificationResampler, RegressionResampler } from '../../src/core/deploy/stats/resampledMetrics';
import { SeededRandom } from '../../src/core/deploy/stats/seededRandom';
import { ClassificationMetricsAccumulator } from '../../src/core/metrics/classificationMetrics';
import { RegressionMetricsAccumulator } from '../../src/core/metrics/regressionMetrics';
import { onnxRuntime } from '../../src/core/model/onnxRuntime';
import { SHARED_DATA } from '../support/projectFixture';

const CLASSIFICATION_METRICS = ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted', 'roc_auc', 'log_loss'];
const REGRESSION_METRICS = ['mae', 'rmse', 'r2', 'mape'];

/** P(X <= k) * 2 for X ~ Binomial(n, 1/2) in exact integers, as a float: an independent reference. */
function exactMcnemar(b: number, c: number): number {
  const n = BigInt(b + c);
  const k = BigInt(Math.min(b, c));
  let term = 1n; // C(n, 0)
  let tail = 1n;
  for (let i = 1n; i <= k; i++) {
    term = (term * (n - i + 1n)) / i;
    tail += term;
  }
  // tail / 2^n to 20 significant digits, however small, through a decimal string.
  const whole = 2n ** n;
  const shift = whole.toString().length - tail.toString().length + 20;
  const digits = (2n * tail * 10n ** BigInt(shift)) / whole;
  return Math.min(1, Number(`${digits}e-${shift}`));
}

function assertClose(actual: number | undefined, expected: number | undefined, relative: number, what = '') {
  if (expected === undefined) return assert.equal(actual, undefined, what);
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-300), `${what} ${actual} != ${expected}`);
}

/** Class-probability rows for `rows` rows of `classes` classes, right with about probability `skill`. */
function syntheticClassifier(random: SeededRandom, truth: number[], classes: number, skill: number): Float64Array {
  const scores = new Float64Array(truth.length * classes);
  truth.forEach((t, r) => {
    const favourite = random.nextFloat() < skill ? t : random.nextInt(classes);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += scores[r * classes + c] = random.nextFloat() + (c === favourite ? 1.5 : 0);
    for (let c = 0; c < classes; c++) scores[r * classes + c] /= sum;
  });
  return scores;
}

function classificationScores(truth: number[], classes: number, deployed: Float64Array, candidate: Float64Array): PairedScores {
  return { task: 'classification', rows: truth.length, targets: Float64Array.from(truth), width: classes, deployed, candidate, dataFile: 'data.csv', dataSha256: 'x' };
}

describe('McNemar exact test', () => {
  it('gives scipy.stats.binomtest\'s two-sided p-values on known counts', () => {
    assert.equal(mcnemarExactP(10, 2), 0.03857421875);
    assert.equal(mcnemarExactP(2, 10), 0.03857421875, 'symmetric');
    assert.equal(mcnemarExactP(5, 5), 1);
    assert.equal(mcnemarExactP(0, 7), 0.015625);
    assert.equal(mcnemarExactP(0, 9), 0.00390625);
    assert.equal(mcnemarExactP(0, 1), 1);
    assert.equal(mcnemarExactP(7, 8), 1, 'one apart: the tail is exactly one half');
  });

  it('is 1 when no row is discordant', () => {
    assert.equal(mcnemarExactP(0, 0), 1);
  });

  it('stays exact for thousands of discordant rows, where 2^-n underflows', () => {
    for (const [b, c] of [
      [2050, 1950],
      [1100, 900],
      [2400, 2600],
      [300, 1500],
      [480, 520],
      [12, 30],
    ]) {
      assertClose(mcnemarExactP(b, c), exactMcnemar(b, c), 1e-9, `${b}/${c}`);
    }
    assert.ok(mcnemarExactP(300, 1500) < 1e-150 && mcnemarExactP(300, 1500) > 0, 'a tiny p is not rounded to 0');
    assert.equal(mcnemarExactP(3000, 3000), 1);
  });

  it('refuses counts that are not whole numbers', () => {
    assert.throws(() => mcnemarExactP(-1, 3), RangeError);
    assert.throws(() => mcnemarExactP(1.5, 3), RangeError);
  });
});

describe('seeded random numbers', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => Array.from({ length: 20 }, ((random) => () => random.nextUint32())(new SeededRandom(seed)));
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    assert.notDeepEqual(draw(0), draw(1));
  });

  it('gives floats in [0, 1) and integers in [0, n), spread evenly', () => {
    const random = new SeededRandom(123);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = random.nextFloat();
      assert.ok(x >= 0 && x < 1);
      const k = random.nextInt(10);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
      bins[k]++;
    }
    for (const count of bins) assert.ok(Math.abs(count - 10_000) < 500, `bin count ${count}`);
  });
});

describe('metrics on a resample agree with the accumulators fed the resampled rows', () => {
  const random = new SeededRandom(5);
  const classificationCases = [
    { title: 'multiclass probabilities with tied scores', classes: 4, scores: (truth: number[]) => syntheticClassifier(random, truth, 4, 0.6).map((s) => Math.round(s * 10) / 10) },
    { title: 'multiclass logits (softmax applied)', classes: 3, scores: (truth: number[]) => Float64Array.from({ length: truth.length * 3 }, () => random.nextFloat() * 6 - 3) },
    { title: 'binary probabilities', classes: 2, scores: (truth: number[]) => syntheticClassifier(random, truth, 2, 0.7) },
    {
      title: 'a class neither true nor predicted (left out of the macro means; roc_auc undefined)',
      classes: 4,
      truthClasses: 3,
      scores: (truth: number[]) => syntheticClassifier(random, truth, 4, 0.8).map((s, i) => (i % 4 === 3 ? 0 : s)),
    },
  ];
  for (const { title, classes, scores, truthClasses } of classificationCases) {
    it(title, () => {
      const truth = Array.from({ length: 300 }, () => random.nextInt(truthClasses ?? classes));
      const values = scores(truth);
      const resampler = new ClassificationResampler(Int32Array.from(truth), values, classes, CLASSIFICATION_METRICS);
      for (let trial = 0; trial < 5; trial++) {
        const counts = new Int32Array(truth.length);
        for (let i = 0; i < truth.length; i++) counts[random.nextInt(truth.length)]++;
        const accumulator = new ClassificationMetricsAccumulator(classes);
        counts.forEach((count, r) => {
          for (let k = 0; k < count; k++) accumulator.add(truth[r], values.subarray(r * classes, (r + 1) * classes));
        });
        const expected = accumulator.result() as unknown as Record<string, number>;
        const actual = resampler.metrics(counts);
        for (const name of CLASSIFICATION_METRICS) assertClose(actual[name], expected[name], 1e-10, name);
      }
    });
  }

  it('regression, including a resample whose target is constant', () => {
    const actual = Float64Array.from({ length: 200 }, () => random.nextFloat() * 10 + 1);
    const predicted = actual.map((y) => y + random.nextFloat() - 0.5);
    const resampler = new RegressionResampler(actual, predicted);
    const counts = new Int32Array(200);
    for (let i = 0; i < 200; i++) counts[random.nextInt(200)]++;
    const accumulator = new RegressionMetricsAccumulator();
    counts.forEach((count, r) => {
      for (let k = 0; k < count; k++) accumulator.add(actual[r], predicted[r]);
    });
    const expected = accumulator.result() as unknown as Record<string, number>;
    const got = resampler.metrics(counts);
    for (const name of REGRESSION_METRICS) assertClose(got[name], expected[name], 1e-10, name);

    const one = new Int32Array(200);
    one[3] = 200; // every draw is row 3: a constant target, imperfect fit, R² forced to 0 as scikit-learn
    assert.equal(resampler.metrics(one).r2, 0);
  });
});

describe('percentile intervals', () => {
  it('takes numpy\'s linearly interpolated percentiles of the sorted values', () => {
    const hundred = Float64Array.from({ length: 101 }, (_, i) => i);
    assert.deepEqual(percentileInterval(hundred, 0.9), [5, 95]);
    assert.deepEqual(percentileInterval([1, 2, 3, 4], 0.5), [1.75, 3.25]);
    assert.equal(percentileInterval([], 0.95), undefined);
    assert.throws(() => percentileInterval([1], 1), RangeError);
  });

  it('chooses 1,000 resamples up to 200,000 row-class cells, fewer beyond, never below 200', () => {
    assert.equal(chooseResamples(150, 3), 1000);
    assert.equal(chooseResamples(10_000, 10), 1000);
    assert.equal(chooseResamples(50_000, 10), 400);
    assert.equal(chooseResamples(1_000_000, 10), 200);
  });
});

describe('paired bootstrap and compareScores', () => {
  const random = new SeededRandom(11);
  const truth = Array.from({ length: 400 }, () => random.nextInt(3));
  const weak = syntheticClassifier(random, truth, 3, 0.55);
  const strong = syntheticClassifier(random, truth, 3, 0.95);
  const metrics = ['accuracy', 'f1_macro', 'roc_auc', 'log_loss'];

  it('gives identical intervals for the same seed and inputs, different ones for another seed', () => {
    const scores = classificationScores(truth, 3, weak, strong);
    const first = pairedBootstrap(scores, metrics, { resamples: 300, seed: 42 });
    const again = pairedBootstrap(scores, metrics, { resamples: 300, seed: 42 });
    const other = pairedBootstrap(scores, metrics, { resamples: 300, seed: 43 });
    for (const name of metrics) {
      assert.deepEqual(Array.from(again.differences[name]), Array.from(first.differences[name]), name);
      assert.notDeepEqual(Array.from(other.differences[name]), Array.from(first.differences[name]), name);
    }
    const compared = compareScores(scores, metrics, { seed: 42, resamples: 300 });
    assert.deepEqual(compareScores(scores, metrics, { seed: 42, resamples: 300 }).intervals, compared.intervals);
    assert.deepEqual(compared.bootstrap, { resamples: 300, seed: 42 });
  });

  it('finds nothing between identical models: zero intervals, p = 1, no changed prediction', () => {
    const comparison = compareScores(classificationScores(truth, 3, weak, weak.slice()), metrics, { resamples: 200 });
    for (const name of metrics) assert.deepEqual(comparison.intervals[name], [0, 0], name);
    assert.equal(comparison.predictions?.changed, 0);
    assert.equal(comparison.predictions?.mcnemarP, 1);
    assert.equal(comparison.significantAt('accuracy', 0.05), false);
    assert.equal(comparison.significantAt('log_loss', 0.05), false);
    assert.deepEqual(comparison.deployed, comparison.candidate);
  });

  it('puts a clearly better candidate\'s intervals on the better side of 0 and calls it significant', () => {
    const comparison = compareScores(classificationScores(truth, 3, weak, strong), metrics, { resamples: 500 });
    for (const name of ['accuracy', 'f1_macro', 'roc_auc']) assert.ok(comparison.intervals[name][0] > 0, `${name} ${comparison.intervals[name]}`);
    assert.ok(comparison.intervals.log_loss[1] < 0, `log_loss ${comparison.intervals.log_loss}`);
    assert.ok(comparison.predictions!.mcnemarP < 1e-6);
    assert.ok(comparison.predictions!.onlyCandidateRight > comparison.predictions!.onlyDeployedRight);
    for (const name of metrics) assert.equal(comparison.significantAt(name, 0.01), true, name);
    assert.match(comparison.significance('accuracy', 0.05)!.evidence, /^McNemar p = \S+ < 0\.05$/);
    assert.match(comparison.significance('f1_macro', 0.01)!.evidence, /^the 99% bootstrap interval of the change, \[0\.\d{4}, 0\.\d{4}\], excludes 0$/);
  });

  it('holds the observed change inside each interval', () => {
    const slightlyBetter = syntheticClassifier(random, truth, 3, 0.6);
    for (const [deployed, candidate] of [
      [weak, strong],
      [weak, slightlyBetter],
    ]) {
      const comparison = compareScores(classificationScores(truth, 3, deployed, candidate), metrics, { resamples: 500 });
      for (const name of metrics) {
        const change = comparison.candidate[name] - comparison.deployed[name];
        const [low, high] = comparison.intervals[name];
        assert.ok(low <= change && change <= high, `${name}: ${change} outside [${low}, ${high}]`);
      }
    }
  });

  it('reports on all rows exactly what the accumulators (validation) give', () => {
    const comparison = compareScores(classificationScores(truth, 3, weak, strong), CLASSIFICATION_METRICS, { resamples: 200 });
    for (const [model, scores] of [
      ['deployed', weak],
      ['candidate', strong],
    ] as const) {
      const accumulator = new ClassificationMetricsAccumulator(3);
      truth.forEach((t, r) => accumulator.add(t, scores.subarray(r * 3, r * 3 + 3)));
      const expected = accumulator.result() as unknown as Record<string, number>;
      assert.deepEqual(comparison[model], Object.fromEntries(CLASSIFICATION_METRICS.map((name) => [name, expected[name]])));
    }
  });

  it('counts changed predictions with numpy\'s argmax (first maximum wins)', () => {
    // Rows: true class, deployed scores, candidate scores.
    const rows: [number, number[], number[]][] = [
      [0, [0.5, 0.5, 0], [0.2, 0.8, 0]], // deployed right by the tie rule, candidate wrong
      [1, [0.5, 0.5, 0], [0.1, 0.9, 0]], // deployed wrong by the tie rule, candidate right
      [1, [0.1, 0.6, 0.3], [0.2, 0.5, 0.3]], // both right
      [2, [0.1, 0.6, 0.3], [0.7, 0.1, 0.2]], // both wrong, prediction changed
      [2, [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]], // both right
      [0, [0.4, 0.3, 0.3], [0.3, 0.3, 0.4]], // only deployed right
    ];
    const comparison = compareScores(
      classificationScores(
        rows.map((r) => r[0]),
        3,
        Float64Array.from(rows.flatMap((r) => r[1])),
        Float64Array.from(rows.flatMap((r) => r[2])),
      ),
      ['accuracy'],
      { resamples: 200 },
    );
    assert.deepEqual(comparison.predictions, { rows: 6, changed: 4, onlyCandidateRight: 1, onlyDeployedRight: 2, bothRight: 2, bothWrong: 1, mcnemarP: 1 });
    assert.equal(comparison.deployed.accuracy, 4 / 6);
    assert.equal(comparison.candidate.accuracy, 3 / 6);
  });

  it('widens a single probability column to two classes, as validation does', () => {
    const truth2 = [0, 1, 1, 0, 1, 0, 1, 1];
    const p = Float64Array.from([0.1, 0.8, 0.6, 0.4, 0.6, 0.3, 0.9, 0.2]);
    const comparison = compareScores({ ...classificationScores(truth2, 1, p, p.map((x) => 1 - x)), width: 1 }, ['accuracy', 'roc_auc', 'log_loss'], { resamples: 200 });
    // scikit-learn on these rows (the accumulator's tested case): accuracy 0.875, AUC 0.8667, log loss 0.4916.
    assert.equal(comparison.deployed.accuracy, 0.875);
    assertClose(comparison.deployed.roc_auc, 0.8666666666666667, 1e-12, 'roc_auc');
    assertClose(comparison.deployed.log_loss, 0.4915567887875834, 1e-12, 'log_loss');
    assert.equal(comparison.candidate.accuracy, 0.125);
  });

  it('leaves out resamples where roc_auc is undefined (a class not drawn)', () => {
    const rare = Array.from({ length: 60 }, (_, r) => (r === 0 ? 2 : r % 2));
    const scores = classificationScores(rare, 3, syntheticClassifier(random, rare, 3, 0.7), syntheticClassifier(random, rare, 3, 0.7));
    const result = pairedBootstrap(scores, ['accuracy', 'roc_auc'], { resamples: 300, seed: 1 });
    assert.equal(result.differences.accuracy.length, 300);
    // Row 0 is missed by a resample with probability (59/60)^60 ~ 0.36.
    assert.ok(result.differences.roc_auc.length > 150 && result.differences.roc_auc.length < 250, `${result.differences.roc_auc.length}`);
  });

  it('compares regression models: a more accurate candidate lowers the error with an interval below 0', () => {
    const actual = Float64Array.from({ length: 300 }, () => random.nextFloat() * 100);
    const noisy = actual.map((y) => y + (random.nextFloat() - 0.5) * 20);
    const closer = actual.map((y) => y + (random.nextFloat() - 0.5) * 4);
    const comparison = compareScores({ task: 'regression', rows: 300, targets: actual, width: 1, deployed: noisy, candidate: closer, dataFile: 'd.csv', dataSha256: 'x' }, ['mae', 'rmse', 'r2', 'mape', 'accuracy']);
    assert.equal(comparison.predictions, undefined);
    assert.deepEqual(Object.keys(comparison.intervals), ['mae', 'rmse', 'r2', 'mape'], 'metrics of the other task are ignored');
    assert.ok(comparison.intervals.rmse[1] < 0 && comparison.intervals.mae[1] < 0);
    assert.ok(comparison.intervals.r2[0] > 0);
    const accumulator = new RegressionMetricsAccumulator();
    actual.forEach((y, r) => accumulator.add(y, closer[r]));
    assert.equal(comparison.candidate.rmse, accumulator.result().rmse);
    assert.equal(comparison.bootstrap.resamples, 1000);
  });
});

describe('paired bootstrap on the real MNIST model', function () {
  this.timeout(120_000);

  it('compares pixels 0-255 with pixels 0-1 on all 10,000 rows in seconds, and finds the accuracy change (0.9891 -> 0.9890) not significant', async () => {
    const ort = onnxRuntime();
    const mnist = path.join(SHARED_DATA, 'mnist');
    const lines = zlib.gunzipSync(fs.readFileSync(path.join(mnist, 'mnist_test.csv.gz'))).toString('utf8').trim().split('\n').slice(1);
    const session = await ort.InferenceSession.create(path.join(mnist, 'mnist-8.onnx'), { intraOpNumThreads: 1 });
    const rows = lines.length;
    const targets = new Float64Array(rows);
    const scores = { deployed: new Float64Array(rows * 10), candidate: new Float64Array(rows * 10) };
    const pixels = new Float32Array(784);
    try {
      for (let r = 0; r < rows; r++) {
        const values = lines[r].split(',').map(Number);
        targets[r] = values[0];
        for (const [model, scale] of [
          ['deployed', 1],
          ['candidate', 1 / 255],
        ] as const) {
          for (let i = 0; i < 784; i++) pixels[i] = values[i + 1] * scale;
          const output = await session.run({ Input3: new ort.Tensor('float32', pixels, [1, 1, 28, 28]) });
          scores[model].set(output[session.outputNames[0]].data as Float32Array, r * 10);
        }
      }
    } finally {
      await session.release();
    }
    const started = performance.now();
    const comparison = compareScores({ task: 'classification', rows, targets, width: 10, ...scores, dataFile: 'mnist_test.csv.gz', dataSha256: 'x' }, ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(comparison.bootstrap.resamples, 1000);
    // About 2 s on an idle 2-core machine; re-adding rows to the accumulators took ~90 s. The bound leaves
    // room for a busy machine and still catches a return to the slow path.
    assert.ok(seconds < 30, `1,000 resamples of 10,000 x 10 took ${seconds.toFixed(1)} s`);
    assert.equal(comparison.deployed.accuracy, 0.9891);
    assert.equal(comparison.candidate.accuracy, 0.989);
    const p = comparison.predictions!;
    assert.equal(p.onlyDeployedRight - p.onlyCandidateRight, 1);
    assert.ok(p.mcnemarP > 0.5, `McNemar p ${p.mcnemarP}`);
    assert.equal(comparison.significantAt('accuracy', 0.05), false);
    const [low, high] = comparison.intervals.accuracy;
    assert.ok(low < 0 && high > 0, `accuracy interval [${low}, ${high}] holds 0`);
  });
});
