import * as assert from 'node:assert/strict';
import { histogramQuantile } from '../../src/core/watch/histogramQuantile';

const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);

// Expected values worked by hand with Prometheus's histogram_quantile(): rank = q x total, the first
// bucket whose cumulative count reaches the rank, linear within it (the first bucket from 0).
describe('watch: histogram_quantile', () => {
  const buckets = [
    { upperBound: 0.1, count: 10 },
    { upperBound: 0.2, count: 20 },
    { upperBound: Infinity, count: 20 },
  ];

  it('interpolates inside the first bucket from 0', () => {
    // rank 0.25 x 20 = 5, in (0, 0.1] holding 10: 0 + 0.1 x 5/10
    close(histogramQuantile(0.25, buckets), 0.05);
  });

  it('interpolates inside a later bucket from the bound below it', () => {
    // rank 15, in (0.1, 0.2] holding 20 - 10: 0.1 + 0.1 x (15 - 10)/10
    close(histogramQuantile(0.75, buckets), 0.15);
    // rank 19 of p95: 0.1 + 0.1 x 9/10
    close(histogramQuantile(0.95, buckets), 0.19);
  });

  it('gives the largest finite bound when the rank falls in the +Inf bucket', () => {
    const slow = [
      { upperBound: 0.1, count: 1 },
      { upperBound: 0.2, count: 2 },
      { upperBound: Infinity, count: 10 },
    ];
    // rank 5 > 2: beyond every finite bound
    assert.equal(histogramQuantile(0.5, slow), 0.2);
  });

  it('reads the buckets in bound order whatever order they come in', () => {
    close(histogramQuantile(0.75, [...buckets].reverse()), 0.15);
  });

  it('never lets a bucket count fewer than the one below it (a reset between two buckets)', () => {
    const uneven = [
      { upperBound: 0.1, count: 6 },
      { upperBound: 0.2, count: 4 },
      { upperBound: 0.4, count: 10 },
      { upperBound: Infinity, count: 10 },
    ];
    // counts taken as 6, 6, 10, 10; rank 7 in (0.2, 0.4]: 0.2 + 0.2 x (7 - 6)/(10 - 6)
    close(histogramQuantile(0.7, uneven), 0.25);
  });

  it('gives a first bucket bound of 0 or below as it is', () => {
    assert.equal(histogramQuantile(0.25, [{ upperBound: 0, count: 5 }, { upperBound: 1, count: 10 }, { upperBound: Infinity, count: 10 }]), 0);
  });

  it('is undefined (Prometheus: NaN) with no observations, without a +Inf bucket, or with only one bucket', () => {
    assert.equal(histogramQuantile(0.5, buckets.map((b) => ({ ...b, count: 0 }))), undefined);
    assert.equal(histogramQuantile(0.5, buckets.slice(0, 2)), undefined);
    assert.equal(histogramQuantile(0.5, [{ upperBound: Infinity, count: 4 }]), undefined);
    assert.equal(histogramQuantile(0.5, []), undefined);
  });
});
