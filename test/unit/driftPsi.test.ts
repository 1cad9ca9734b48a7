import * as assert from 'node:assert/strict';
import { driftBetweenScrapes, driftFromSamples } from '../../src/core/drift/driftFromSamples';
import { INPUT_BIN_EXPECTED_RATIO, INPUT_BIN_TOTAL } from '../../src/core/drift/driftMetricNames';
import { populationStabilityIndex, PSI_EPSILON } from '../../src/core/drift/populationStabilityIndex';
import type { MetricSample } from '../../src/core/watch/metricSample';

const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);

/** The samples a server with these features would expose: expected shares, and counts when given. */
function samples(features: Record<string, { expected: number[]; counts?: number[] }>): MetricSample[] {
  const out: MetricSample[] = [{ name: 'modeldeploy_requests_total', labels: { route: 'infer', status: '200' }, value: 7 }];
  for (const [feature, { expected, counts }] of Object.entries(features)) {
    expected.forEach((value, bin) => out.push({ name: INPUT_BIN_EXPECTED_RATIO, labels: { feature, bin: String(bin) }, value }));
    counts?.forEach((value, bin) => out.push({ name: INPUT_BIN_TOTAL, labels: { feature, bin: String(bin) }, value }));
  }
  return out;
}

describe('the population stability index', () => {
  it('is 0 for the same shares and the sum of (a - e) ln(a / e) otherwise (figures computed by hand)', () => {
    assert.equal(populationStabilityIndex([0.1, 0.2, 0.7], [0.1, 0.2, 0.7]), 0);
    // 0.4 ln(1.8) + (-0.4) ln(0.2)
    close(populationStabilityIndex([0.5, 0.5], [0.9, 0.1]), 0.8788898309344878);
    // Symmetric in its two arguments.
    close(populationStabilityIndex([0.9, 0.1], [0.5, 0.5]), 0.8788898309344878);
  });

  it('stands PSI_EPSILON in for an empty bin, on either side; a bin empty on both adds nothing', () => {
    assert.equal(PSI_EPSILON, 1e-4);
    // 0 + (-0.1) ln(0.8) + (0.1 - 0.0001) ln(0.1 / 0.0001)
    close(populationStabilityIndex([0.5, 0.5, 0], [0.5, 0.4, 0.1]), 0.7123991075017365);
    close(populationStabilityIndex([0.5, 0.4, 0.1], [0.5, 0.5, 0]), 0.7123991075017365);
    assert.equal(populationStabilityIndex([0.5, 0.5, 0], [0.5, 0.5, 0]), 0);
  });

  it('refuses shares of different lengths', () => {
    assert.throws(() => populationStabilityIndex([0.5, 0.5], [1]), /2 expected shares but 1 actual/);
  });
});

describe('drift from scraped samples', () => {
  it('gives each feature its PSI, counts and flag, in the order the server lists them', () => {
    const drift = driftFromSamples(samples({ petal: { expected: [0.5, 0.5], counts: [90, 10] }, sepal: { expected: [0.25, 0.25, 0.25, 0.25], counts: [25, 25, 25, 25] } }), 0.2);
    assert.deepEqual(
      drift.map((d) => d.feature),
      ['petal', 'sepal'],
    );
    close(drift[0].psi, 0.8788898309344878);
    assert.deepEqual([drift[0].rows, drift[0].counts, drift[0].expected, drift[0].drifting], [100, [90, 10], [0.5, 0.5], true]);
    assert.deepEqual([drift[1].psi, drift[1].rows, drift[1].drifting], [0, 100, false]);
  });

  it('flags only above the threshold given (the config\'s drift_threshold)', () => {
    const scrape = samples({ petal: { expected: [0.5, 0.5], counts: [90, 10] } });
    assert.equal(driftFromSamples(scrape, 0.87)[0].drifting, true);
    assert.equal(driftFromSamples(scrape, 0.88)[0].drifting, false);
  });

  it('does not flag from fewer rows than the minimum, where chance alone gives a large PSI', () => {
    const few = driftFromSamples(samples({ petal: { expected: [0.5, 0.5], counts: [9, 1] } }), 0.2);
    close(few[0].psi, 0.8788898309344878);
    assert.deepEqual([few[0].rows, few[0].drifting], [10, false]);
    assert.equal(driftFromSamples(samples({ petal: { expected: [0.5, 0.5], counts: [9, 1] } }), 0.2, 10)[0].drifting, true);
  });

  it('has no PSI for a feature with no rows counted yet, and bins missing from the scrape count 0', () => {
    const none = driftFromSamples(samples({ petal: { expected: [0.5, 0.5] } }), 0.2);
    assert.deepEqual(none, [{ feature: 'petal', rows: 0, counts: [0, 0], expected: [0.5, 0.5], drifting: false }]);
    const partial = driftFromSamples(samples({ petal: { expected: [0.5, 0.5, 0], counts: [50, 50] } }), 0.2);
    assert.deepEqual([partial[0].counts, partial[0].psi], [[50, 50, 0], 0]);
  });

  it('is an empty list for a server without an input profile (no drift metrics)', () => {
    assert.deepEqual(driftFromSamples(samples({}), 0.2), []);
    // Counts without expected shares are not a profile either.
    assert.deepEqual(driftFromSamples([{ name: INPUT_BIN_TOTAL, labels: { feature: 'x', bin: '0' }, value: 3 }], 0.2), []);
  });

  it('over a window, uses the counts between two scrapes', () => {
    const before = samples({ petal: { expected: [0.5, 0.5], counts: [50, 50] } });
    const after = samples({ petal: { expected: [0.5, 0.5], counts: [140, 60] } });
    // Since the start: shares 0.7 / 0.3, 0.2 ln(1.4) - 0.2 ln(0.6), under 0.2.
    const total = driftFromSamples(after, 0.2)[0];
    close(total.psi, 0.16945957207744072);
    assert.equal(total.drifting, false);
    // The window's 90 / 10 is the shift.
    const window = driftBetweenScrapes(before, after, 0.2)[0];
    assert.deepEqual([window.counts, window.rows, window.drifting], [[90, 10], 100, true]);
    close(window.psi, 0.8788898309344878);
  });

  it('over a window, takes a count that went down (the server restarted) as a fresh start', () => {
    const before = samples({ petal: { expected: [0.5, 0.5], counts: [500, 500] } });
    const after = samples({ petal: { expected: [0.5, 0.5], counts: [90, 10] } });
    assert.deepEqual(driftBetweenScrapes(before, after, 0.2)[0].counts, [90, 10]);
    assert.deepEqual(driftBetweenScrapes(samples({}), after, 0.2)[0].counts, [90, 10], 'a feature that was not there before');
  });
});
