import * as assert from 'node:assert/strict';
import { compareScores } from '../../src/core/deploy/compareScores';
import type { PairedScores } from '../../src/core/deploy/diffTypes';
import { checkGates, diffRows, summarizeGates, type SignificanceTest } from '../../src/core/deploy/gates';

/**
 * 45 rows of two classes: the deployed model is right on 42, the candidate on 35, and the 7 rows that
 * changed are all ones the deployed model got right: accuracy 0.9333 -> 0.7778, McNemar p = 2 / 2^7.
 */
function droppingCandidate(): PairedScores {
  const truth = Array.from({ length: 45 }, (_, r) => r % 2);
  const right = (t: number) => (t === 1 ? [0.2, 0.8] : [0.8, 0.2]);
  const wrong = (t: number) => right(1 - t);
  const deployed = truth.map((t, r) => (r < 3 ? wrong(t) : right(t)));
  const candidate = truth.map((t, r) => (r < 10 ? wrong(t) : right(t)));
  return { task: 'classification', rows: 45, targets: Float64Array.from(truth), width: 2, deployed: Float64Array.from(deployed.flat()), candidate: Float64Array.from(candidate.flat()), dataFile: 'd.csv', dataSha256: 'x' };
}

describe('quality gates', () => {
  describe('absolute bounds', () => {
    it('fails a candidate below its minimum and passes one at or above it', () => {
      const [below] = checkGates({ accuracy: { min: 0.9 } }, { accuracy: 0.7778 }, undefined);
      assert.deepEqual(below, { metric: 'accuracy', rule: 'min', limit: 0.9, value: 0.7778, verdict: 'fail', reason: 'accuracy 0.7778 is below the minimum 0.9000' });
      const [above] = checkGates({ accuracy: { min: 0.9 } }, { accuracy: 0.95 }, undefined);
      assert.equal(above.verdict, 'pass');
      assert.equal(above.reason, 'accuracy 0.9500 meets the minimum 0.9000');
      assert.equal(checkGates({ accuracy: { min: 0.9 } }, { accuracy: 0.9 }, undefined)[0].verdict, 'pass', 'the limit itself passes');
    });

    it('fails a candidate above its maximum', () => {
      const [over] = checkGates({ rmse: { max: 1 } }, { rmse: 1.25 }, undefined);
      assert.equal(over.verdict, 'fail');
      assert.equal(over.reason, 'rmse 1.2500 is above the maximum 1');
      const [under] = checkGates({ rmse: { max: 1 } }, { rmse: 0.5 }, undefined);
      assert.equal(under.verdict, 'pass');
      assert.equal(under.reason, 'rmse 0.5000 is within the maximum 1');
    });

    it('checks latency when the deploy has measured it, and skips it until then', () => {
      assert.equal(checkGates({ latency_p95_ms: { max: 25 } }, { latency_p95_ms: 31 }, undefined)[0].reason, 'latency_p95_ms 31 is above the maximum 25');
      const [unmeasured] = checkGates({ latency_p95_ms: { max: 25 } }, { accuracy: 0.9 }, undefined);
      assert.equal(unmeasured.verdict, 'skip');
      assert.match(unmeasured.reason, /latency_p95_ms is measured when the candidate runs/);
    });

    it('fails every rule of a gated metric the candidate lacks', () => {
      const checks = checkGates({ f1_macro: { min: 0.8, max_drop: 0.02 } }, { accuracy: 0.9 }, { f1_macro: 0.85 });
      assert.deepEqual(
        checks.map((c) => [c.rule, c.verdict, c.reason]),
        [
          ['min', 'fail', 'the candidate has no f1_macro: validate it'],
          ['max_drop', 'fail', 'the candidate has no f1_macro: validate it'],
        ],
      );
    });
  });

  describe('changes against the deployed model', () => {
    it('fails a drop larger than max_drop, with both values and the drop', () => {
      const [check] = checkGates({ accuracy: { max_drop: 0.01 } }, { accuracy: 35 / 45 }, { accuracy: 42 / 45 });
      assert.equal(check.verdict, 'fail');
      assert.ok(Math.abs(check.value! - 7 / 45) < 1e-12);
      assert.equal(check.reason, 'accuracy dropped by 0.1556 (0.9333 -> 0.7778), more than the allowed 0.0100');
    });

    it('passes a drop within max_drop, a drop exactly at it despite rounding, and a rise', () => {
      const within = checkGates({ accuracy: { max_drop: 0.01 } }, { accuracy: 0.945 }, { accuracy: 0.95 })[0];
      assert.equal(within.verdict, 'pass');
      assert.equal(within.reason, 'accuracy dropped by 0.0050 (0.9500 -> 0.9450), within the allowed 0.0100');
      assert.ok(0.95 - 0.94 > 0.01, 'in floats this drop is a hair over 0.01');
      assert.equal(checkGates({ accuracy: { max_drop: 0.01 } }, { accuracy: 0.94 }, { accuracy: 0.95 })[0].verdict, 'pass');
      const rose = checkGates({ accuracy: { max_drop: 0.01 } }, { accuracy: 0.97 }, { accuracy: 0.95 })[0];
      assert.equal(rose.verdict, 'pass');
      assert.equal(rose.reason, 'accuracy did not drop (0.9500 -> 0.9700)');
    });

    it('fails a rise larger than max_rise for a lower-is-better metric', () => {
      const [check] = checkGates({ log_loss: { max_rise: 0.05 } }, { log_loss: 0.4 }, { log_loss: 0.3 });
      assert.equal(check.verdict, 'fail');
      assert.equal(check.reason, 'log_loss rose by 0.1000 (0.3000 -> 0.4000), more than the allowed 0.0500');
      assert.equal(checkGates({ log_loss: { max_rise: 0.05 } }, { log_loss: 0.32 }, { log_loss: 0.3 })[0].verdict, 'pass');
      assert.equal(checkGates({ log_loss: { max_rise: 0.05 } }, { log_loss: 0.2 }, { log_loss: 0.3 })[0].reason, 'log_loss did not rise (0.3000 -> 0.2000)');
    });

    it('skips change rules on a first deploy but still checks absolute bounds', () => {
      const checks = checkGates({ accuracy: { min: 0.9, max_drop: 0.01 }, log_loss: { max_rise: 0.1 } }, { accuracy: 0.85, log_loss: 0.3 }, undefined);
      assert.deepEqual(
        checks.map((c) => [c.metric, c.rule, c.verdict, c.reason]),
        [
          ['accuracy', 'min', 'fail', 'accuracy 0.8500 is below the minimum 0.9000'],
          ['accuracy', 'max_drop', 'skip', 'nothing deployed to compare with'],
          ['log_loss', 'max_rise', 'skip', 'nothing deployed to compare with'],
        ],
      );
    });

    it('skips a change rule when the deployed version lacks the metric', () => {
      const [check] = checkGates({ f1_macro: { max_drop: 0.01 } }, { f1_macro: 0.8 }, { accuracy: 0.9 });
      assert.equal(check.verdict, 'skip');
      assert.equal(check.reason, 'the deployed version has no f1_macro to compare with');
    });
  });

  describe('significance', () => {
    const comparison = compareScores(droppingCandidate(), ['accuracy', 'f1_macro'], { resamples: 400 });

    it('fails a significant drop, quoting McNemar\'s p-value', () => {
      assert.equal(comparison.predictions?.mcnemarP, 0.015625);
      const [check] = checkGates({ accuracy: { max_drop: 0.01, significance: 0.05 } }, comparison.candidate, comparison.deployed, comparison.significance);
      assert.equal(check.verdict, 'fail');
      assert.equal(check.reason, 'accuracy dropped by 0.1556 (0.9333 -> 0.7778), more than the allowed 0.0100; significant (McNemar p = 0.0156 < 0.05)');
    });

    it('passes the same drop when it is not significant at a stricter level', () => {
      const [check] = checkGates({ accuracy: { max_drop: 0.01, significance: 0.01 } }, comparison.candidate, comparison.deployed, comparison.significance);
      assert.equal(check.verdict, 'pass');
      assert.equal(check.reason, 'accuracy dropped by 0.1556 (0.9333 -> 0.7778), more than the allowed 0.0100, but not significant (McNemar p = 0.0156 >= 0.01)');
    });

    it('judges other metrics by the bootstrap interval at 1 - alpha', () => {
      const [check] = checkGates({ f1_macro: { max_drop: 0.01, significance: 0.05 } }, comparison.candidate, comparison.deployed, comparison.significance);
      const interval = comparison.significance('f1_macro', 0.05)!;
      assert.equal(check.verdict, interval.significant ? 'fail' : 'pass');
      assert.match(check.reason, /^f1_macro dropped by 0\.\d{4} \(0\.\d{4} -> 0\.\d{4}\), more than the allowed 0\.0100(; significant|, but not significant) \(the 95% bootstrap interval of the change, \[-?0\.\d{4}, -?0\.\d{4}\], (ex|in)cludes 0\)$/);
      // 7 of 45 rows lost: the 95% interval lies below 0.
      assert.equal(interval.significant, true);
    });

    it('accepts a bare yes / no answer', () => {
      const yes: SignificanceTest = () => true;
      const no: SignificanceTest = () => false;
      const gate = { accuracy: { max_drop: 0.01, significance: 0.05 } };
      assert.equal(checkGates(gate, { accuracy: 0.8 }, { accuracy: 0.9 }, yes)[0].reason, 'accuracy dropped by 0.1000 (0.9000 -> 0.8000), more than the allowed 0.0100; significant at 0.05');
      assert.equal(checkGates(gate, { accuracy: 0.8 }, { accuracy: 0.9 }, no)[0].verdict, 'pass');
    });

    it('keeps a breach failing when its significance cannot be tested', () => {
      const [check] = checkGates({ accuracy: { max_drop: 0.01, significance: 0.05 } }, { accuracy: 0.8 }, { accuracy: 0.9 });
      assert.equal(check.verdict, 'fail');
      assert.match(check.reason, /could not be tested/);
    });

    it('does not ask about significance when the limit holds', () => {
      let asked = 0;
      const [check] = checkGates({ accuracy: { max_drop: 0.2, significance: 0.05 } }, comparison.candidate, comparison.deployed, () => {
        asked++;
        return true;
      });
      assert.equal(check.verdict, 'pass');
      assert.equal(asked, 0);
    });
  });

  describe('diff rows and the summary', () => {
    const gates = { accuracy: { min: 0.9, max_drop: 0.01 }, latency_p95_ms: { max: 25 }, log_loss: { max_rise: 0.5 } };

    it('lists the config\'s metrics in order, then gated-only ones, with values, change and verdicts', () => {
      const rows = diffRows({
        metrics: ['accuracy', 'f1_macro', 'log_loss'],
        gates,
        candidate: { accuracy: 0.92, f1_macro: 0.91, log_loss: 0.25, latency_p95_ms: 12 },
        deployed: { accuracy: 0.95, f1_macro: 0.9, log_loss: 0.3 },
        intervals: { accuracy: [-0.05, -0.01], f1_macro: [-0.01, 0.03] },
        significance: (metric) => ({ significant: metric === 'accuracy', evidence: '' }),
      });
      assert.deepEqual(
        rows.map((r) => r.name),
        ['accuracy', 'f1_macro', 'log_loss', 'latency_p95_ms'],
      );
      const [accuracy, f1, logLoss, latency] = rows;
      assert.equal(accuracy.verdict, 'fail');
      assert.deepEqual(
        accuracy.checks.map((c) => c.verdict),
        ['pass', 'fail'],
      );
      assert.ok(Math.abs(accuracy.change! + 0.03) < 1e-12);
      assert.deepEqual(accuracy.interval, [-0.05, -0.01]);
      assert.equal(accuracy.significant, true);
      assert.equal(accuracy.higherIsBetter, true);
      assert.equal(f1.verdict, 'none');
      assert.deepEqual(f1.checks, []);
      assert.equal(f1.significant, false);
      assert.equal(logLoss.higherIsBetter, false);
      assert.equal(logLoss.verdict, 'pass');
      assert.equal(latency.deployed, undefined);
      assert.equal(latency.change, undefined);
      assert.equal(latency.verdict, 'pass');

      const summary = summarizeGates(rows, true);
      assert.deepEqual(summary, { passed: false, blocking: true, failures: ['accuracy dropped by 0.0300 (0.9500 -> 0.9200), more than the allowed 0.0100'] });
    });

    it('passes a first deploy that meets its bounds, with skipped change rules', () => {
      const rows = diffRows({ metrics: ['accuracy'], gates, candidate: { accuracy: 0.93, log_loss: 0.2, latency_p95_ms: 9 } });
      assert.equal(rows[0].deployed, undefined);
      assert.equal(rows[0].significant, undefined);
      assert.deepEqual(
        rows[0].checks.map((c) => c.verdict),
        ['pass', 'skip'],
      );
      assert.equal(rows.find((r) => r.name === 'log_loss')?.verdict, 'none', 'only a skipped rule: no verdict');
      assert.deepEqual(summarizeGates(rows, false), { passed: true, blocking: false, failures: [] });
    });
  });
});
