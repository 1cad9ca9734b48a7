import * as assert from 'node:assert/strict';
import { ClassificationMetricsAccumulator } from '../../src/core/metrics/classificationMetrics';
import { RegressionMetricsAccumulator } from '../../src/core/metrics/regressionMetrics';
import { rocAuc } from '../../src/core/metrics/rocAuc';

// Reference values computed with scikit-learn 1.2.1 (Debian bookworm's python3-sklearn):
//   pred = scores.argmax(1); probs = scores, or scipy.special.softmax(scores, axis=1) for logits
//   accuracy_score(y, pred); precision_score / recall_score / f1_score(y, pred, average='macro'|'weighted',
//   zero_division=0); roc_auc_score(y, probs[:, 1]) for two classes, else roc_auc_score(y, probs,
//   multi_class='ovr', average='macro'); log_loss(y, probs, labels=range(k)); confusion_matrix(y, pred);
//   mean_absolute_error, mean_squared_error ** 0.5, r2_score, mean_absolute_percentage_error.
const CASES = [
  {
    title: 'binary probabilities with tied scores',
    classes: 2,
    y: [0, 1, 1, 0, 1, 0, 1, 1],
    scores: [0.1, 0.8, 0.6, 0.4, 0.6, 0.3, 0.9, 0.2].map((p) => [1 - p, p]),
    expected: { accuracy: 0.875, precision_macro: 0.875, recall_macro: 0.9, f1_macro: 0.873015873015873, precision_weighted: 0.90625, recall_weighted: 0.875, f1_weighted: 0.876984126984127, roc_auc: 0.8666666666666667, log_loss: 0.4915567887875834 },
    confusion: [
      [3, 0],
      [1, 4],
    ],
    normalised: 'probabilities',
  },
  {
    title: 'three classes with an argmax tie (first maximum wins)',
    classes: 3,
    y: [0, 1, 2, 2, 1, 0, 2, 1, 0, 2],
    scores: [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.3, 0.4, 0.3], [0.1, 0.45, 0.45], [0.3, 0.3, 0.4], [0.5, 0.5, 0], [0.2, 0.3, 0.5], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.25, 0.5, 0.25]],
    expected: { accuracy: 0.6, precision_macro: 0.6333333333333333, recall_macro: 0.6388888888888888, f1_macro: 0.611111111111111, precision_weighted: 0.62, recall_weighted: 0.6, f1_weighted: 0.5833333333333333, roc_auc: 0.8561507936507936, log_loss: 0.7762833326688303 },
    confusion: [
      [3, 0, 0],
      [0, 2, 1],
      [0, 3, 1],
    ],
    normalised: 'probabilities',
  },
  {
    title: 'raw scores (logits), softmax applied for roc_auc and log_loss',
    classes: 3,
    y: [0, 1, 2, 2, 1, 0, 2, 1, 0, 2],
    scores: [[2, -1, 0.5], [0.1, 1.5, -0.3], [0, 0.2, 0.2], [-1, 0.5, 3], [1, 1, -2], [3, 0, 0], [0, 0, 1], [-2, 4, 0], [1.5, 1.4, 1.6], [0, -1, 2]],
    expected: { accuracy: 0.7, precision_macro: 0.6944444444444443, recall_macro: 0.6944444444444443, f1_macro: 0.6944444444444443, precision_weighted: 0.7, recall_weighted: 0.7, f1_weighted: 0.7, roc_auc: 0.9702380952380953, log_loss: 0.4374679295152819 },
    confusion: [
      [2, 0, 1],
      [1, 2, 0],
      [0, 1, 3],
    ],
    normalised: 'softmax',
  },
  {
    title: 'a class that is never predicted (zero_division=0)',
    classes: 3,
    y: [0, 1, 2, 0, 1, 2],
    scores: [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.6, 0.3, 0.1], [0.1, 0.6, 0.3], [0.2, 0.45, 0.35]],
    expected: { accuracy: 0.6666666666666666, precision_macro: 0.4444444444444444, recall_macro: 0.6666666666666666, f1_macro: 0.5333333333333333, precision_weighted: 0.4444444444444444, recall_weighted: 0.6666666666666666, f1_weighted: 0.5333333333333333, roc_auc: 0.9583333333333334, log_loss: 0.7101216299529503 },
    confusion: [
      [2, 0, 0],
      [0, 2, 0],
      [1, 1, 0],
    ],
    normalised: 'probabilities',
  },
];

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs scikit-learn's ${expected}`);
}

describe('classification metrics agree with scikit-learn', () => {
  for (const c of CASES) {
    it(c.title, () => {
      const accumulator = new ClassificationMetricsAccumulator(c.classes);
      c.y.forEach((y, i) => accumulator.add(y, c.scores[i]));
      const result = accumulator.result();
      for (const [name, value] of Object.entries(c.expected)) close((result as unknown as Record<string, number>)[name], value, name);
      assert.deepEqual(result.confusion_matrix, c.confusion);
      assert.equal(result.scores, c.normalised);
    });
  }

  it('keeps per-class figures and supports', () => {
    const accumulator = new ClassificationMetricsAccumulator(3, ['a', 'b', 'c']);
    const c = CASES[3];
    c.y.forEach((y, i) => accumulator.add(y, c.scores[i]));
    const perClass = accumulator.result().per_class;
    assert.deepEqual(
      perClass.map((p) => [p.label, p.support]),
      [
        ['a', 2],
        ['b', 2],
        ['c', 2],
      ],
    );
    assert.deepEqual(
      perClass.map((p) => p.precision),
      [2 / 3, 2 / 3, 0],
    );
  });

  it('leaves ROC AUC undefined when a class never occurs, as scikit-learn refuses it', () => {
    const accumulator = new ClassificationMetricsAccumulator(3);
    accumulator.add(0, [0.8, 0.1, 0.1]);
    accumulator.add(1, [0.2, 0.7, 0.1]);
    assert.equal(accumulator.result().roc_auc, undefined);
  });

  it('grows past its first allocation', () => {
    const accumulator = new ClassificationMetricsAccumulator(2);
    for (let i = 0; i < 5000; i++) accumulator.add(i % 2, i % 2 ? [0.3, 0.7] : [0.6, 0.4]);
    const result = accumulator.result();
    assert.equal(result.accuracy, 1);
    assert.equal(result.roc_auc, 1);
  });
});

describe('rocAuc', () => {
  it('counts a tie between a positive and a negative as half', () => {
    assert.equal(rocAuc([0.5, 0.5], [true, false]), 0.5);
    assert.equal(rocAuc([0.1, 0.9], [false, true]), 1);
    assert.equal(rocAuc([0.1, 0.9], [true, false]), 0);
  });
});

describe('regression metrics agree with scikit-learn', () => {
  it('MAE, RMSE, R² and MAPE (a zero target uses the float64 epsilon)', () => {
    const accumulator = new RegressionMetricsAccumulator();
    const actual = [3.0, 0.0, 2.5, -1.0, 7.0, 4.2];
    const predicted = [2.5, 0.5, 2.0, -0.5, 8.0, 4.0];
    actual.forEach((a, i) => accumulator.add(a, predicted[i]));
    const result = accumulator.result();
    close(result.mae, 0.5333333333333333, 'mae');
    close(result.rmse, 0.5830951894845301, 'rmse');
    close(result.r2, 0.9512058999402033, 'r2');
    close(result.mape, 375299968947541.44, 'mape');
  });

  it('R² of a constant target: 1 for a perfect fit, else 0 (force_finite)', () => {
    const perfect = new RegressionMetricsAccumulator();
    [2, 2, 2].forEach((v) => perfect.add(v, v));
    assert.equal(perfect.result().r2, 1);
    const off = new RegressionMetricsAccumulator();
    [2, 2, 3].forEach((p) => off.add(2, p));
    assert.equal(off.result().r2, 0);
  });
});
